/*
 * trap_swbp.h -- mechanism: software breakpoints by guest-physical address
 * (the same instruction under any mapping).  Inserting one writes the
 * arch's breakpoint byte (ARCH_SWBP_BYTE) over guest RAM and saves the
 * original; debugger reads see the originals and debugger writes over a
 * breakpoint update the saved byte.  Which addresses get breakpoints, and
 * what a hit means, is the debugger's policy (debug/breakpoints.c,
 * debug/stops.c).  One table per VM (vm->swbp); thread-safe: the event
 * thread edits, vCPU threads look up.
 */
#ifndef HYVE_TRAP_SWBP_H
#define HYVE_TRAP_SWBP_H

#include <pthread.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

struct gmem;
struct swbp;

struct trap_swbp {
	const struct gmem *mem;		/* the RAM the bytes live in (constant) */
	pthread_mutex_t lock;		/* guards the table below */
	struct swbp *bps;
	int n, cap;
};

void trap_swbp_init(struct trap_swbp *t, const struct gmem *mem);
/* Free the table (the bytes in RAM are left as they are). */
void trap_swbp_destroy(struct trap_swbp *t);

/* 0, -EFAULT (not guest RAM), -ENOMEM.  Inserting twice counts twice. */
int trap_swbp_insert(struct trap_swbp *t, uint64_t gpa);
/* 0 or -ENOENT. */
int trap_swbp_remove(struct trap_swbp *t, uint64_t gpa);
/* Restore every original byte and forget every breakpoint (detach, kill). */
void trap_swbp_remove_all(struct trap_swbp *t);
/* Put the original byte back at gpa for a moment (trap_swbp_rearm restores it). */
void trap_swbp_lift(struct trap_swbp *t, uint64_t gpa);
/* RAM changed under the breakpoints (a lift, a reset): save the bytes found
 * there now where ours is missing, and put ours back. */
void trap_swbp_rearm(struct trap_swbp *t);
/* Is there one of our breakpoints in [gpa, gpa+len)? */
bool trap_swbp_any(struct trap_swbp *t, uint64_t gpa, size_t len);
/* Is there one of our breakpoints at gpa? */
bool trap_swbp_at(struct trap_swbp *t, uint64_t gpa);
/* Replace our breakpoint bytes in a buffer read from [gpa, gpa+len) with the originals. */
void trap_swbp_shadow(struct trap_swbp *t, uint64_t gpa, uint8_t *buf, size_t len);
/*
 * The debugger wrote [gpa, gpa+len) (buf holds what it wrote): bytes under
 * breakpoints become the new saved originals and ours goes back in RAM.
 */
void trap_swbp_write_through(struct trap_swbp *t, uint64_t gpa, const uint8_t *buf, size_t len);

#endif
