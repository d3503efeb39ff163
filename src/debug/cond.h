/*
 * cond.h -- policy: the conditions and commands gdb attached to breakpoints
 * and watchpoints (Z packets' ";X" and ";cmds:" lists, gdb/ax.h), and their
 * verdict at a hit.  The table is edited by the event thread (Z, z, detach)
 * and read by the vCPU threads, which evaluate at their own hits without
 * stopping the machine (debug/cond_hit.c): its own rwlock, so that vCPUs
 * evaluate side by side.  Pure: the machine is reached through the ax_env
 * the caller passes, so tests/unit/test_cond.c drives it on buffers.
 */
#ifndef HYVE_DEBUG_COND_H
#define HYVE_DEBUG_COND_H

#include <pthread.h>
#include <stdbool.h>
#include <stdint.h>

#include "gdb/ax.h"
#include "gdb/target.h"

struct rsp_buf;

/* One breakpoint's lists. */
struct cond_bp {
	enum gdb_bp_type type;
	uint64_t addr;		/* breakpoints: the pc; watchpoints: the first byte */
	uint64_t len;		/* watchpoints: bytes watched; breakpoints: gdb's kind */
	bool phys;		/* its memory reads take guest-physical addresses */
	struct ax_bp_opts o;
	uint64_t hits, stops;	/* atomic: hits evaluated, and of them reported */
};

struct cond_table {
	/* Guards everything below but count: written by the event thread,
	 * read (for whole evaluations) by vCPU threads. */
	pthread_rwlock_t lock;
	struct cond_bp *bps;
	int n, cap;
	int count;		/* n, atomic: a hit with nothing to evaluate takes no lock */
	/*
	 * Atomic totals since start-up: gdb removes its breakpoints at every
	 * stop and inserts them again when it resumes, so the entries' own
	 * counters last one resume only.
	 */
	uint64_t hits, stops, runs;	/* hits evaluated, reported, commands run */
};

void cond_init(struct cond_table *ct);
void cond_destroy(struct cond_table *ct);

/*
 * Give (type, addr) these lists, replacing what it had; empty lists remove
 * its entry.  Takes the expressions (*o is left empty).  0 or -ENOMEM.
 */
int cond_set(struct cond_table *ct, enum gdb_bp_type type, uint64_t addr, uint64_t len,
	     bool phys, struct ax_bp_opts *o);
/* The breakpoint is gone: forget its lists (if it had any).  (len: watchpoints only) */
void cond_del(struct cond_table *ct, enum gdb_bp_type type, uint64_t addr, uint64_t len);
/*
 * Forget every entry, or with keep_persistent all but those gdb asked to
 * outlive it (commands with persist set: dprintf after a detach).
 */
void cond_clear(struct cond_table *ct, bool keep_persistent);
/* Does (type, addr) stay armed after the debugger leaves (see cond_clear)? */
bool cond_persistent(struct cond_table *ct, enum gdb_bp_type type, uint64_t addr);
/* Lock-free: is there anything to evaluate at all? */
bool cond_any(struct cond_table *ct);

/* A hit, as the vCPU met it. */
struct cond_hit {
	bool watch;			/* a watchpoint, else an instruction breakpoint */
	enum gdb_bp_type wtype;		/* watch: GDB_WP_WRITE / READ / ACCESS */
	uint64_t addr;			/* breakpoint: the pc; watch: the data address */
};

enum cond_verdict {
	COND_NONE,	/* no lists for this hit: stop, as without conditions */
	COND_STOP,	/* report it: a condition held (or failed) and no commands */
	COND_GO,	/* go on: every condition false, or the commands ran */
};

/*
 * Evaluate the hit: each matching entry's conditions (ORed; an error or a
 * fault counts as true), then, if they held, its commands (their output
 * through env->output; a failing command is reported there too, and the
 * hit still goes on).  The hit is reported if any matching entry says
 * stop.  *phys (if not NULL) is set to each entry's addressing before its
 * expressions run.  On a vCPU thread; takes the read lock.
 */
enum cond_verdict cond_eval(struct cond_table *ct, const struct cond_hit *h,
			    const struct ax_env *env, bool *phys);

/* One line per entry and the totals (`monitor conds`). */
void cond_list(struct cond_table *ct, struct rsp_buf *out);

#endif
