/*
 * test_stops.c -- stop classification (debug/stops.c) over recorded stops,
 * no machine: which vCPU is reported after simultaneous hits, the others
 * kept pending and reported at the next continue (or dropped when their
 * breakpoint went away or they step), alias hits, debug-register slots that
 * stand for a Z0, steps, watchpoints, guest-caused ends, interrupts.
 */
#include "test.h"
#include "arch/arch.h"
#include "core/trap_page.h"
#include "debug/dbg.h"
#include "debug/stops.h"
#include "util.h"

static struct vcpu_stop st[4];
static struct pending_hit pend[4];
static bool bp_at[4];		/* a Z0 at vCPU i's pc */
static bool z1_at[4];		/* a Z1 there too (hw lookups) */
static unsigned sw_slots;	/* debug-register slots standing for a Z0 */

static bool break_at_pc(void *opaque, int cpu, bool hw)
{
	return bp_at[cpu] || (hw && z1_at[cpu]);
}

static bool slot_is_sw(void *opaque, unsigned slots)
{
	return (slots & sw_slots) != 0;
}

static struct stop_view view(int n)
{
	struct stop_view v = { .n = n, .break_at_pc = break_at_pc, .slot_is_sw = slot_is_sw };

	for (int i = 0; i < n; i++)
		v.stop[i] = &st[i];
	return v;
}

static void reset(void)
{
	memset(st, 0, sizeof(st));
	memset(pend, 0, sizeof(pend));
	memset(bp_at, 0, sizeof(bp_at));
	memset(z1_at, 0, sizeof(z1_at));
	sw_slots = 0;
}

static void brk(int cpu, uint64_t seq)
{
	st[cpu].reason = STOP_BREAK;
	st[cpu].seq = seq;
	bp_at[cpu] = true;
}

/* a debug exit: exception vector and DR6 as x86's KVM reports them */
static void dbg_exit(int cpu, uint64_t seq, unsigned vec, uint64_t dr6)
{
	st[cpu].reason = STOP_DEBUG;
	st[cpu].seq = seq;
	st[cpu].arch.exception = vec;
	st[cpu].arch.dr6 = dr6;
}

TEST(interrupt_when_nobody_stopped_on_its_own)
{
	struct stop_view v;
	struct gdb_stop out;

	reset();
	v = view(4);
	CHECK_EQ(stops_classify(&v, pend, &out), -1);
	for (int i = 0; i < 4; i++)
		CHECK(!pend[i].valid);
}

TEST(simultaneous_hits_first_reported_rest_pending)
{
	struct stop_view v;
	struct gdb_stop out;

	reset();
	brk(0, 7);
	brk(2, 3);			/* came first */
	brk(3, 5);
	st[1].reason = STOP_NONE;	/* stopped because all stop */
	v = view(4);
	CHECK_EQ(stops_classify(&v, pend, &out), 2);
	CHECK_EQ(out.cpu, 2);
	CHECK_EQ(out.kind, GDB_STOP_SWBREAK);
	CHECK(pend[0].valid && pend[0].stop.seq == 7);
	CHECK(!pend[1].valid);
	CHECK(!pend[2].valid);		/* the reported one is not pending */
	CHECK(pend[3].valid && pend[3].stop.seq == 5);
}

TEST(pending_hit_reported_at_next_continue)
{
	enum gdb_resume all_cont[4] = { GDB_CONT, GDB_CONT, GDB_CONT, GDB_CONT };
	struct stop_view v;
	struct gdb_stop out;

	reset();
	brk(0, 7);
	brk(2, 3);
	brk(3, 5);
	v = view(4);
	stops_classify(&v, pend, &out);
	/* continue: vCPU 3's hit (seq 5) is older than vCPU 0's (seq 7) */
	CHECK_EQ(stops_take_pending(&v, pend, all_cont), 3);
	CHECK(!pend[3].valid);
	CHECK(pend[0].valid);		/* still kept for the continue after */
	CHECK_EQ(stops_take_pending(&v, pend, all_cont), 0);
	CHECK_EQ(stops_take_pending(&v, pend, all_cont), -1);
}

TEST(pending_dropped_when_breakpoint_gone_or_stepping)
{
	enum gdb_resume acts[4] = { GDB_STEP, GDB_CONT, GDB_CONT, GDB_STAY };
	struct stop_view v;
	struct gdb_stop out;

	reset();
	brk(0, 4);
	brk(1, 5);
	brk(2, 1);			/* reported */
	brk(3, 6);
	v = view(4);
	stops_classify(&v, pend, &out);
	bp_at[1] = false;		/* the debugger took vCPU 1's breakpoint out */
	CHECK_EQ(stops_take_pending(&v, pend, acts), -1);
	CHECK(!pend[0].valid);		/* it steps: meets its breakpoint again, or not */
	CHECK(!pend[1].valid);		/* gone: it just runs */
	CHECK(pend[3].valid);		/* stays stopped: kept */
}

TEST(pending_kept_for_a_z1_at_the_pc)
{
	enum gdb_resume acts[2] = { GDB_CONT, GDB_CONT };
	struct stop_view v;
	struct gdb_stop out;

	reset();
	dbg_exit(0, 1, X86_VEC_DB, X86_DR6_B(0));
	dbg_exit(1, 2, X86_VEC_DB, X86_DR6_B(1));
	z1_at[1] = true;
	v = view(2);
	CHECK_EQ(stops_classify(&v, pend, &out), 0);
	CHECK_EQ(out.kind, GDB_STOP_HWBREAK);
	CHECK(pend[1].valid);
	CHECK_EQ(stops_take_pending(&v, pend, acts), 1);
}

TEST(alias_hit_is_a_plain_trap)
{
	struct stop_view v;
	struct gdb_stop out;

	reset();
	brk(0, 1);
	bp_at[0] = false;	/* our byte, hit through another mapping of its page */
	v = view(1);
	CHECK_EQ(stops_classify(&v, pend, &out), 0);
	CHECK_EQ(out.kind, GDB_STOP_TRAP);
}

TEST(page_trapped_z1_hit_is_a_hwbreak)
{
	enum gdb_resume acts[2] = { GDB_CONT, GDB_CONT };
	struct stop_view v;
	struct gdb_stop out;

	/* where breakpoints trap their pages, a Z1's hit is a STOP_BREAK too */
	reset();
	brk(0, 1);
	bp_at[0] = false;
	z1_at[0] = true;
	brk(1, 2);
	bp_at[1] = false;
	z1_at[1] = true;
	v = view(2);
	CHECK_EQ(stops_classify(&v, pend, &out), 0);
	CHECK_EQ(out.kind, GDB_STOP_HWBREAK);
	CHECK(pend[1].valid);				/* the other one waits its turn */
	CHECK_EQ(stops_take_pending(&v, pend, acts), 1);
	/* a Z0 and a Z1 at one pc: the Z0's swbreak */
	reset();
	brk(0, 1);
	z1_at[0] = true;
	v = view(1);
	CHECK_EQ(stops_classify(&v, pend, &out), 0);
	CHECK_EQ(out.kind, GDB_STOP_SWBREAK);
}

TEST(debug_exits)
{
	struct stop_view v;
	struct gdb_stop out;

	reset();
	v = view(1);
	dbg_exit(0, 1, X86_VEC_BP, 0);
	stops_classify(&v, pend, &out);
	CHECK_EQ(out.kind, GDB_STOP_SWBREAK);
	dbg_exit(0, 1, X86_VEC_DB, X86_DR6_B(2));
	stops_classify(&v, pend, &out);
	CHECK_EQ(out.kind, GDB_STOP_HWBREAK);
	sw_slots = 1u << 2;	/* slot 2 stands for a Z0 (real mode) */
	stops_classify(&v, pend, &out);
	CHECK_EQ(out.kind, GDB_STOP_SWBREAK);
	dbg_exit(0, 1, X86_VEC_DB, X86_DR6_BS);
	stops_classify(&v, pend, &out);
	CHECK_EQ(out.kind, GDB_STOP_TRAP);	/* a step nobody asked for */
	st[0].reason = STOP_STEP;
	stops_classify(&v, pend, &out);
	CHECK_EQ(out.kind, GDB_STOP_STEP);
}

TEST(steps_and_watches_are_not_pending_hits)
{
	struct stop_view v;
	struct gdb_stop out;

	reset();
	st[0].reason = STOP_WATCH;
	st[0].seq = 9;
	st[1].reason = STOP_STEP;
	st[1].seq = 10;
	brk(2, 2);
	v = view(3);
	CHECK_EQ(stops_classify(&v, pend, &out), 2);
	CHECK(!pend[0].valid);
	CHECK(!pend[1].valid);
	CHECK(!stop_is_break(&st[0]));
	CHECK(stop_is_break(&st[2]));
}

TEST(watchpoint_kinds_and_address)
{
	static const struct { int type; enum gdb_stop_kind kind; } w[] = {
		{ TRAP_WATCH_WRITE, GDB_STOP_WATCH },
		{ TRAP_WATCH_READ, GDB_STOP_RWATCH },
		{ TRAP_WATCH_ACCESS, GDB_STOP_AWATCH },
	};
	struct stop_view v;
	struct gdb_stop out;

	for (unsigned i = 0; i < 3; i++) {
		reset();
		st[0].reason = STOP_WATCH;
		st[0].seq = 1;
		st[0].watch_type = w[i].type;
		st[0].watch_addr = 0xffff888000001234ULL;
		v = view(1);
		CHECK_EQ(stops_classify(&v, pend, &out), 0);
		CHECK_EQ(out.kind, w[i].kind);
		CHECK_EQ(out.addr, 0xffff888000001234ULL);
	}
}

TEST(guest_ends_as_signals)
{
	static const struct { int status, sig; } e[] = {
		{ EXIT_POWEROFF, 32 }, { EXIT_RESET, 1 }, { EXIT_TRIPLE, 11 },
		{ EXIT_INTERNAL, 4 }, { EXIT_PANIC, 6 }, { 0x83, 15 },
	};
	struct stop_view v;
	struct gdb_stop out;

	for (unsigned i = 0; i < ARRAY_SIZE(e); i++) {
		reset();
		st[1].reason = STOP_GUEST_EXIT;
		st[1].seq = 1;
		st[1].guest_exit_status = e[i].status;
		v = view(2);
		CHECK_EQ(stops_classify(&v, pend, &out), 1);
		CHECK_EQ(out.kind, GDB_STOP_SIGNAL);
		CHECK_EQ(out.code, e[i].sig);
	}
}

TEST_MAIN()
