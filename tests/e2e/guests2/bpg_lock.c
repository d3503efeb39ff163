/*
 * bpg_lock.c -- mode=lock (two vCPUs or more): every vCPU adds 1 to two
 * counters, lk.xadd_ctr with `lock xadd` and lk.cas_ctr with a `lock
 * cmpxchg` loop, lock_n times each (default 1000000; "lockn=N" on the
 * command line), while the tests watch lk.guard, another word of the same
 * page: the page is then trapped and the counters live on it.  No update
 * may be lost: each counter must end at ncpus * lock_n.  Every 64 rounds
 * each also calls wpage_fn, whose code shares a page with wpage_var (the
 * tests watch it too: then vCPUs execute from a trapped page at once).
 *
 * When every vCPU is done the boot vCPU writes lk.guard = 0x600d (a stop
 * for `watch lk.guard`), prints "LOCK DONE ncpus=N n=N xadd=N cas=N" and
 * exits 0 if both counts are right, else 0x60 (0x61: wpage_fn went wrong).
 */
#include "console.h"
#include "report.h"
#include "string.h"

#include "bpg.h"

struct lockdata {
	volatile uint64_t xadd_ctr;		/* +0 */
	volatile uint64_t pad1[7];
	volatile uint64_t cas_ctr;		/* +64 */
	volatile uint64_t pad2[7];
	volatile uint64_t guard;		/* +128: the watched word */
} __attribute__((aligned(4096)));

struct lockdata lk __attribute__((section(".data.lk")));
volatile uint64_t lock_n = 1000000;
volatile uint32_t lock_done;		/* vCPUs finished */
volatile uint64_t lock_retries;		/* cmpxchg failures (contention seen) */
volatile uint64_t lock_bad_calls;	/* wrong results of wpage_fn */

static uint64_t parse_n(const char *c)
{
	for (; *c; c++) {
		uint64_t n = 0;

		if (strncmp(c, "lockn=", 6))
			continue;
		for (c += 6; *c >= '0' && *c <= '9'; c++)
			n = n * 10 + (uint64_t)(*c - '0');
		return n;
	}
	return 0;
}

void lock_setup(const char *cmdline)
{
	uint64_t n = parse_n(cmdline);

	if (n)
		lock_n = n;
}

/* The locked loops; every vCPU runs it once. */
void lock_work(void)
{
	uint64_t retries = 0, bad = 0;

	for (uint64_t i = 0; i < lock_n; i++) {
		uint64_t one = 1, old, want;

		if (!(i & 63) && wpage_fn(i) != i + 0x100)
			bad++;

		__asm__ volatile("lock xaddq %0, %1" : "+r"(one), "+m"(lk.xadd_ctr) : : "memory");
		old = lk.cas_ctr;
		for (;;) {
			uint64_t seen = old;

			want = old + 1;
			__asm__ volatile("lock cmpxchgq %2, %1"
					 : "+a"(seen), "+m"(lk.cas_ctr) : "r"(want) : "memory");
			if (seen == old)
				break;
			old = seen;
			retries++;
		}
	}
	__atomic_fetch_add(&lock_retries, retries, __ATOMIC_SEQ_CST);
	__atomic_fetch_add(&lock_bad_calls, bad, __ATOMIC_SEQ_CST);
	__atomic_fetch_add(&lock_done, 1, __ATOMIC_SEQ_CST);
}

int lock_main(int ncpus)
{
	uint64_t want;

	lock_work();
	while (lock_done < (uint32_t)ncpus)
		__asm__ volatile("pause");
	want = (uint64_t)ncpus * lock_n;
	lk.guard = 0x600d;
	gprintf("LOCK DONE ncpus=%d n=%lu xadd=%lu cas=%lu retries=%lu\n", ncpus,
		(unsigned long)lock_n, (unsigned long)lk.xadd_ctr, (unsigned long)lk.cas_ctr,
		(unsigned long)lock_retries);
	CHECK(0x61, !lock_bad_calls, "wpage_fn gave a wrong result %lu times",
	      (unsigned long)lock_bad_calls);
	CHECK(0x60, lk.xadd_ctr == want && lk.cas_ctr == want,
	      "lost updates: xadd %lu, cmpxchg %lu, want %lu each", (unsigned long)lk.xadd_ctr,
	      (unsigned long)lk.cas_ctr, (unsigned long)want);
	return 0;
}
