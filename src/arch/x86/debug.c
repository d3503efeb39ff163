/*
 * debug.c (x86) -- the debug target's view of an x86 vCPU (debug/arch.h):
 * its state in gdb's register layout (arch/x86/gdb_regs.c), the pc, the
 * mode, the paging context, and core-dump register notes.
 */
#include <elf.h>
#include <errno.h>
#include <string.h>
#include <sys/procfs.h>
#include <sys/user.h>

#include "arch/x86/emulate.h"
#include "arch/x86/gdb_regs.h"
#include "arch/x86/regs.h"
#include "core/vm.h"
#include "debug/arch.h"

unsigned arch_gdb_state_parts(const struct vm *vm)
{
	return VS_CORE | (vm->arch.has_avx ? VS_VECTOR : 0);
}

const char *arch_gdb_target_xml(const struct vm *vm, size_t *len)
{
	return x86_gdb_target_xml(vm->arch.has_avx, len);
}

int arch_gdb_nregs(const struct vm *vm)
{
	return x86_gdb_nregs(vm->arch.has_avx);
}

unsigned arch_gdb_reg_parts(const struct vm *vm, int regno)
{
	return regno >= 0 && x86_gdb_reg_is_dr((unsigned)regno, vm->arch.has_avx) ? VS_EXTRA : 0;
}

static void to_gdb(const struct vm *vm, const struct vcpu_state *st, struct x86_gdb_state *g)
{
	const struct kvm_regs *r = &st->regs;
	const struct kvm_sregs *s = &st->sregs;
	const struct kvm_fpu *f = &st->fpu;

	memset(g, 0, sizeof(*g));
	g->rax = r->rax; g->rbx = r->rbx; g->rcx = r->rcx; g->rdx = r->rdx;
	g->rsi = r->rsi; g->rdi = r->rdi; g->rbp = r->rbp; g->rsp = r->rsp;
	g->r8 = r->r8; g->r9 = r->r9; g->r10 = r->r10; g->r11 = r->r11;
	g->r12 = r->r12; g->r13 = r->r13; g->r14 = r->r14; g->r15 = r->r15;
	g->rip = r->rip;
	g->rflags = r->rflags;
	g->cs = s->cs.selector; g->ss = s->ss.selector; g->ds = s->ds.selector;
	g->es = s->es.selector; g->fs = s->fs.selector; g->gs = s->gs.selector;
	g->fs_base = s->fs.base;
	g->gs_base = s->gs.base;
	g->k_gs_base = st->kernel_gs_base;
	g->cr0 = s->cr0; g->cr2 = s->cr2; g->cr3 = s->cr3; g->cr4 = s->cr4;
	g->cr8 = s->cr8; g->efer = s->efer;
	for (int i = 0; i < 8; i++)
		memcpy(g->st[i], f->fpr[i], 10);
	g->fctrl = f->fcw;
	g->fstat = f->fsw;
	g->ftag = x86_fpu_tag_full(f->ftwx, f->fsw, g->st);
	g->fioff = (uint32_t)f->last_ip;
	g->fooff = (uint32_t)f->last_dp;
	g->fop = f->last_opcode;
	memcpy(g->xmm, f->xmm, sizeof(g->xmm));
	g->mxcsr = f->mxcsr;
	memcpy(g->ymmh, st->ymmh, sizeof(g->ymmh));
	for (int i = 0; i < 4; i++)
		g->dr[i] = st->dregs.db[i];
	g->dr6 = st->dregs.dr6;
	g->dr7 = st->dregs.dr7;
	g->gdtr_base = s->gdt.base; g->gdtr_limit = s->gdt.limit;
	g->idtr_base = s->idt.base; g->idtr_limit = s->idt.limit;
	g->ldtr = s->ldt.selector; g->tr = s->tr.selector;
	g->cs_base = s->cs.base; g->ss_base = s->ss.base;
	g->ds_base = s->ds.base; g->es_base = s->es.base;
	g->cs_limit = s->cs.limit; g->ss_limit = s->ss.limit; g->ds_limit = s->ds.limit;
	g->es_limit = s->es.limit; g->fs_limit = s->fs.limit; g->gs_limit = s->gs.limit;
	g->ldtr_base = s->ldt.base; g->ldtr_limit = s->ldt.limit;
	g->tr_base = s->tr.base; g->tr_limit = s->tr.limit;
	g->has_avx = vm->arch.has_avx;
}

static void from_gdb(struct vcpu_state *st, const struct x86_gdb_state *g)
{
	struct kvm_regs *r = &st->regs;
	struct kvm_sregs *s = &st->sregs;
	struct kvm_fpu *f = &st->fpu;

	r->rax = g->rax; r->rbx = g->rbx; r->rcx = g->rcx; r->rdx = g->rdx;
	r->rsi = g->rsi; r->rdi = g->rdi; r->rbp = g->rbp; r->rsp = g->rsp;
	r->r8 = g->r8; r->r9 = g->r9; r->r10 = g->r10; r->r11 = g->r11;
	r->r12 = g->r12; r->r13 = g->r13; r->r14 = g->r14; r->r15 = g->r15;
	r->rip = g->rip;
	r->rflags = g->rflags | X86_RFLAGS_FIXED;
	s->cs.selector = g->cs; s->ss.selector = g->ss; s->ds.selector = g->ds;
	s->es.selector = g->es; s->fs.selector = g->fs; s->gs.selector = g->gs;
	s->fs.base = g->fs_base;
	s->gs.base = g->gs_base;
	st->kernel_gs_base = g->k_gs_base;
	s->cr0 = g->cr0; s->cr2 = g->cr2; s->cr3 = g->cr3; s->cr4 = g->cr4;
	s->cr8 = g->cr8; s->efer = g->efer;
	for (int i = 0; i < 8; i++)
		memcpy(f->fpr[i], g->st[i], 10);
	f->fcw = (uint16_t)g->fctrl;
	f->fsw = (uint16_t)g->fstat;
	f->ftwx = x86_fpu_tag_abridged((uint16_t)g->ftag);
	f->last_ip = g->fioff;
	f->last_dp = g->fooff;
	f->last_opcode = (uint16_t)g->fop;
	memcpy(f->xmm, g->xmm, sizeof(f->xmm));
	f->mxcsr = g->mxcsr;
	memcpy(st->ymmh, g->ymmh, sizeof(st->ymmh));
	/*
	 * The guest's own debug registers (KVM_SET_DEBUGREGS on resume, when the
	 * snapshot has them): while the debugger has hardware breakpoints in,
	 * KVM runs the guest with the debugger's instead.
	 */
	for (int i = 0; i < 4; i++)
		st->dregs.db[i] = g->dr[i];
	st->dregs.dr6 = g->dr6;
	st->dregs.dr7 = g->dr7;
	s->gdt.base = g->gdtr_base; s->gdt.limit = (uint16_t)g->gdtr_limit;
	s->idt.base = g->idtr_base; s->idt.limit = (uint16_t)g->idtr_limit;
	s->cs.base = g->cs_base; s->ss.base = g->ss_base;
	s->ds.base = g->ds_base; s->es.base = g->es_base;
	s->cs.limit = g->cs_limit; s->ss.limit = g->ss_limit; s->ds.limit = g->ds_limit;
	s->es.limit = g->es_limit; s->fs.limit = g->fs_limit; s->gs.limit = g->gs_limit;
	s->ldt.base = g->ldtr_base; s->ldt.limit = g->ldtr_limit;
	s->tr.base = g->tr_base; s->tr.limit = g->tr_limit;
}

int arch_gdb_get_regs(const struct vm *vm, const struct vcpu_state *st, uint8_t *buf, size_t cap)
{
	struct x86_gdb_state g;

	to_gdb(vm, st, &g);
	return x86_gdb_regs_to_g(&g, buf, cap);
}

int arch_gdb_set_regs(const struct vm *vm, struct vcpu_state *st, const uint8_t *buf, size_t len)
{
	struct x86_gdb_state g;
	int r;

	to_gdb(vm, st, &g);
	r = x86_gdb_regs_from_g(&g, buf, len);
	if (!r)
		from_gdb(st, &g);
	return r;
}

int arch_gdb_get_reg(const struct vm *vm, const struct vcpu_state *st, int regno, uint8_t *buf,
		     size_t cap)
{
	struct x86_gdb_state g;

	if (regno < 0 || regno >= arch_gdb_nregs(vm))
		return -ENOENT;
	to_gdb(vm, st, &g);
	return x86_gdb_reg_get(&g, (unsigned)regno, buf, cap);
}

int arch_gdb_set_reg(const struct vm *vm, struct vcpu_state *st, int regno, const uint8_t *buf,
		     size_t len)
{
	struct x86_gdb_state g;
	int r;

	if (regno < 0 || regno >= arch_gdb_nregs(vm))
		return -ENOENT;
	to_gdb(vm, st, &g);
	r = x86_gdb_reg_set(&g, (unsigned)regno, buf, len);
	if (!r)
		from_gdb(st, &g);
	return r;
}

int arch_gdb_reg_u64(const struct vm *vm, const struct vcpu_state *st, int regno, uint64_t *val)
{
	const struct kvm_regs *r = &st->regs;
	const struct kvm_sregs *s = &st->sregs;
	/* the general registers in gdb's order (rbp before rsp) */
	const __u64 *const gpr[16] = { &r->rax, &r->rbx, &r->rcx, &r->rdx, &r->rsi, &r->rdi,
				       &r->rbp, &r->rsp, &r->r8, &r->r9, &r->r10, &r->r11,
				       &r->r12, &r->r13, &r->r14, &r->r15 };
	const struct x86_gdb_reg *info = x86_gdb_reg_info((unsigned)regno, vm->arch.has_avx);
	struct x86_gdb_state g;
	uint8_t buf[X86_GDB_REG_MAX];
	int n;

	if (regno < 0 || !info)
		return -ENOENT;
	if (info->bitsize > 64)
		return -E2BIG;
	if (st->parts & (VS_REGS | VS_CORE)) {
		switch (regno) {
		case X86_GDB_RAX ... X86_GDB_R15: *val = *gpr[regno]; return 0;
		case X86_GDB_RIP: *val = r->rip; return 0;
		case X86_GDB_EFLAGS: *val = (uint32_t)r->rflags; return 0;
		case X86_GDB_CS: *val = s->cs.selector; return 0;
		case X86_GDB_SS: *val = s->ss.selector; return 0;
		case X86_GDB_DS: *val = s->ds.selector; return 0;
		case X86_GDB_ES: *val = s->es.selector; return 0;
		case X86_GDB_FS: *val = s->fs.selector; return 0;
		case X86_GDB_GS: *val = s->gs.selector; return 0;
		case X86_GDB_FS_BASE: *val = s->fs.base; return 0;
		case X86_GDB_GS_BASE: *val = s->gs.base; return 0;
		case X86_GDB_CR0: *val = s->cr0; return 0;
		case X86_GDB_CR2: *val = s->cr2; return 0;
		case X86_GDB_CR3: *val = s->cr3; return 0;
		case X86_GDB_CR4: *val = s->cr4; return 0;
		case X86_GDB_CR8: *val = s->cr8; return 0;
		case X86_GDB_EFER: *val = s->efer; return 0;
		default: break;
		}
	}
	if (!(st->parts & VS_CORE))
		return -ENODATA;
	/* the x87 control words, mxcsr, the swapgs shadow: through the 'p' image */
	to_gdb(vm, st, &g);
	n = x86_gdb_reg_get(&g, (unsigned)regno, buf, sizeof(buf));
	if (n < 0 || n > 8)
		return n < 0 ? -ENOENT : -E2BIG;
	*val = 0;
	for (int i = n - 1; i >= 0; i--)
		*val = *val << 8 | buf[i];
	return 0;
}

uint64_t arch_state_pc(const struct vcpu_state *st)
{
	return st->regs.rip;
}

const char *arch_mode_name(const struct vcpu_state *st)
{
	const struct kvm_sregs *s = &st->sregs;

	if (!(s->cr0 & X86_CR0_PE))
		return "real";
	if (s->efer & X86_EFER_LMA)
		return s->cs.l ? "long" : "compat";
	return (s->cr0 & X86_CR0_PG) ? "protected+paging" : "protected";
}

bool arch_breaks_by_page(const struct vm *vm)
{
	const struct x86_debug_probe *d = &vm->arch.dbg;

	return d->probed && !d->swbp_traps && !d->hwbp_fires;
}

enum arch_swbp_mode arch_swbp_mode(const struct vm *vm, const struct vcpu_state *st)
{
	if (arch_breaks_by_page(vm))
		return ARCH_SWBP_PAGE;
	if (!vm->arch.dbg.swbp_traps)
		return ARCH_SWBP_HW_ONLY;
	return (st->sregs.cr0 & X86_CR0_PE) ? ARCH_SWBP_MEM : ARCH_SWBP_HW_IF_FREE;
}

bool arch_state_paging(const struct vcpu_state *st)
{
	return st->sregs.cr0 & X86_CR0_PG;
}

void arch_walk_ctx(const struct vcpu_state *st, const uint64_t *root, struct walk_ctx *w)
{
	w->cr0 = st->sregs.cr0;
	w->cr3 = root ? *root : st->sregs.cr3;
	w->cr4 = st->sregs.cr4;
	w->efer = st->sregs.efer;
	if (root)		/* another address space: assume paging is on */
		w->cr0 |= X86_CR0_PG;
}

bool arch_exec_at_break(struct vcpu_state *st, const uint8_t *code, size_t len,
			const struct arch_mem *mem)
{
	const struct x86_mem xm = { mem->read, mem->write, mem->opaque };
	struct kvm_regs r = st->regs;
	int n;

	/* 64-bit code only; a guest single-stepping itself expects its #DB after it */
	if (!(st->sregs.efer & X86_EFER_LMA) || !st->sregs.cs.l || (r.rflags & X86_RFLAGS_TF))
		return false;
	n = x86_emulate_entry(&r, code, len, &xm);
	if (n <= 0)
		return false;
	r.rip += (uint64_t)n;
	st->regs = r;
	return true;
}

void arch_resume_past_break(struct vcpu_state *st)
{
	st->regs.rflags |= X86_RFLAGS_RF;
}

unsigned arch_core_machine(void)
{
	return EM_X86_64;
}

size_t arch_core_prstatus_size(void)
{
	return sizeof(struct elf_prstatus);
}

void arch_core_prstatus(const struct vcpu_state *st, int cpu, void *desc)
{
	struct elf_prstatus *ps = desc;
	struct user_regs_struct *u = (struct user_regs_struct *)&ps->pr_reg;

	memset(ps, 0, sizeof(*ps));
	ps->pr_pid = cpu + 1;
	if (!st)
		return;
	ps->pr_fpvalid = 1;		/* an NT_PRFPREG follows */
	const struct kvm_regs *g = &st->regs;
	const struct kvm_sregs *s = &st->sregs;

	u->r15 = g->r15; u->r14 = g->r14; u->r13 = g->r13; u->r12 = g->r12;
	u->rbp = g->rbp; u->rbx = g->rbx; u->r11 = g->r11; u->r10 = g->r10;
	u->r9 = g->r9; u->r8 = g->r8; u->rax = g->rax; u->rcx = g->rcx;
	u->rdx = g->rdx; u->rsi = g->rsi; u->rdi = g->rdi; u->orig_rax = ~0ULL;
	u->rip = g->rip; u->cs = s->cs.selector; u->eflags = g->rflags; u->rsp = g->rsp;
	u->ss = s->ss.selector; u->fs_base = s->fs.base; u->gs_base = s->gs.base;
	u->ds = s->ds.selector; u->es = s->es.selector; u->fs = s->fs.selector;
	u->gs = s->gs.selector;
}

/*
 * After each NT_PRSTATUS: NT_PRFPREG (the FXSAVE image gdb reads for `info
 * float` and $xmm0), and QEMU's own "QEMU" note with the system registers,
 * in the layout of QEMU's dump-guest-memory (QEMUCPUState, version 1),
 * which crash reads for CR3 and the IDT base; gdb skips notes it does not
 * know.
 */
struct qemu_seg {
	uint32_t selector, limit, flags, pad;
	uint64_t base;
};

struct qemu_cpu_state {
	uint32_t version, size;
	uint64_t rax, rbx, rcx, rdx, rsi, rdi, rsp, rbp;
	uint64_t r8, r9, r10, r11, r12, r13, r14, r15;
	uint64_t rip, rflags;
	struct qemu_seg cs, ds, es, fs, gs, ss, ldt, tr, gdt, idt;
	uint64_t cr[5];
	uint64_t kernel_gs_base;
};

int arch_core_nnotes(void)
{
	return 2;
}

void arch_core_note(int i, const char **name, uint32_t *type, size_t *size)
{
	*name = i == 0 ? "CORE" : "QEMU";
	*type = i == 0 ? NT_PRFPREG : 0;
	*size = i == 0 ? sizeof(struct user_fpregs_struct) : sizeof(struct qemu_cpu_state);
}

static struct qemu_seg qseg(const struct kvm_segment *s)
{
	return (struct qemu_seg){
		.selector = s->selector, .limit = s->limit, .base = s->base,
		.flags = (uint32_t)s->type << 8 | (uint32_t)s->s << 12 | (uint32_t)s->dpl << 13 |
			 (uint32_t)(s->present && !s->unusable) << 15 | (uint32_t)s->avl << 20 |
			 (uint32_t)s->l << 21 | (uint32_t)s->db << 22 | (uint32_t)s->g << 23,
	};
}

static void fill_fpregs(const struct kvm_fpu *f, struct user_fpregs_struct *u)
{
	u->cwd = f->fcw;
	u->swd = f->fsw;
	u->ftw = f->ftwx;		/* FXSAVE's abridged tag byte */
	u->fop = f->last_opcode;
	u->rip = f->last_ip;
	u->rdp = f->last_dp;
	u->mxcsr = f->mxcsr;
	u->mxcr_mask = 0xffff;
	for (int i = 0; i < 8; i++)
		memcpy((uint8_t *)u->st_space + 16 * i, f->fpr[i], 10);
	memcpy(u->xmm_space, f->xmm, sizeof(f->xmm));
}

void arch_core_note_desc(int i, const struct vcpu_state *st, void *desc)
{
	size_t size;
	const char *name;
	uint32_t type;

	arch_core_note(i, &name, &type, &size);
	memset(desc, 0, size);
	if (!st)
		return;
	if (i == 0) {
		fill_fpregs(&st->fpu, desc);
		return;
	}
	const struct kvm_regs *g = &st->regs;
	const struct kvm_sregs *s = &st->sregs;
	struct qemu_cpu_state *q = desc;

	q->version = 1;
	q->size = sizeof(*q);
	q->rax = g->rax; q->rbx = g->rbx; q->rcx = g->rcx; q->rdx = g->rdx;
	q->rsi = g->rsi; q->rdi = g->rdi; q->rsp = g->rsp; q->rbp = g->rbp;
	q->r8 = g->r8; q->r9 = g->r9; q->r10 = g->r10; q->r11 = g->r11;
	q->r12 = g->r12; q->r13 = g->r13; q->r14 = g->r14; q->r15 = g->r15;
	q->rip = g->rip; q->rflags = g->rflags;
	q->cs = qseg(&s->cs); q->ds = qseg(&s->ds); q->es = qseg(&s->es);
	q->fs = qseg(&s->fs); q->gs = qseg(&s->gs); q->ss = qseg(&s->ss);
	q->ldt = qseg(&s->ldt); q->tr = qseg(&s->tr);
	q->gdt = (struct qemu_seg){ .limit = s->gdt.limit, .base = s->gdt.base };
	q->idt = (struct qemu_seg){ .limit = s->idt.limit, .base = s->idt.base };
	q->cr[0] = s->cr0; q->cr[1] = 0; q->cr[2] = s->cr2; q->cr[3] = s->cr3; q->cr[4] = s->cr4;
	q->kernel_gs_base = st->kernel_gs_base;
}
