/*
 * bpg_watch.c -- mode=watch: a fixed sequence of memory accesses for the
 * watchpoint tests.  `wphase` says which step runs (the tests compare it
 * at each stop); the sequence does not depend on which watchpoints are set.
 *
 *   1  wd.rvar = 0x11           a write (rwatch must not stop)
 *   2  read wd.rvar             (rwatch stops; awatch would too)
 *   3  wd.avar = 0x22           (awatch stops)
 *   4  read wd.avar             (awatch stops)
 *   5  wd.wvar = 0x33           (watch stops)
 *   6  read wd.wvar             (watch must not stop)
 *   7  wd.big.b[63] = 0x77      last byte of a 64-byte struct
 *   8  wd.big.b[0] = 0x78       its first byte
 *   9  wd.ten[i] = 0x100 + i    for i = 0..9, one write each
 *  10  neighbours: the same mix of accesses (1-8 byte moves, read-modify-
 *      write, locked, string, unaligned) on nbuf (a page of its own whose
 *      words 100, 200, 300 the tests watch, never touched here) and on an
 *      untrapped mirror; nb_ok = 1 if both came out the same
 *  11  fetched = wpage_fn(5): code in the page of wpage_var; then
 *      wpage_var = fetched (0x105)
 *  12  watch_end(); exit 0 if every check passed
 */
#include "boot.h"
#include "console.h"
#include "report.h"
#include "string.h"

#include "bpg.h"

struct wdata {
	volatile uint64_t rvar;			/* +0 */
	volatile uint64_t avar;			/* +8 */
	volatile uint64_t wvar;			/* +16 */
	uint64_t pad[5];
	struct { volatile uint8_t b[64]; } big;	/* +64 */
	volatile uint64_t ten[10];		/* +128 */
} __attribute__((aligned(4096)));		/* a whole page */

/* Each in a page of its own: the tests know exactly which pages get trapped. */
struct wdata wd __attribute__((section(".data.wd")));
uint64_t nbuf[512] __attribute__((aligned(4096), section(".data.nbuf")));
static uint64_t mirror[512] __attribute__((aligned(4096)));
volatile int wphase;
volatile uint64_t wtmp;
volatile int nb_ok;
volatile uint64_t fetched;

NOINLINE void watch_end(void)
{
	__asm__ volatile("" : : : "memory");
}

static int watched_index(int i)
{
	return i == 100 || i == 200 || i == 300;
}

/* The neighbour accesses, the same on any buffer laid out like nbuf. */
NOINLINE static uint64_t nb_ops(uint64_t *a)
{
	uint8_t *b = (uint8_t *)a;
	uint64_t sum = 0, t;

	for (int i = 0; i < 512; i++)
		if (!watched_index(i))
			a[i] = (uint64_t)i * 0x0101010101ULL ^ 0x5a5a;
	/* the bytes right next to the watched words */
	__asm__ volatile("movb $0xab, %0" : "=m"(b[8 * 100 - 1]));
	__asm__ volatile("movb $0xcd, %0" : "=m"(b[8 * 101]));
	__asm__ volatile("movw $0x1234, %0" : "=m"(*(uint16_t *)&b[8 * 199 + 6]));
	__asm__ volatile("movl $0x89abcdef, %0" : "=m"(*(uint32_t *)&b[8 * 201]));
	/* reads of every kind, summed */
	for (int i = 0; i < 512; i++)
		if (!watched_index(i))
			sum += a[i];
	sum += b[8 * 100 - 1] + *(volatile uint16_t *)&b[8 * 199 + 6] +
	       *(volatile uint32_t *)&b[8 * 201 + 1];
	/* read-modify-write, locked and not */
	t = 5;
	__asm__ volatile("lock xaddq %0, %1" : "+r"(t), "+m"(a[10]));
	sum += t;
	t = 0x77;
	__asm__ volatile("xchgq %0, %1" : "+r"(t), "+m"(a[11]));
	sum += t;
	{
		uint64_t expect = a[12], desired = 0xc0ffee;

		__asm__ volatile("lock cmpxchgq %2, %1" : "+a"(expect), "+m"(a[12]) : "r"(desired));
		sum += expect;
	}
	__asm__ volatile("lock orq $0xf0, %0" : "+m"(a[13]));
	__asm__ volatile("incq %0" : "+m"(a[14]));
	__asm__ volatile("btsq $63, %0" : "+m"(a[15]));
	__asm__ volatile("addq %1, %0" : "+m"(a[16]) : "r"(sum));
	__asm__ volatile("notb %0" : "+m"(b[8 * 17 + 3]));
	/* string moves inside the page and a store of a repeated value */
	{
		uint64_t *src = &a[20], *dst = &a[400];
		uint64_t n = 32;

		__asm__ volatile("cld; rep movsq" : "+S"(src), "+D"(dst), "+c"(n) : : "memory");
	}
	{
		uint64_t *dst = &a[440];
		uint64_t n = 20, v = 0x5a5a5a5a5a5a5a5aULL;

		__asm__ volatile("cld; rep stosq" : "+D"(dst), "+c"(n) : "a"(v) : "memory");
	}
	{
		uint8_t *src = &b[8 * 60 + 1], *dst = &b[8 * 470 + 3];
		uint64_t n = 50;

		__asm__ volatile("cld; rep movsb" : "+S"(src), "+D"(dst), "+c"(n) : : "memory");
	}
	/* unaligned 8-byte accesses that stay clear of the watched words */
	*(volatile uint64_t *)&b[8 * 50 + 3] ^= 0x1122334455667788ULL;
	sum += *(volatile uint64_t *)&b[8 * 150 + 5];
	return sum;
}

static int neighbours(void)
{
	uint64_t s1, s2;
	int ok = 1;

	s1 = nb_ops(nbuf);
	s2 = nb_ops(mirror);
	if (s1 != s2) {
		gprintf("neighbours: sums differ: trapped 0x%lx, mirror 0x%lx\n",
			(unsigned long)s1, (unsigned long)s2);
		ok = 0;
	}
	for (int i = 0; i < 512; i++) {
		if (watched_index(i) || nbuf[i] == mirror[i])
			continue;
		if (ok)
			gprintf("neighbours: word %d is 0x%lx, mirror 0x%lx\n", i,
				(unsigned long)nbuf[i], (unsigned long)mirror[i]);
		ok = 0;
	}
	return ok;
}

int watch_main(void)
{
	uint64_t t = 0;
	int ok = 1;

	wphase = 1;
	wd.rvar = 0x11;
	wphase = 2;
	t += wd.rvar;
	wphase = 3;
	wd.avar = 0x22;
	wphase = 4;
	t += wd.avar;
	wphase = 5;
	wd.wvar = 0x33;
	wphase = 6;
	t += wd.wvar;
	wphase = 7;
	wd.big.b[63] = 0x77;
	wphase = 8;
	wd.big.b[0] = 0x78;
	wphase = 9;
	for (int i = 0; i < 10; i++)
		wd.ten[i] = 0x100 + (uint64_t)i;
	wtmp = t;
	wphase = 10;
	nb_ok = neighbours();
	wphase = 11;
	fetched = wpage_fn(5);
	wpage_var = fetched;
	wphase = 12;
	watch_end();
	if (t != 0x66) {
		gprintf("watch: the reads gave 0x%lx, want 0x66\n", (unsigned long)t);
		ok = 0;
	}
	if (fetched != 0x105) {
		gprintf("watch: wpage_fn(5) gave 0x%lx, want 0x105\n", (unsigned long)fetched);
		ok = 0;
	}
	gprintf("WATCH DONE nb_ok=%d reads=0x%lx fetched=0x%lx\n", nb_ok, (unsigned long)t,
		(unsigned long)fetched);
	CHECK(0x40, ok && nb_ok, "watch sequence failed");
	return 0;
}
