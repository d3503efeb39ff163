/*
 * test_trap_page.c -- watchpoints by trapped pages, on a RAM buffer with a
 * fake slot layout: which pages are trapped and how (overlap rules), access
 * completion on RAM, hits by kind and address, removal, a failing re-layout;
 * with more than one vCPU, every access trapped and a locked read-modify-write
 * completed without another vCPU's write in between (two threads).
 */
#include <pthread.h>
#include <stdlib.h>
#include <unistd.h>

#include <errno.h>

#include "test.h"
#include "core/gmem.h"
#include "core/trap_page.h"

#define RAM	(1 << 20)

static struct gmem mem;
static uint8_t *ram;
static struct trap_page tp;

/* The last layout asked for. */
static uint64_t lay_pages[64];
static enum ram_trap lay_traps[64];
static int lay_n, lay_calls, lay_fail;

static int fake_layout(void *opaque, const uint64_t *pages, const enum ram_trap *traps, int n)
{
	lay_calls++;
	if (lay_fail)
		return -ENOSPC;
	lay_n = n;
	if (n) {
		memcpy(lay_pages, pages, sizeof(*pages) * (size_t)n);
		memcpy(lay_traps, traps, sizeof(*traps) * (size_t)n);
	}
	return 0;
}

static void up(void)
{
	ram = calloc(1, RAM);
	gmem_init(&mem, ram, RAM);
	trap_page_init(&tp, &mem, fake_layout, NULL);
	lay_n = lay_calls = lay_fail = 0;
}

static void down(void)
{
	trap_page_destroy(&tp);
	free(ram);
}

static int add(enum trap_watch_type type, uint64_t va, uint64_t gpa, uint64_t len)
{
	struct trap_piece p = { gpa, len, 0 };

	return trap_page_add(&tp, type, va, len, &p, 1);
}

TEST(write_watch_traps_its_page_read_only)
{
	up();
	CHECK_EQ(add(TRAP_WATCH_WRITE, 0xffff0010, 0x5010, 8), 0);
	CHECK_EQ(lay_n, 1);
	CHECK_EQ(lay_pages[0], 0x5000);
	CHECK_EQ(lay_traps[0], RAM_TRAP_WRITE);
	CHECK(!trap_page_hidden(&tp, 0x5010));		/* still mapped, read-only */
	down();
}

TEST(read_watch_hides_the_page_and_wins_on_overlap)
{
	up();
	CHECK_EQ(add(TRAP_WATCH_WRITE, 0x5010, 0x5010, 8), 0);
	CHECK_EQ(add(TRAP_WATCH_READ, 0x5800, 0x5800, 4), 0);	/* the same page */
	CHECK_EQ(lay_n, 1);					/* deduplicated */
	CHECK_EQ(lay_traps[0], RAM_TRAP_ALL);
	CHECK(trap_page_hidden(&tp, 0x5fff));
	CHECK(!trap_page_hidden(&tp, 0x6000));
	CHECK_EQ(trap_page_del(&tp, TRAP_WATCH_READ, 0x5800, 4), 0);
	CHECK_EQ(lay_n, 1);
	CHECK_EQ(lay_traps[0], RAM_TRAP_WRITE);		/* back to write-only trapping */
	down();
}

TEST(range_across_pages_traps_both_sorted)
{
	up();
	CHECK_EQ(add(TRAP_WATCH_ACCESS, 0x9ffc, 0x9ffc, 8), 0);
	CHECK_EQ(add(TRAP_WATCH_WRITE, 0x3000, 0x3000, 1), 0);
	CHECK_EQ(lay_n, 3);
	CHECK_EQ(lay_pages[0], 0x3000);
	CHECK_EQ(lay_pages[1], 0x9000);
	CHECK_EQ(lay_pages[2], 0xa000);
	CHECK_EQ(lay_traps[1], RAM_TRAP_ALL);
	down();
}

TEST(access_completion_and_hits)
{
	struct trap_hit hit;
	uint8_t d[8];

	up();
	CHECK_EQ(add(TRAP_WATCH_WRITE, 0xffff0010, 0x5010, 8), 0);
	/* a write to another byte of the trapped page: completed, no hit */
	memcpy(d, "\x01\x02\x03\x04", 4);
	CHECK(trap_page_access(&tp, 0x5100, d, 4, true, &hit));
	CHECK_EQ(hit.type, 0);
	CHECK(!memcmp(ram + 0x5100, "\x01\x02\x03\x04", 4));
	/* a read of the watched bytes: completed from RAM, no hit (write watch) */
	ram[0x5012] = 0x77;
	memset(d, 0, sizeof(d));
	CHECK(trap_page_access(&tp, 0x5010, d, 8, false, &hit));
	CHECK_EQ(hit.type, 0);
	CHECK_EQ(d[2], 0x77);
	/* a write overlapping the last watched byte: a hit at its virtual address */
	memset(d, 0xab, sizeof(d));
	CHECK(trap_page_access(&tp, 0x5016, d, 4, true, &hit));
	CHECK_EQ(hit.type, TRAP_WATCH_WRITE);
	CHECK_EQ(hit.addr, 0xffff0016);
	CHECK_EQ(ram[0x5019], 0xab);		/* and the write was done */
	/* a write just past the range: no hit */
	CHECK(trap_page_access(&tp, 0x5018, d, 4, true, &hit));
	CHECK_EQ(hit.type, 0);
	/* not a trapped page: not ours */
	CHECK(!trap_page_access(&tp, 0x6000, d, 4, true, &hit));
	down();
}

TEST(kinds_match_directions)
{
	struct trap_hit hit;
	uint8_t d[4] = { 0 };

	up();
	CHECK_EQ(add(TRAP_WATCH_READ, 0x7000, 0x7000, 4), 0);
	CHECK(trap_page_access(&tp, 0x7000, d, 4, true, &hit));
	CHECK_EQ(hit.type, 0);			/* a write is no read */
	CHECK(trap_page_access(&tp, 0x7002, d, 1, false, &hit));
	CHECK_EQ(hit.type, TRAP_WATCH_READ);
	CHECK_EQ(hit.addr, 0x7002);
	CHECK_EQ(add(TRAP_WATCH_ACCESS, 0x8000, 0x8000, 4), 0);
	CHECK(trap_page_access(&tp, 0x8000, d, 4, true, &hit));
	CHECK_EQ(hit.type, TRAP_WATCH_ACCESS);
	CHECK(trap_page_access(&tp, 0x8000, d, 4, false, &hit));
	CHECK_EQ(hit.type, TRAP_WATCH_ACCESS);
	down();
}

TEST(exec_breakpoint_hides_its_page_and_sees_no_data)
{
	struct trap_hit hit;
	uint8_t d[4] = { 0x11, 0x22, 0x33, 0x44 };

	up();
	CHECK_EQ(add(TRAP_WATCH_EXEC, 0xffffffff80005123ULL, 0x5123, 1), 0);
	CHECK_EQ(lay_n, 1);
	CHECK_EQ(lay_pages[0], 0x5000);
	CHECK_EQ(lay_traps[0], RAM_TRAP_ALL);		/* hidden: fetches exit */
	CHECK(trap_page_hidden(&tp, 0x5000));
	/* data at the breakpoint's very byte: completed on RAM, never a hit */
	CHECK(trap_page_access(&tp, 0x5122, d, 4, true, &hit));
	CHECK_EQ(hit.type, 0);
	CHECK(!memcmp(ram + 0x5122, d, 4));
	memset(d, 0, sizeof(d));
	CHECK(trap_page_access(&tp, 0x5123, d, 1, false, &hit));
	CHECK_EQ(hit.type, 0);
	CHECK_EQ(d[0], 0x22);
	/* only a fetch at exactly its address is a hit */
	CHECK(trap_page_exec_at(&tp, 0x5123));
	CHECK(!trap_page_exec_at(&tp, 0x5122));
	CHECK(!trap_page_exec_at(&tp, 0x5124));
	CHECK(!trap_page_exec_at(&tp, 0x6123));
	CHECK(trap_page_exec_in(&tp, 0x5000));		/* its page */
	CHECK(trap_page_exec_in(&tp, 0x5fff));
	CHECK(!trap_page_exec_in(&tp, 0x6000));
	down();
}

TEST(exec_breakpoint_beside_watchpoints)
{
	struct trap_hit hit;
	uint8_t d[4] = { 0 };

	up();
	CHECK_EQ(add(TRAP_WATCH_WRITE, 0x5800, 0x5800, 4), 0);
	CHECK_EQ(add(TRAP_WATCH_EXEC, 0x5010, 0x5010, 1), 0);
	CHECK_EQ(lay_traps[0], RAM_TRAP_ALL);		/* the breakpoint wins: hidden */
	CHECK(trap_page_access(&tp, 0x5800, d, 4, true, &hit));
	CHECK_EQ(hit.type, TRAP_WATCH_WRITE);		/* the watchpoint still reports */
	CHECK(!trap_page_exec_at(&tp, 0x5800));		/* and is no breakpoint */
	CHECK(!trap_page_exec_in(&tp, 0x9800));
	/* detach-style: data watchpoints go, the breakpoint stays */
	trap_page_clear_data(&tp);
	CHECK_EQ(lay_n, 1);
	CHECK_EQ(lay_traps[0], RAM_TRAP_ALL);
	CHECK(trap_page_exec_at(&tp, 0x5010));
	CHECK(trap_page_access(&tp, 0x5800, d, 4, true, &hit));
	CHECK_EQ(hit.type, 0);
	CHECK_EQ(trap_page_del(&tp, TRAP_WATCH_EXEC, 0x5010, 1), 0);
	CHECK_EQ(lay_n, 0);				/* the page is back */
	CHECK(!trap_page_hidden(&tp, 0x5010));
	CHECK(!trap_page_exec_at(&tp, 0x5010));
	down();
}

TEST(exec_breakpoint_lifted_for_a_step)
{
	up();
	CHECK_EQ(add(TRAP_WATCH_EXEC, 0x5010, 0x5010, 1), 0);
	CHECK_EQ(add(TRAP_WATCH_EXEC, 0x5020, 0x5020, 1), 0);
	trap_page_lift(&tp, 0x5010);
	CHECK(!trap_page_exec_at(&tp, 0x5010));	/* no hit while lifted */
	CHECK(trap_page_exec_at(&tp, 0x5020));		/* the other one still is */
	CHECK(trap_page_hidden(&tp, 0x5010));		/* and the page stays hidden */
	trap_page_rearm(&tp);
	CHECK(trap_page_exec_at(&tp, 0x5010));
	/* two at one address (a Z0 and a Z1): one removal leaves the other */
	CHECK_EQ(add(TRAP_WATCH_EXEC, 0x5010, 0x5010, 1), 0);
	CHECK_EQ(trap_page_del(&tp, TRAP_WATCH_EXEC, 0x5010, 1), 0);
	CHECK(trap_page_exec_at(&tp, 0x5010));
	down();
}

TEST(pieces_map_back_to_virtual_addresses)
{
	/* 8 bytes at va 0x10ffc, split over two non-contiguous physical pages */
	struct trap_piece p[2] = { { 0x20ffc, 4, 0 }, { 0x40000, 4, 4 } };
	struct trap_hit hit;
	uint8_t d[2] = { 0 };

	up();
	CHECK_EQ(trap_page_add(&tp, TRAP_WATCH_WRITE, 0x10ffc, 8, p, 2), 0);
	CHECK_EQ(lay_n, 2);
	CHECK(trap_page_access(&tp, 0x40001, d, 2, true, &hit));
	CHECK_EQ(hit.type, TRAP_WATCH_WRITE);
	CHECK_EQ(hit.addr, 0x10ffc + 4 + 1);
	down();
}

TEST(bad_arguments)
{
	struct trap_piece p = { RAM - 2, 4, 0 };

	up();
	CHECK_EQ(trap_page_add(&tp, TRAP_WATCH_WRITE, 0, 4, &p, 1), -EFAULT);	/* past RAM */
	CHECK_EQ(trap_page_add(&tp, TRAP_WATCH_WRITE, 0, 0, &p, 1), -EINVAL);
	CHECK_EQ(trap_page_add(&tp, TRAP_WATCH_WRITE, 0, 4, &p, 0), -EINVAL);
	CHECK_EQ(trap_page_add(&tp, TRAP_WATCH_WRITE, 0, 4, &p, TRAP_PAGE_MAX_PIECES + 1),
		 -EINVAL);
	CHECK_EQ(trap_page_add(&tp, (enum trap_watch_type)0, 0, 4, &p, 1), -EINVAL);
	CHECK_EQ(lay_calls, 0);
	CHECK_EQ(trap_page_del(&tp, TRAP_WATCH_WRITE, 0, 4), -ENOENT);
	down();
}

TEST(failed_relayout_changes_nothing)
{
	struct trap_hit hit;
	uint8_t d[4] = { 0 };

	up();
	CHECK_EQ(add(TRAP_WATCH_WRITE, 0x5000, 0x5000, 4), 0);
	lay_fail = 1;
	CHECK_EQ(add(TRAP_WATCH_WRITE, 0x9000, 0x9000, 4), -ENOSPC);
	lay_fail = 0;
	CHECK(!trap_page_access(&tp, 0x9000, d, 4, true, &hit));	/* not trapped */
	CHECK_EQ(trap_page_del(&tp, TRAP_WATCH_WRITE, 0x9000, 4), -ENOENT);
	down();
}

TEST(clear_untraps_everything)
{
	struct trap_hit hit;
	uint8_t d[4] = { 0 };

	up();
	CHECK_EQ(add(TRAP_WATCH_WRITE, 0x5000, 0x5000, 4), 0);
	CHECK_EQ(add(TRAP_WATCH_READ, 0x9000, 0x9000, 4), 0);
	trap_page_clear(&tp);
	CHECK_EQ(lay_n, 0);
	CHECK(!trap_page_access(&tp, 0x5000, d, 4, true, &hit));
	CHECK(!trap_page_hidden(&tp, 0x9000));
	down();
}

/* ---- serialised: more than one vCPU ---- */

static int kicks[4];

static void fake_kick(void *opaque, int cpu)
{
	__atomic_fetch_add(&kicks[cpu], 1, __ATOMIC_SEQ_CST);
}

static void up_smp(void)
{
	up();
	memset(kicks, 0, sizeof(kicks));
	trap_page_serialise(&tp, fake_kick, NULL);
}

TEST(serialised_write_watch_traps_every_access)
{
	up_smp();
	CHECK_EQ(add(TRAP_WATCH_WRITE, 0x5010, 0x5010, 8), 0);
	CHECK_EQ(lay_n, 1);
	CHECK_EQ(lay_traps[0], RAM_TRAP_ALL);	/* KVM must not read it behind our back */
	CHECK(trap_page_trapped(&tp, 0x5ff8));
	CHECK(!trap_page_trapped(&tp, 0x6000));
	down();
}

struct writer {
	int cpu;
	uint64_t gpa;
	uint32_t val;
	volatile int done;
};

static void *write_thread(void *arg)
{
	struct writer *w = arg;
	struct trap_hit hit;

	trap_page_access_by(&tp, w->cpu, false, w->gpa, (uint8_t *)&w->val, 4, true, &hit);
	w->done = 1;
	return NULL;
}

/* vCPU 0's lock xadd on the page: its read, then (later) its write of read + 1. */
TEST(serialised_rmw_holds_other_writes_back)
{
	struct writer w = { 1, 0x5100, 0x1000, 0 };
	struct trap_hit hit;
	pthread_t th;
	uint32_t v;

	up_smp();
	CHECK_EQ(add(TRAP_WATCH_WRITE, 0x5010, 0x5010, 8), 0);
	memcpy(ram + 0x5100, &(uint32_t){ 41 }, 4);
	CHECK(trap_page_access_by(&tp, 0, true, 0x5100, (uint8_t *)&v, 4, false, &hit));
	CHECK_EQ(v, 41);
	CHECK_EQ(tp.rmw_owner, 0);
	/* vCPU 1 writes the same word meanwhile: it must wait for vCPU 0's write */
	pthread_create(&th, NULL, write_thread, &w);
	usleep(20000);
	CHECK(!w.done);
	CHECK(kicks[0] >= 1);			/* vCPU 0 was nudged to finish */
	/* a plain read by vCPU 2 does not wait: it sees the value before the RMW */
	CHECK(trap_page_access_by(&tp, 2, false, 0x5100, (uint8_t *)&v, 4, false, &hit));
	CHECK_EQ(v, 41);
	v = 42;
	CHECK(trap_page_access_by(&tp, 0, false, 0x5100, (uint8_t *)&v, 4, true, &hit));
	CHECK_EQ(tp.rmw_owner, -1);
	pthread_join(th, NULL);
	CHECK(w.done);
	memcpy(&v, ram + 0x5100, 4);
	CHECK_EQ(v, 0x1000);			/* vCPU 1's write came after, not before */
	down();
}

/* cmpxchg16b's way: two 8-byte reads, then two 8-byte writes; the turn lasts until both. */
TEST(serialised_rmw_in_pieces)
{
	struct trap_hit hit;
	uint64_t d = 0;

	up_smp();
	CHECK_EQ(add(TRAP_WATCH_ACCESS, 0x5010, 0x5010, 8), 0);
	CHECK(trap_page_access_by(&tp, 1, true, 0x5200, (uint8_t *)&d, 8, false, &hit));
	CHECK(trap_page_access_by(&tp, 1, false, 0x5208, (uint8_t *)&d, 8, false, &hit));
	CHECK(trap_page_access_by(&tp, 1, false, 0x5200, (uint8_t *)&d, 8, true, &hit));
	CHECK_EQ(tp.rmw_owner, 1);
	CHECK(trap_page_access_by(&tp, 1, false, 0x5208, (uint8_t *)&d, 8, true, &hit));
	CHECK_EQ(tp.rmw_owner, -1);
	down();
}

/* The write never came (the instruction faulted): the vCPU's next other exit ends the turn. */
TEST(serialised_rmw_ended_by_another_exit)
{
	struct trap_hit hit;
	uint32_t v;

	up_smp();
	CHECK_EQ(add(TRAP_WATCH_WRITE, 0x5010, 0x5010, 8), 0);
	CHECK(trap_page_access_by(&tp, 3, true, 0x5300, (uint8_t *)&v, 4, false, &hit));
	trap_page_rmw_end(&tp, 2);		/* someone else's exit: no effect */
	CHECK_EQ(tp.rmw_owner, 3);
	trap_page_rmw_end(&tp, 3);
	CHECK_EQ(tp.rmw_owner, -1);
	v = 7;
	CHECK(trap_page_access_by(&tp, 1, false, 0x5300, (uint8_t *)&v, 4, true, &hit));
	CHECK_EQ(kicks[3], 0);
	down();
}

/* One vCPU: nothing to serialise, and the read-only slot stays. */
TEST(single_vcpu_keeps_read_only_slot)
{
	struct trap_hit hit;
	uint32_t v;

	up();
	CHECK_EQ(add(TRAP_WATCH_WRITE, 0x5010, 0x5010, 8), 0);
	CHECK_EQ(lay_traps[0], RAM_TRAP_WRITE);
	CHECK(trap_page_access_by(&tp, 0, true, 0x5300, (uint8_t *)&v, 4, false, &hit));
	CHECK_EQ(tp.rmw_owner, -1);
	down();
}

TEST_MAIN()
