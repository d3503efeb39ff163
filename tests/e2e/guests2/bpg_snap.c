/*
 * bpg_snap.c -- mode=snap: a guest whose every step follows from its state
 * alone, for the snapshot and reverse-execution tests.  Each round rewrites
 * all of snap_buf (256 pages) from the round number and the last hash,
 * hashes it (FNV-1a), prints "SNAP round N hash H", publishes the round in
 * snap_pg.round (a page of its own: a place for `watch snap_pg.round`) and waits a fixed number of
 * iterations.  No interrupts, no timers, no pause: put back to a snapshot,
 * it prints the same lines again.
 */
#include "console.h"

#include "bpg.h"

#define SNAP_WORDS	(256 * 4096 / 8)

uint64_t snap_buf[SNAP_WORDS] __attribute__((aligned(4096)));
/* a page of its own: a watchpoint on it traps nothing else the guest writes */
struct snap_page {
	volatile uint64_t round;
	uint8_t pad[4096 - 8];
};
struct snap_page snap_pg __attribute__((aligned(4096)));
#define snap_round snap_pg.round
volatile uint64_t snap_hash;
volatile uint64_t snap_spin;

static uint64_t round_hash(uint64_t r, uint64_t h)
{
	uint64_t x = h ^ (r * 0x9e3779b97f4a7c15ULL);

	for (unsigned i = 0; i < SNAP_WORDS; i++) {
		x ^= x << 13;
		x ^= x >> 7;
		x ^= x << 17;
		snap_buf[i] = x + i;
	}
	h = 0xcbf29ce484222325ULL;
	for (unsigned i = 0; i < SNAP_WORDS; i++) {
		h ^= snap_buf[i];
		h *= 0x100000001b3ULL;
	}
	return h;
}

NOINLINE void snap_pace(void)
{
	for (snap_spin = 0; snap_spin < 200000; snap_spin++)
		;
}

int snap_main(void)
{
	uint64_t h = 0;

	gprintf("SNAP READY\n");
	for (uint64_t r = 1;; r++) {
		h = round_hash(r, h);
		snap_hash = h;
		gprintf("SNAP round %lu hash 0x%016lx\n", (unsigned long)r, (unsigned long)h);
		snap_round = r;
		snap_pace();
	}
}
