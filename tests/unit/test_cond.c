/*
 * test_cond.c -- the pieces of target-side conditions and dprintf that need
 * no machine: the condition table (debug/cond.c: lists per breakpoint,
 * replacing, matching a hit, the verdict, persistence across a detach,
 * counters) over a fake ax_env, and the arch's register numbering for
 * `reg N` (arch_gdb_reg_u64) against the 'p' packet's bytes.
 */
#include <errno.h>
#include <pthread.h>
#include <stdlib.h>
#include <string.h>

#include "core/vm.h"
#include "debug/arch.h"
#include "debug/cond.h"
#include "gdb/rsp.h"
#include "test.h"

#define K8(v)	0x22, (uint8_t)(v)
#define K16(v)	0x23, (uint8_t)((v) >> 8), (uint8_t)(v)
#define K64(v)	0x25, (uint8_t)((uint64_t)(v) >> 56), (uint8_t)((uint64_t)(v) >> 48), \
		(uint8_t)((uint64_t)(v) >> 40), (uint8_t)((uint64_t)(v) >> 32), \
		(uint8_t)((uint64_t)(v) >> 24), (uint8_t)((uint64_t)(v) >> 16), \
		(uint8_t)((uint64_t)(v) >> 8), (uint8_t)(v)
#define REG(n)	0x26, 0x00, (uint8_t)(n)
#define EQUAL	0x13
#define REF32	0x19
#define END	0x27

/* ---- a fake machine: registers by gdb number, memory with a hole ---- */

#define MEM_BASE	0x5000u
#define MEM_SIZE	0x100u

static struct {
	uint64_t regs[24];
	uint8_t mem[MEM_SIZE];
	char out[4096];
	size_t outlen;
	int reads;
	bool phys_seen;		/* the addressing the last read_mem ran with */
	bool phys;
} M;

static int m_reg(void *o, unsigned n, uint64_t *v)
{
	(void)o;
	if (n >= 24)
		return -ENOENT;
	*v = M.regs[n];
	return 0;
}

static int m_mem(void *o, uint64_t a, void *buf, size_t len)
{
	(void)o;
	M.reads++;
	M.phys_seen = M.phys;
	if (a < MEM_BASE || a + len > MEM_BASE + MEM_SIZE)
		return -EFAULT;
	memcpy(buf, M.mem + (a - MEM_BASE), len);
	return 0;
}

static int m_out(void *o, const char *t, size_t n)
{
	(void)o;
	if (M.outlen + n >= sizeof(M.out))
		return -ENOSPC;
	memcpy(M.out + M.outlen, t, n);
	M.outlen += n;
	M.out[M.outlen] = 0;
	return 0;
}

static const struct ax_env env = { m_reg, m_mem, m_out, NULL, NULL, 0 };

static void reset_machine(void)
{
	memset(&M, 0, sizeof(M));
}

/* Copy bytecode into the list (as ax_parse_z_opts would have allocated it). */
static void add(struct ax_expr *e, unsigned *n, const uint8_t *code, size_t len)
{
	e[*n].code = malloc(len);
	memcpy(e[*n].code, code, len);
	e[*n].len = len;
	(*n)++;
}

#define COND(o, ...) do { static const uint8_t c_[] = { __VA_ARGS__ }; \
	add((o)->conds, &(o)->nconds, c_, sizeof(c_)); } while (0)
#define CMD(o, ...) do { static const uint8_t c_[] = { __VA_ARGS__ }; \
	add((o)->cmds, &(o)->ncmds, c_, sizeof(c_)); } while (0)

/* printf("n=%d\n", rdi): as gdb emits a dprintf (args, channel 0, function 0, 0x34) */
#define PRINTF_RDI	REG(5), K8(0), K8(0), 0x34, 0x01, 0x00, 0x07, \
			'n', '=', '%', 'd', '\\', 'n', 0x00, END

static enum cond_verdict hit_bp(struct cond_table *ct, uint64_t pc)
{
	struct cond_hit h = { .watch = false, .addr = pc };

	return cond_eval(ct, &h, &env, &M.phys);
}

static enum cond_verdict hit_watch(struct cond_table *ct, enum gdb_bp_type t, uint64_t a)
{
	struct cond_hit h = { .watch = true, .wtype = t, .addr = a };

	return cond_eval(ct, &h, &env, &M.phys);
}

TEST(conditions_decide_each_hit)
{
	struct cond_table ct;
	struct ax_bp_opts o = { 0 };

	reset_machine();
	cond_init(&ct);
	CHECK(!cond_any(&ct));
	CHECK_EQ(hit_bp(&ct, 0x1000), COND_NONE);		/* nothing: stop as always */

	COND(&o, REG(5), K16(4096), EQUAL, END);		/* rdi == 4096 */
	CHECK_EQ(cond_set(&ct, GDB_BP_SW, 0x1000, 1, false, &o), 0);
	CHECK_EQ(o.nconds, 0);					/* taken */
	CHECK(cond_any(&ct));
	for (uint64_t n = 1; n < 4096; n++) {
		M.regs[5] = n;
		if (hit_bp(&ct, 0x1000) != COND_GO) {
			CHECK(0);
			break;
		}
	}
	M.regs[5] = 4096;
	CHECK_EQ(hit_bp(&ct, 0x1000), COND_STOP);
	CHECK_EQ(hit_bp(&ct, 0x1001), COND_NONE);		/* another pc: not this one */
	CHECK_EQ(hit_watch(&ct, GDB_WP_WRITE, 0x1000), COND_NONE);

	/* gdb re-sends the Z with another condition: it replaces the first */
	COND(&o, REG(5), K8(7), EQUAL, END);
	CHECK_EQ(cond_set(&ct, GDB_BP_SW, 0x1000, 1, false, &o), 0);
	CHECK_EQ(ct.n, 1);
	CHECK_EQ(hit_bp(&ct, 0x1000), COND_GO);			/* 4096 is not 7 */
	M.regs[5] = 7;
	CHECK_EQ(hit_bp(&ct, 0x1000), COND_STOP);

	/* ... and plain: the entry goes */
	CHECK_EQ(cond_set(&ct, GDB_BP_SW, 0x1000, 1, false, &o), 0);
	CHECK(!cond_any(&ct));
	CHECK_EQ(hit_bp(&ct, 0x1000), COND_NONE);

	/* ORed conditions; an unreadable register or memory means "stop" */
	COND(&o, REG(5), K8(1), EQUAL, END);
	COND(&o, REG(0), K8(2), EQUAL, END);
	CHECK_EQ(cond_set(&ct, GDB_BP_HW, 0x2000, 1, false, &o), 0);
	M.regs[5] = 0;
	M.regs[0] = 0;
	CHECK_EQ(hit_bp(&ct, 0x2000), COND_GO);
	M.regs[0] = 2;
	CHECK_EQ(hit_bp(&ct, 0x2000), COND_STOP);
	COND(&o, REG(30), K8(1), EQUAL, END);			/* no such register */
	CHECK_EQ(cond_set(&ct, GDB_BP_HW, 0x2000, 1, false, &o), 0);
	CHECK_EQ(hit_bp(&ct, 0x2000), COND_STOP);
	COND(&o, K64(MEM_BASE + MEM_SIZE - 2), REF32, K8(0), EQUAL, END);	/* runs off */
	CHECK_EQ(cond_set(&ct, GDB_BP_HW, 0x2000, 1, false, &o), 0);
	CHECK_EQ(hit_bp(&ct, 0x2000), COND_STOP);
	COND(&o, K64(MEM_BASE + 4), REF32, K8(0), EQUAL, END);
	CHECK_EQ(cond_set(&ct, GDB_BP_HW, 0x2000, 1, false, &o), 0);
	CHECK_EQ(hit_bp(&ct, 0x2000), COND_STOP);		/* *(int *)0x5004 == 0 */
	M.mem[4] = 1;
	CHECK_EQ(hit_bp(&ct, 0x2000), COND_GO);
	cond_destroy(&ct);
}

TEST(commands_run_and_go_on)
{
	struct cond_table ct;
	struct ax_bp_opts o = { 0 };

	reset_machine();
	cond_init(&ct);
	CMD(&o, PRINTF_RDI);
	o.persist = true;
	CHECK_EQ(cond_set(&ct, GDB_BP_SW, 0x3000, 1, false, &o), 0);
	for (uint64_t n = 1; n <= 3; n++) {
		M.regs[5] = n;
		CHECK_EQ(hit_bp(&ct, 0x3000), COND_GO);		/* printed, never reported */
	}
	CHECK_STR(M.out, "n=1\nn=2\nn=3\n");

	/* with a condition: printed only when it holds (not gdbserver's way) */
	M.outlen = 0;
	M.out[0] = 0;
	COND(&o, REG(5), K8(2), EQUAL, END);
	CMD(&o, PRINTF_RDI);
	CHECK_EQ(cond_set(&ct, GDB_BP_SW, 0x3000, 1, false, &o), 0);
	for (uint64_t n = 1; n <= 3; n++) {
		M.regs[5] = n;
		CHECK_EQ(hit_bp(&ct, 0x3000), COND_GO);
	}
	CHECK_STR(M.out, "n=2\n");

	/* a command that faults says so and the hit still goes on */
	M.outlen = 0;
	M.out[0] = 0;
	CMD(&o, K64(0x9000), REF32, K8(0), K8(0), 0x34, 0x01, 0x00, 0x04, '%', 'd', 0, 0, END);
	CHECK_EQ(cond_set(&ct, GDB_BP_SW, 0x3000, 1, false, &o), 0);
	CHECK_EQ(hit_bp(&ct, 0x3000), COND_GO);
	CHECK(strstr(M.out, "cannot read memory at 0x9000") != NULL);
	cond_destroy(&ct);
}

TEST(watchpoints_match_by_type_and_range)
{
	struct cond_table ct;
	struct ax_bp_opts o = { 0 };

	reset_machine();
	cond_init(&ct);
	COND(&o, K64(MEM_BASE), REF32, K8(5), EQUAL, END);	/* watch v if v == 5 */
	CHECK_EQ(cond_set(&ct, GDB_WP_WRITE, MEM_BASE, 4, true, &o), 0);
	CHECK_EQ(hit_watch(&ct, GDB_WP_WRITE, MEM_BASE + 2), COND_GO);
	CHECK(M.phys_seen);					/* the entry's addressing */
	M.mem[0] = 5;
	CHECK_EQ(hit_watch(&ct, GDB_WP_WRITE, MEM_BASE + 3), COND_STOP);
	CHECK_EQ(hit_watch(&ct, GDB_WP_WRITE, MEM_BASE + 4), COND_NONE);	/* past it */
	CHECK_EQ(hit_watch(&ct, GDB_WP_WRITE, MEM_BASE - 1), COND_NONE);
	CHECK_EQ(hit_watch(&ct, GDB_WP_ACCESS, MEM_BASE), COND_NONE);	/* another kind */
	CHECK_EQ(hit_bp(&ct, MEM_BASE), COND_NONE);
	/* removal by (type, addr, len) */
	cond_del(&ct, GDB_WP_WRITE, MEM_BASE, 8);
	CHECK(cond_any(&ct));
	cond_del(&ct, GDB_WP_WRITE, MEM_BASE, 4);
	CHECK(!cond_any(&ct));
	cond_destroy(&ct);
}

TEST(detach_keeps_only_persistent_commands)
{
	struct cond_table ct;
	struct ax_bp_opts o = { 0 };

	cond_init(&ct);
	CMD(&o, PRINTF_RDI);
	o.persist = true;
	cond_set(&ct, GDB_BP_SW, 0x10, 1, false, &o);		/* dprintf, persist: kept */
	CMD(&o, PRINTF_RDI);
	cond_set(&ct, GDB_BP_SW, 0x20, 1, false, &o);		/* not persistent */
	COND(&o, K8(1), END);
	o.persist = true;					/* persist without commands */
	cond_set(&ct, GDB_BP_HW, 0x30, 1, false, &o);
	CMD(&o, PRINTF_RDI);
	o.persist = true;
	cond_set(&ct, GDB_WP_WRITE, 0x40, 4, false, &o);	/* watchpoints go */
	CHECK(cond_persistent(&ct, GDB_BP_SW, 0x10));
	CHECK(!cond_persistent(&ct, GDB_BP_SW, 0x20));
	CHECK(!cond_persistent(&ct, GDB_BP_HW, 0x30));
	CHECK(!cond_persistent(&ct, GDB_BP_HW, 0x10));
	cond_clear(&ct, true);
	CHECK_EQ(ct.n, 1);
	CHECK_EQ(ct.bps[0].addr, 0x10);
	cond_clear(&ct, false);
	CHECK(!cond_any(&ct));
	cond_destroy(&ct);
}

TEST(counters_in_the_listing)
{
	struct cond_table ct;
	struct ax_bp_opts o = { 0 };
	struct rsp_buf b;

	reset_machine();
	cond_init(&ct);
	rsp_buf_init(&b);
	cond_list(&ct, &b);
	rsp_buf_put(&b, "", 1);
	CHECK(strstr((char *)b.data, "no conditions") != NULL);
	COND(&o, REG(5), K8(3), EQUAL, END);
	cond_set(&ct, GDB_BP_SW, 0xffffffff80100000ULL, 1, false, &o);
	for (M.regs[5] = 0; M.regs[5] < 10; M.regs[5]++)
		hit_bp(&ct, 0xffffffff80100000ULL);
	b.len = 0;
	cond_list(&ct, &b);
	rsp_buf_put(&b, "", 1);
	CHECK_STR((char *)b.data,
		  "break 0xffffffff80100000: 1 condition, 0 commands; 10 hits, 1 stops\n"
		  "evaluated by hyve so far: 10 hits, 1 reported, 0 ran commands\n");
	/* the totals outlive the entry (gdb removes its breakpoints at each stop) */
	cond_del(&ct, GDB_BP_SW, 0xffffffff80100000ULL, 1);
	b.len = 0;
	cond_list(&ct, &b);
	rsp_buf_put(&b, "", 1);
	CHECK(strstr((char *)b.data, "so far: 10 hits, 1 reported") != NULL);
	rsp_buf_free(&b);
	cond_destroy(&ct);
}

/* vCPU threads evaluate while the event thread edits: the lock keeps them apart. */
static struct cond_table race_ct;
static volatile bool race_done;

static void *race_hits(void *arg)
{
	const struct ax_env e = { m_reg, NULL, NULL, NULL, NULL, 0 };
	struct cond_hit h = { .addr = 0x1000 };
	long go = 0;

	(void)arg;
	while (!race_done)
		go += cond_eval(&race_ct, &h, &e, NULL) == COND_GO;
	return (void *)go;
}

TEST(edits_while_vcpus_evaluate)
{
	pthread_t th[2];
	struct ax_bp_opts o = { 0 };
	void *res;

	cond_init(&race_ct);
	race_done = false;
	for (int i = 0; i < 2; i++)
		pthread_create(&th[i], NULL, race_hits, NULL);
	for (int i = 0; i < 20000; i++) {
		if (i % 3 == 2) {
			cond_del(&race_ct, GDB_BP_SW, 0x1000, 1);
			continue;
		}
		COND(&o, REG(5), K8(99), EQUAL, END);
		CHECK_EQ(cond_set(&race_ct, GDB_BP_SW, 0x1000, 1, false, &o), 0);
	}
	race_done = true;
	for (int i = 0; i < 2; i++)
		pthread_join(th[i], &res);
	cond_destroy(&race_ct);
}

/* ---- the arch's register numbers for `reg N` ---- */

TEST(reg_numbers_are_the_p_packets)
{
	static struct vm vm;
	struct vcpu_state st;
	uint8_t buf[64];
	uint64_t v;

	srand(5);
	for (int avx = 0; avx < 2; avx++) {
		memset(&vm, 0, sizeof(vm));
		vm.arch.has_avx = avx;
		for (size_t i = 0; i < sizeof(st); i++)
			((uint8_t *)&st)[i] = (uint8_t)rand();
		st.parts = VS_CORE | (avx ? VS_VECTOR : 0);
		for (int n = 0; n < arch_gdb_nregs(&vm) + 2; n++) {
			int len = arch_gdb_get_reg(&vm, &st, n, buf, sizeof(buf));
			int r = arch_gdb_reg_u64(&vm, &st, n, &v);
			uint64_t want = 0;

			if (len < 0) {
				CHECK_EQ(r, -ENOENT);
				continue;
			}
			if (len > 8) {
				CHECK_EQ(r, -E2BIG);		/* st0-7, xmm, ymmh */
				continue;
			}
			for (int k = len - 1; k >= 0; k--)
				want = want << 8 | buf[k];
			CHECK_EQ(r, 0);
			if (v != want)
				fprintf(stderr, "  register %d: 0x%llx, 'p' says 0x%llx\n", n,
					(unsigned long long)v, (unsigned long long)want);
			CHECK_EQ(v, want);
		}
	}
	/* the hit's snapshot (VS_REGS) has the general, segment and control registers */
	st.parts = VS_REGS;
	st.regs.rdi = 4096;
	CHECK_EQ(arch_gdb_reg_u64(&vm, &st, 5, &v), 0);
	CHECK_EQ(v, 4096);
	CHECK_EQ(arch_gdb_reg_u64(&vm, &st, 16, &v), 0);
	CHECK_EQ(v, st.regs.rip);
	CHECK_EQ(arch_gdb_reg_u64(&vm, &st, 62, &v), 0);	/* cr3 */
	CHECK_EQ(v, st.sregs.cr3);
	CHECK_EQ(arch_gdb_reg_u64(&vm, &st, 32, &v), -ENODATA);	/* fctrl: needs VS_CORE */
	CHECK_EQ(arch_gdb_reg_u64(&vm, &st, 59, &v), -ENODATA);	/* k_gs_base */
	CHECK_EQ(arch_gdb_reg_u64(&vm, &st, 40, &v), -E2BIG);	/* xmm0 */
	CHECK_EQ(arch_gdb_reg_u64(&vm, &st, -1, &v), -ENOENT);
}

TEST_MAIN()
