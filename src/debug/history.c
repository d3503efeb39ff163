/*
 * history.c -- reverse execution: the machine as it was each time the
 * debugger let it run, and going back to one of those moments.
 *
 * While a debugger is attached, every resume first takes an incremental
 * snapshot (core/snapshot.h: every vCPU's and device's state, and the RAM
 * pages written since the previous one).  `bs` puts the machine back as it
 * was before the last step or continue; `bc` walks back through the
 * entries to the latest one from which the debugger's breakpoints or
 * watchpoints, as inserted now, would have stopped the machine -- a vCPU's
 * pc at a breakpoint there, or watched bytes that changed during the run
 * that followed -- and puts the machine back there; with none, to the
 * oldest entry, reported as the start of the replay log.  So reverse
 * execution moves from stop to stop, not by instructions inside a
 * continue: doc/debugging.md says what that means for gdb's reverse
 * commands.  The oldest entries go first when the copies of RAM pass the
 * limit; without a debugger nothing is recorded.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "config.h"
#include "core/snapshot.h"
#include "debug/dbg.h"
#include "util.h"

static uint64_t limit_pages(const struct dtarget *t)
{
	return t->hist.limit / RAMIMG_PAGE;
}

/* Drop the oldest entry: the pages only it held leave the count. */
static void drop_oldest(struct dtarget *t)
{
	struct dhist *h = &t->hist;

	if (!h->n)
		return;
	h->pages -= ramimg_unshared(h->e[0]->ram, h->n > 1 ? h->e[1]->ram : NULL);
	snapshot_free(h->e[0]);
	memmove(&h->e[0], &h->e[1], (size_t)(h->n - 1) * sizeof(struct snapshot *));
	h->n--;
}

/* Drop entries from index k on (the newest ones). */
static void drop_from(struct dtarget *t, int k)
{
	struct dhist *h = &t->hist;

	while (h->n > k) {
		struct snapshot *s = h->e[--h->n];

		h->pages -= ramimg_unshared(s->ram, h->n ? h->e[h->n - 1]->ram : NULL);
		snapshot_free(s);
	}
}

void dbg_history_clear(struct dtarget *t)
{
	drop_from(t, 0);
	t->hist.pages = 0;
}

void dbg_history_init(struct dtarget *t)
{
	t->hist.on = config_bool("history.record");
	t->hist.limit = config_uint("history.limit");
}

void dbg_history_destroy(struct dtarget *t)
{
	dbg_history_clear(t);
	free(t->hist.e);
	t->hist.e = NULL;
	t->hist.cap = 0;
}

void dbg_history_limit(struct dtarget *t, uint64_t bytes)
{
	t->hist.limit = bytes;
	while (t->hist.n > 1 && t->hist.pages > limit_pages(t))
		drop_oldest(t);
}

void dbg_history_record(struct dtarget *t)
{
	struct dhist *h = &t->hist;
	struct snapshot *s;
	char err[160];
	int r;

	if (!h->on)
		return;
	r = dbg_flush(t);
	if (r)
		return;
	if (h->n == h->cap) {
		int cap = h->cap ? h->cap * 2 : 64;
		struct snapshot **p = realloc(h->e, (size_t)cap * sizeof(struct snapshot *));

		if (!p)
			return;
		h->e = p;
		h->cap = cap;
	}
	r = snapshot_take(t->vm, &s, err, sizeof(err));
	if (r) {
		if (!h->said_fail)
			log_warn("history: not recorded (%s); reverse execution stops here", err);
		h->said_fail = true;
		return;
	}
	h->pages += ramimg_unshared(s->ram, h->n ? h->e[h->n - 1]->ram : NULL);
	h->e[h->n++] = s;
	while (h->n > 1 && h->pages > limit_pages(t))
		drop_oldest(t);
}

/* The machine back to entry k (dropped with every later one).  0 or -errno. */
static int go_back(struct dtarget *t, int k)
{
	char err[160];
	int r = snapshot_restore(t->vm, t->hist.e[k], err, sizeof(err));

	if (r) {
		log_err("history: %s", err);
		return r;
	}
	drop_from(t, k);
	dbg_invalidate(t);
	/* nothing seen since that moment happened any more */
	memset(t->pending, 0, sizeof(t->pending));
	memset(t->step_over, 0, sizeof(t->step_over));
	t->pending_exit = -1;
	return 0;
}

/* Read [gpa, +len) as entry k holds it, or (k == n) as RAM holds it now. */
static int bytes_at(struct dtarget *t, int k, uint64_t gpa, uint8_t *buf, size_t len)
{
	if (k == t->hist.n)
		return gmem_read(&t->vm->mem, gpa, buf, len);
	return snapshot_read_phys(t->vm, t->hist.e[k], gpa, buf, len);
}

/* Did a watched byte change between entry k and the next moment?  Its address, or false. */
static bool watch_changed(struct dtarget *t, int k, uint64_t *va, enum gdb_stop_kind *kind)
{
	struct trap_piece pc[TRAP_PAGE_MAX_PIECES];
	enum trap_watch_type type;
	uint64_t wva;
	int np;

	for (int i = 0; !trap_page_watch(&t->vm->traps, i, &type, &wva, pc, &np); i++) {
		if (type == TRAP_WATCH_READ || type == TRAP_WATCH_EXEC)
			continue;	/* a read leaves nothing behind to find; a breakpoint's
					 * page is no watchpoint */
		for (int p = 0; p < np; p++) {
			uint8_t a[256], b[256];

			for (uint64_t off = 0; off < pc[p].len; off += sizeof(a)) {
				size_t n = (size_t)MIN(sizeof(a), pc[p].len - off);

				if (bytes_at(t, k, pc[p].gpa + off, a, n) ||
				    bytes_at(t, k + 1, pc[p].gpa + off, b, n))
					continue;
				if (memcmp(a, b, n)) {
					*va = wva + pc[p].va_off + off;
					*kind = type == TRAP_WATCH_WRITE ? GDB_STOP_WATCH : GDB_STOP_AWATCH;
					return true;
				}
			}
		}
	}
	return false;
}

/* Is a vCPU of entry k at one of the debugger's breakpoints?  Which one, or -1. */
static int break_at(struct dtarget *t, int k, bool *sw)
{
	const struct snapshot *s = t->hist.e[k];
	struct snap_r r = { s->state.p, s->state.len };

	for (int cpu = 0; cpu < t->vm->ncpus; cpu++) {
		uint64_t pc;

		if (arch_snap_pc(&r, cpu, &pc))
			continue;
		if (dbg_break_at(t, pc, false)) {
			*sw = true;
			return cpu;
		}
		if (dbg_break_at(t, pc, true)) {
			*sw = false;
			return cpu;
		}
	}
	return -1;
}

int dbg_reverse(struct dtarget *t, int cpu, bool cont, struct gdb_stop *out)
{
	struct dhist *h = &t->hist;
	int r;

	out->cpu = cpu;
	if (!h->n) {
		out->kind = GDB_STOP_REPLAYLOG;
		return 0;
	}
	if (!cont) {
		r = go_back(t, h->n - 1);
		out->kind = GDB_STOP_STEP;
		return r;
	}
	for (int k = h->n - 1; k >= 0; k--) {
		uint64_t va;
		enum gdb_stop_kind kind;
		bool sw;
		int c;

		if (watch_changed(t, k, &va, &kind)) {
			r = go_back(t, k);
			out->kind = kind;
			out->addr = va;
			return r;
		}
		c = break_at(t, k, &sw);
		if (c >= 0) {
			r = go_back(t, k);
			out->kind = sw ? GDB_STOP_SWBREAK : GDB_STOP_HWBREAK;
			out->cpu = c;
			return r;
		}
	}
	r = go_back(t, 0);
	out->kind = GDB_STOP_REPLAYLOG;
	return r;
}
