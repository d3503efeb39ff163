/*
 * test_cond_hit.c -- the hit filter (debug/cond_hit.c) on a VM with no KVM
 * behind it: guest RAM is a buffer with long-mode page tables, the vCPU's
 * registers a vcpu_state the test holds (read and written through the
 * filter's hit_io seam instead of KVM).  A breakpoint byte's hit whose
 * condition is false goes on with the original instruction executed (push
 * %rbp: the stack written through the page tables) or needs a step (lea);
 * a debug-register hit goes on with RF; a watchpoint's just goes on; true
 * conditions stop; dprintf text reaches the output ring; with no debugger
 * left nothing stops.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "arch/x86/regs.h"
#include "core/trap_swbp.h"
#include "core/vm.h"
#include "debug/dbg.h"
#include "debug/target.h"
#include "test.h"

#define RAM_SIZE	(4u << 20)
#define CODE		0x100000ULL	/* push %rbp; ... */
#define CODE_LEA	0x100010ULL	/* lea 1(%rdi),%rax */
#define CODE_LOAD	0x100020ULL	/* mov 0x1ffed9(%rip),%rax: DATA, rip-relative */
#define STACK_TOP	0x200000ULL
#define DATA		0x300000ULL

static struct vm vm;
static uint8_t *ram;
static struct dtarget *T;
static struct vcpu vcpu;
static struct vcpu_state regs;		/* the vCPU's registers, as KVM would hold them */
static unsigned gets, sets, core_gets;

static int io_get(struct vcpu *v, struct vcpu_state *st, unsigned parts)
{
	(void)v;
	gets++;
	if (parts & VS_CORE)
		core_gets++;
	st->regs = regs.regs;
	st->sregs = regs.sregs;
	if (parts & VS_CORE)
		st->fpu = regs.fpu;
	st->parts |= parts;
	return 0;
}

static int io_set(struct vcpu *v, const struct vcpu_state *st)
{
	(void)v;
	sets++;
	CHECK_EQ(st->parts, VS_REGS);		/* only the general registers are written */
	regs.regs = st->regs;
	return 0;
}

static const struct hit_io io = { io_get, io_set };

static void put64(uint64_t gpa, uint64_t v)
{
	memcpy(ram + gpa, &v, 8);
}

static uint64_t get64(uint64_t gpa)
{
	uint64_t v;

	memcpy(&v, ram + gpa, 8);
	return v;
}

/* 4 MiB identity-mapped with 2 MiB pages, 64-bit code. */
static void up(void)
{
	vm_init(&vm, 1);
	ram = calloc(1, RAM_SIZE);
	gmem_init(&vm.mem, ram, RAM_SIZE);
	put64(0x1000, 0x2000 | 3);		/* PML4[0] -> PDPT */
	put64(0x2000, 0x3000 | 3);		/* PDPT[0] -> PD */
	put64(0x3000, 0x000000 | 0x83);		/* 2 MiB pages, writable */
	put64(0x3008, 0x200000 | 0x83);
	memcpy(ram + CODE, (const uint8_t[]){ 0x55, 0x48, 0x89, 0xe5, 0xc3 }, 5);
	memcpy(ram + CODE_LEA, (const uint8_t[]){ 0x48, 0x8d, 0x47, 0x01, 0xc3 }, 5);
	/* CODE_LOAD + 7 + 0x1fffd9 = DATA */
	memcpy(ram + CODE_LOAD, (const uint8_t[]){ 0x48, 0x8b, 0x05, 0xd9, 0xff, 0x1f, 0x00 }, 7);
	T = debug_target_new(&vm);
	CHECK(T != NULL);
	T->attached = true;
	memset(&vcpu, 0, sizeof(vcpu));
	vcpu.vm = &vm;
	memset(&regs, 0, sizeof(regs));
	regs.sregs.cr0 = X86_CR0_PE | X86_CR0_PG;
	regs.sregs.cr3 = 0x1000;
	regs.sregs.cr4 = X86_CR4_PAE;
	regs.sregs.efer = X86_EFER_LME | X86_EFER_LMA;
	regs.sregs.cs.l = 1;
	regs.regs.rflags = 0x202;
	regs.regs.rsp = STACK_TOP;
	regs.regs.rbp = 0xbbbbULL;
	gets = sets = core_gets = 0;
}

static void down(void)
{
	debug_target_free(T);
	vm_destroy(&vm);
	free(ram);
}

#define K8(v)	0x22, (uint8_t)(v)
#define K16(v)	0x23, (uint8_t)((v) >> 8), (uint8_t)(v)
#define K64(v)	0x25, 0, 0, 0, 0, (uint8_t)((v) >> 24), (uint8_t)((v) >> 16), \
		(uint8_t)((v) >> 8), (uint8_t)(v)
#define REG(n)	0x26, 0x00, (uint8_t)(n)

static void set_lists(enum gdb_bp_type type, uint64_t addr, uint64_t len,
		      const uint8_t *cond, size_t clen, const uint8_t *cmd, size_t cmdlen,
		      bool persist)
{
	struct ax_bp_opts o = { 0 };

	if (cond) {
		o.conds[0].code = malloc(clen);
		memcpy(o.conds[0].code, cond, clen);
		o.conds[0].len = clen;
		o.nconds = 1;
	}
	if (cmd) {
		o.cmds[0].code = malloc(cmdlen);
		memcpy(o.cmds[0].code, cmd, cmdlen);
		o.cmds[0].len = cmdlen;
		o.ncmds = 1;
	}
	o.persist = persist;
	CHECK_EQ(cond_set(&T->conds, type, addr, len, false, &o), 0);
}

/* rdi == 7 */
static const uint8_t rdi_is_7[] = { REG(5), K8(7), 0x13, 0x27 };

static enum hit_verdict hit_byte(uint64_t pc)
{
	regs.regs.rip = pc;
	vcpu.ev.hint = STOP_BREAK;
	return dbg_hit_filter_io(T, &vcpu, &io);
}

TEST(byte_false_runs_push_here)
{
	up();
	CHECK_EQ(trap_swbp_insert(&vm.swbp, CODE), 0);
	CHECK_EQ(ram[CODE], 0xcc);
	/* nothing to evaluate: a stop, without even reading the registers */
	CHECK_EQ(hit_byte(CODE), HIT_STOP);
	CHECK_EQ(gets, 0);
	set_lists(GDB_BP_SW, CODE, 1, rdi_is_7, sizeof(rdi_is_7), NULL, 0, false);
	regs.regs.rdi = 5;
	CHECK_EQ(hit_byte(CODE), HIT_GO);
	/* push %rbp, from the original byte under our int3: rsp down, rbp on the stack */
	CHECK_EQ(regs.regs.rip, CODE + 1);
	CHECK_EQ(regs.regs.rsp, STACK_TOP - 8);
	CHECK_EQ(get64(STACK_TOP - 8), 0xbbbb);
	CHECK_EQ(sets, 1);
	CHECK_EQ(ram[CODE], 0xcc);			/* the byte stayed for the others */
	CHECK_EQ(T->past_exec, 1);
	/* true: a stop, nothing changed */
	regs.regs.rdi = 7;
	regs.regs.rsp = STACK_TOP;
	CHECK_EQ(hit_byte(CODE), HIT_STOP);
	CHECK_EQ(regs.regs.rip, CODE);
	CHECK_EQ(regs.regs.rsp, STACK_TOP);
	CHECK_EQ(sets, 1);
	/* a pc with no lists (another breakpoint): a stop */
	CHECK_EQ(hit_byte(CODE + 1), HIT_STOP);
	down();
}

TEST(byte_false_runs_a_load_here)
{
	up();
	put64(DATA, 0x1234);
	CHECK_EQ(trap_swbp_insert(&vm.swbp, CODE_LOAD), 0);
	set_lists(GDB_BP_SW, CODE_LOAD, 1, rdi_is_7, sizeof(rdi_is_7), NULL, 0, false);
	CHECK_EQ(hit_byte(CODE_LOAD), HIT_GO);		/* what bench_hot starts with */
	CHECK_EQ(regs.regs.rax, 0x1234);
	CHECK_EQ(regs.regs.rip, CODE_LOAD + 7);
	/* a load of our own breakpoint byte sees the original */
	CHECK_EQ(trap_swbp_insert(&vm.swbp, DATA), 0);
	CHECK_EQ(hit_byte(CODE_LOAD), HIT_GO);
	CHECK_EQ(regs.regs.rax, 0x1234);
	/* a load from outside RAM: left to a step */
	memcpy(ram + CODE_LOAD + 3, (const uint8_t[]){ 0xd9, 0xff, 0x3f, 0x00 }, 4);
	CHECK_EQ(hit_byte(CODE_LOAD), HIT_STEP_OVER);
	down();
}

TEST(byte_false_needs_a_step)
{
	up();
	CHECK_EQ(trap_swbp_insert(&vm.swbp, CODE_LEA), 0);
	set_lists(GDB_BP_SW, CODE_LEA, 1, rdi_is_7, sizeof(rdi_is_7), NULL, 0, false);
	regs.regs.rdi = 1;
	vcpu.ev.step_over_gpa = 0;
	CHECK_EQ(hit_byte(CODE_LEA), HIT_STEP_OVER);	/* lea: not executed here */
	CHECK_EQ(vcpu.ev.step_over_gpa, CODE_LEA);
	CHECK_EQ(regs.regs.rip, CODE_LEA);
	CHECK_EQ(sets, 0);
	CHECK_EQ(T->past_step, 1);
	/* push with the stack where it cannot be written plainly: a step too */
	CHECK_EQ(trap_swbp_insert(&vm.swbp, CODE), 0);
	set_lists(GDB_BP_SW, CODE, 1, rdi_is_7, sizeof(rdi_is_7), NULL, 0, false);
	regs.regs.rsp = RAM_SIZE + 0x1000;		/* not mapped */
	CHECK_EQ(hit_byte(CODE), HIT_STEP_OVER);
	CHECK_EQ(vcpu.ev.step_over_gpa, CODE);
	CHECK_EQ(trap_swbp_insert(&vm.swbp, STACK_TOP - 8), 0);	/* our byte on the stack */
	regs.regs.rsp = STACK_TOP;
	CHECK_EQ(hit_byte(CODE), HIT_STEP_OVER);
	CHECK_EQ(get64(STACK_TOP - 8), 0xcc);		/* untouched */
	put64(0x3000, 0x000000 | 0x81);			/* the stack read-only: a step as well */
	CHECK_EQ(trap_swbp_remove(&vm.swbp, STACK_TOP - 8), 0);
	CHECK_EQ(hit_byte(CODE), HIT_STEP_OVER);
	/* not 64-bit code: never executed here */
	put64(0x3000, 0x000000 | 0x83);
	regs.sregs.cs.l = 0;
	CHECK_EQ(hit_byte(CODE), HIT_STEP_OVER);
	regs.sregs.cs.l = 1;
	CHECK_EQ(hit_byte(CODE), HIT_GO);
	CHECK_EQ(T->past_step, 5);
	CHECK_EQ(T->past_exec, 1);
	down();
}

TEST(debug_register_and_watch_hits)
{
	static const uint8_t mem_is_9[] = { K64(DATA), 0x1a, K8(9), 0x13, 0x27 };	/* *DATA == 9 */

	up();
	set_lists(GDB_BP_HW, CODE_LEA, 1, rdi_is_7, sizeof(rdi_is_7), NULL, 0, false);
	regs.regs.rip = CODE_LEA;
	vcpu.ev.hint = STOP_NONE;
	vcpu.ev.arch.exception = 1;			/* #DB, DR0 matched */
	vcpu.ev.arch.dr6 = 1;
	CHECK_EQ(dbg_hit_filter_io(T, &vcpu, &io), HIT_GO);
	CHECK(regs.regs.rflags & X86_RFLAGS_RF);	/* past it with RF, any instruction */
	CHECK_EQ(regs.regs.rip, CODE_LEA);
	regs.regs.rflags = 0x202;
	regs.regs.rdi = 7;
	CHECK_EQ(dbg_hit_filter_io(T, &vcpu, &io), HIT_STOP);
	CHECK_EQ(regs.regs.rflags, 0x202);
	vcpu.ev.arch.dr6 = 0x4000;			/* a single step, not a breakpoint */
	CHECK_EQ(dbg_hit_filter_io(T, &vcpu, &io), HIT_STOP);

	/* a write watchpoint on DATA, with a condition on the value written */
	set_lists(GDB_WP_WRITE, DATA, 8, mem_is_9, sizeof(mem_is_9), NULL, 0, false);
	vcpu.ev.hint = STOP_WATCH;
	vcpu.ev.watch_type = TRAP_WATCH_WRITE;
	vcpu.ev.watch_addr = DATA + 4;
	put64(DATA, 8);
	CHECK_EQ(dbg_hit_filter_io(T, &vcpu, &io), HIT_GO);
	CHECK_EQ(sets, 1);				/* the RF above; nothing for a watchpoint */
	put64(DATA, 9);
	CHECK_EQ(dbg_hit_filter_io(T, &vcpu, &io), HIT_STOP);
	vcpu.ev.watch_type = TRAP_WATCH_ACCESS;		/* another kind: not these lists */
	put64(DATA, 8);
	CHECK_EQ(dbg_hit_filter_io(T, &vcpu, &io), HIT_STOP);
	down();
}

TEST(dprintf_to_the_ring_and_detached)
{
	/* printf("r=%d\n", rdi), as gdb sends a dprintf */
	static const uint8_t print_rdi[] = { REG(5), K8(0), K8(0), 0x34, 0x01, 0x00, 0x07,
					     'r', '=', '%', 'd', '\\', 'n', 0x00, 0x27 };
	/* fctrl (register 32) == 0x37f: needs the whole snapshot */
	static const uint8_t fctrl[] = { REG(32), K16(0x37f), 0x13, 0x27 };

	up();
	CHECK_EQ(trap_swbp_insert(&vm.swbp, CODE), 0);
	set_lists(GDB_BP_SW, CODE, 1, NULL, 0, print_rdi, sizeof(print_rdi), true);
	for (int n = 1; n <= 3; n++) {
		regs.regs.rdi = (uint64_t)n;
		regs.regs.rsp = STACK_TOP;
		CHECK_EQ(hit_byte(CODE), HIT_GO);
	}
	CHECK_EQ(T->out.len, 12);
	CHECK(!memcmp(T->out.buf + T->out.head, "r=1\nr=2\nr=3\n", 12));
	CHECK_EQ(core_gets, 0);

	/* with no debugger attached, a hit with nothing for it still goes on */
	T->attached = false;
	CHECK_EQ(trap_swbp_insert(&vm.swbp, CODE_LEA), 0);
	CHECK_EQ(hit_byte(CODE_LEA), HIT_STEP_OVER);
	T->attached = true;
	CHECK_EQ(hit_byte(CODE_LEA), HIT_STOP);

	/* a register outside the general ones: the snapshot is completed once */
	set_lists(GDB_BP_SW, CODE, 1, fctrl, sizeof(fctrl), NULL, 0, false);
	regs.fpu.fcw = 0x37f;
	regs.regs.rsp = STACK_TOP;
	CHECK_EQ(hit_byte(CODE), HIT_STOP);
	CHECK_EQ(core_gets, 1);
	regs.fpu.fcw = 0x27f;
	CHECK_EQ(hit_byte(CODE), HIT_GO);
	down();
}

TEST_MAIN()
