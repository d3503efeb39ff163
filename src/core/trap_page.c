/* trap_page.c -- watchpoints by trapped pages; see trap_page.h. */
#include <errno.h>
#include <pthread.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "core/gmem.h"
#include "core/trap_page.h"
#include "util.h"

#define PAGE		TRAP_PAGE_SIZE

struct trap_watch {
	enum trap_watch_type type;
	uint64_t va, len;
	int npieces;
	struct trap_piece pieces[TRAP_PAGE_MAX_PIECES];
};

void trap_page_init(struct trap_page *tp, const struct gmem *mem, trap_layout_fn layout,
		    void *opaque)
{
	memset(tp, 0, sizeof(*tp));
	tp->mem = mem;
	tp->layout = layout;
	tp->layout_opaque = opaque;
	tp->rmw_owner = -1;
	tp->lifted = ~0ULL;
	pthread_mutex_init(&tp->lock, NULL);
	pthread_condattr_t ca;

	pthread_condattr_init(&ca);
	pthread_condattr_setclock(&ca, CLOCK_MONOTONIC);
	pthread_cond_init(&tp->rmw_done, &ca);
	pthread_condattr_destroy(&ca);
}

void trap_page_serialise(struct trap_page *tp, trap_kick_fn kick, void *opaque)
{
	tp->serialise = true;
	tp->kick = kick;
	tp->kick_opaque = opaque;
}

void trap_page_destroy(struct trap_page *tp)
{
	free(tp->watches);
	free(tp->pages);
	free(tp->traps);
	tp->watches = NULL;
	tp->pages = NULL;
	tp->traps = NULL;
	tp->nwatches = tp->npages = 0;
	pthread_cond_destroy(&tp->rmw_done);
	pthread_mutex_destroy(&tp->lock);
}

static int cmp_u64(const void *a, const void *b)
{
	uint64_t x = *(const uint64_t *)a, y = *(const uint64_t *)b;

	return x < y ? -1 : x > y;
}

/* Caller holds the lock.  Recompute the trapped pages and re-lay the RAM slots. */
static int relayout(struct trap_page *tp)
{
	uint64_t *np = NULL;
	enum ram_trap *nt = NULL;
	int n = 0, cap = 0, r, nexec = 0;

	for (int i = 0; i < tp->nwatches; i++)
		nexec += tp->watches[i].type == TRAP_WATCH_EXEC;
	__atomic_store_n(&tp->nexec, nexec, __ATOMIC_RELEASE);

	for (int i = 0; i < tp->nwatches; i++) {
		for (int j = 0; j < tp->watches[i].npieces; j++) {
			const struct trap_piece *p = &tp->watches[i].pieces[j];

			for (uint64_t pg = ALIGN_DOWN(p->gpa, PAGE); pg < p->gpa + p->len; pg += PAGE) {
				if (n == cap) {
					uint64_t *grown;

					cap = cap ? cap * 2 : 16;
					grown = realloc(np, sizeof(*np) * (size_t)cap);
					if (!grown) {
						free(np);
						return -ENOMEM;
					}
					np = grown;
				}
				np[n++] = pg;
			}
		}
	}
	if (n)
		qsort(np, (size_t)n, sizeof(*np), cmp_u64);
	/* dedupe, and pick the trap each page needs */
	nt = n ? calloc((size_t)n, sizeof(*nt)) : NULL;
	if (n && !nt) {
		free(np);
		return -ENOMEM;
	}
	int m = 0;

	for (int i = 0; i < n; i++)
		if (m == 0 || np[m - 1] != np[i])
			np[m++] = np[i];
	for (int i = 0; i < m; i++) {
		/* serialised: a read-only slot would let KVM read where we cannot see it */
		nt[i] = tp->serialise ? RAM_TRAP_ALL : RAM_TRAP_WRITE;
		/* a read, access or instruction breakpoint page: no slot at all */
		for (int w = 0; w < tp->nwatches; w++) {
			if (tp->watches[w].type == TRAP_WATCH_WRITE)
				continue;
			for (int j = 0; j < tp->watches[w].npieces; j++) {
				const struct trap_piece *p = &tp->watches[w].pieces[j];

				if (p->gpa < np[i] + PAGE && np[i] < p->gpa + p->len)
					nt[i] = RAM_TRAP_ALL;
			}
		}
	}
	r = tp->layout(tp->layout_opaque, np, nt, m);
	free(tp->pages);
	free(tp->traps);
	tp->pages = np;
	tp->traps = nt;
	tp->npages = r ? 0 : m;
	return r;
}

int trap_page_add(struct trap_page *tp, enum trap_watch_type type, uint64_t va, uint64_t len,
		  const struct trap_piece *pieces, int npieces)
{
	struct trap_watch *nw;
	int r;

	if (npieces < 1 || npieces > TRAP_PAGE_MAX_PIECES || !len ||
	    type < TRAP_WATCH_WRITE || type > TRAP_WATCH_EXEC)
		return -EINVAL;
	for (int i = 0; i < npieces; i++)
		if (!gmem_ptr(tp->mem, pieces[i].gpa, pieces[i].len))
			return -EFAULT;
	pthread_mutex_lock(&tp->lock);
	nw = realloc(tp->watches, sizeof(*nw) * (size_t)(tp->nwatches + 1));
	if (!nw) {
		pthread_mutex_unlock(&tp->lock);
		return -ENOMEM;
	}
	tp->watches = nw;
	nw = &tp->watches[tp->nwatches];
	nw->type = type;
	nw->va = va;
	nw->len = len;
	nw->npieces = npieces;
	memcpy(nw->pieces, pieces, sizeof(*pieces) * (size_t)npieces);
	tp->nwatches++;
	r = relayout(tp);
	if (r) {
		tp->nwatches--;
		relayout(tp);
	}
	pthread_mutex_unlock(&tp->lock);
	return r;
}

int trap_page_del(struct trap_page *tp, enum trap_watch_type type, uint64_t va, uint64_t len)
{
	int r = -ENOENT;

	pthread_mutex_lock(&tp->lock);
	for (int i = 0; i < tp->nwatches; i++) {
		const struct trap_watch *w = &tp->watches[i];

		if (w->type == type && w->va == va && w->len == len) {
			tp->watches[i] = tp->watches[--tp->nwatches];
			r = relayout(tp);
			break;
		}
	}
	pthread_mutex_unlock(&tp->lock);
	return r;
}

void trap_page_clear(struct trap_page *tp)
{
	pthread_mutex_lock(&tp->lock);
	if (tp->nwatches || tp->npages) {
		tp->nwatches = 0;
		relayout(tp);
	}
	pthread_mutex_unlock(&tp->lock);
}

void trap_page_clear_data(struct trap_page *tp)
{
	int n = 0;

	pthread_mutex_lock(&tp->lock);
	for (int i = 0; i < tp->nwatches; i++)
		if (tp->watches[i].type == TRAP_WATCH_EXEC)
			tp->watches[n++] = tp->watches[i];
	if (n != tp->nwatches) {
		tp->nwatches = n;
		relayout(tp);
	}
	pthread_mutex_unlock(&tp->lock);
}

/* Caller holds the lock.  Index of gpa's page in the trapped list, or -1. */
static int trapped(const struct trap_page *tp, uint64_t gpa)
{
	uint64_t pg = ALIGN_DOWN(gpa, PAGE);
	int lo = 0, hi = tp->npages - 1;

	while (lo <= hi) {
		int mid = (lo + hi) / 2;

		if (tp->pages[mid] == pg)
			return mid;
		if (tp->pages[mid] < pg)
			lo = mid + 1;
		else
			hi = mid - 1;
	}
	return -1;
}

bool trap_page_hidden(struct trap_page *tp, uint64_t gpa)
{
	bool r;
	int i;

	pthread_mutex_lock(&tp->lock);
	i = trapped(tp, gpa);
	r = i >= 0 && tp->traps[i] == RAM_TRAP_ALL;
	pthread_mutex_unlock(&tp->lock);
	return r;
}

bool trap_page_exec_at(struct trap_page *tp, uint64_t gpa)
{
	bool r = false;

	pthread_mutex_lock(&tp->lock);
	if (gpa != tp->lifted && trapped(tp, gpa) >= 0)
		for (int i = 0; i < tp->nwatches && !r; i++)
			r = tp->watches[i].type == TRAP_WATCH_EXEC &&
			    tp->watches[i].pieces[0].gpa == gpa;
	pthread_mutex_unlock(&tp->lock);
	return r;
}

bool trap_page_exec_in(struct trap_page *tp, uint64_t gpa)
{
	uint64_t pg = ALIGN_DOWN(gpa, PAGE);
	bool r = false;

	pthread_mutex_lock(&tp->lock);
	for (int i = 0; i < tp->nwatches && !r; i++)
		r = tp->watches[i].type == TRAP_WATCH_EXEC &&
		    ALIGN_DOWN(tp->watches[i].pieces[0].gpa, PAGE) == pg;
	pthread_mutex_unlock(&tp->lock);
	return r;
}

bool trap_page_data_in(struct trap_page *tp, uint64_t gpa)
{
	uint64_t pg = ALIGN_DOWN(gpa, PAGE);
	bool r = false;

	pthread_mutex_lock(&tp->lock);
	for (int i = 0; i < tp->nwatches && !r; i++) {
		const struct trap_watch *w = &tp->watches[i];

		for (int j = 0; j < w->npieces && !r && w->type != TRAP_WATCH_EXEC; j++)
			r = ALIGN_DOWN(w->pieces[j].gpa, PAGE) <= pg &&
			    pg < w->pieces[j].gpa + w->pieces[j].len;
	}
	pthread_mutex_unlock(&tp->lock);
	return r;
}

void trap_page_lift(struct trap_page *tp, uint64_t gpa)
{
	pthread_mutex_lock(&tp->lock);
	tp->lifted = gpa;
	pthread_mutex_unlock(&tp->lock);
}

void trap_page_rearm(struct trap_page *tp)
{
	trap_page_lift(tp, ~0ULL);
}

bool trap_page_trapped(struct trap_page *tp, uint64_t gpa)
{
	bool r;

	pthread_mutex_lock(&tp->lock);
	r = trapped(tp, gpa) >= 0;
	pthread_mutex_unlock(&tp->lock);
	return r;
}

static bool matches(enum trap_watch_type t, bool is_write)
{
	switch (t) {
	case TRAP_WATCH_WRITE:
		return is_write;
	case TRAP_WATCH_READ:
		return !is_write;
	case TRAP_WATCH_ACCESS:
		return true;
	default:
		return false;	/* an instruction breakpoint's page: data is never a hit */
	}
}

/* Caller holds the lock. */
static void rmw_release(struct trap_page *tp)
{
	__atomic_store_n(&tp->rmw_owner, -1, __ATOMIC_RELEASE);
	tp->rmw_left = 0;
	pthread_cond_broadcast(&tp->rmw_done);
}

void trap_page_rmw_end(struct trap_page *tp, int cpu)
{
	if (__atomic_load_n(&tp->rmw_owner, __ATOMIC_ACQUIRE) != cpu)
		return;
	pthread_mutex_lock(&tp->lock);
	if (tp->rmw_owner == cpu)
		rmw_release(tp);
	pthread_mutex_unlock(&tp->lock);
}

/*
 * Caller holds the lock.  Until no other vCPU is inside a locked
 * read-modify-write.  Its write normally follows at once, within the same
 * KVM_RUN; one that has not come after a millisecond (the vCPU's thread was
 * descheduled, or the instruction faulted and the guest ran on) is kicked:
 * KVM finishes the pending access before it returns, and a return that is
 * not that write ends the read-modify-write (trap_page_rmw_end).
 */
static void wait_turn(struct trap_page *tp, int cpu)
{
	while (tp->rmw_owner >= 0 && tp->rmw_owner != cpu) {
		int owner = tp->rmw_owner;
		struct timespec t;

		clock_gettime(CLOCK_MONOTONIC, &t);
		t.tv_nsec += 1000000;
		if (t.tv_nsec >= 1000000000) {
			t.tv_sec++;
			t.tv_nsec -= 1000000000;
		}
		if (pthread_cond_timedwait(&tp->rmw_done, &tp->lock, &t) == ETIMEDOUT &&
		    tp->rmw_owner == owner && tp->kick) {
			pthread_mutex_unlock(&tp->lock);
			tp->kick(tp->kick_opaque, owner);
			pthread_mutex_lock(&tp->lock);
		}
	}
}

bool trap_page_access(struct trap_page *tp, uint64_t gpa, uint8_t *data, unsigned len,
		      bool is_write, struct trap_hit *hit)
{
	return trap_page_access_by(tp, -1, false, gpa, data, len, is_write, hit);
}

bool trap_page_access_by(struct trap_page *tp, int cpu, bool rmw, uint64_t gpa, uint8_t *data,
			 unsigned len, bool is_write, struct trap_hit *hit)
{
	uint8_t *host;

	memset(hit, 0, sizeof(*hit));
	pthread_mutex_lock(&tp->lock);
	if (!tp->npages || trapped(tp, gpa) < 0) {
		pthread_mutex_unlock(&tp->lock);
		return false;
	}
	if (tp->serialise && cpu >= 0) {
		/* a plain read needs no turn: it sees the value from before the other's */
		if (is_write || rmw)
			wait_turn(tp, cpu);
		if (rmw && tp->rmw_owner < 0) {
			__atomic_store_n(&tp->rmw_owner, cpu, __ATOMIC_RELEASE);
			tp->rmw_left = 0;
		}
		if (tp->rmw_owner == cpu && !is_write)
			tp->rmw_left += len;	/* every piece it reads, it writes back */
	}
	host = gmem_ptr(tp->mem, gpa, len);
	if (host) {
		if (is_write)
			memcpy(host, data, len);
		else
			memcpy(data, host, len);
	}
	if (tp->serialise && cpu >= 0 && tp->rmw_owner == cpu && is_write) {
		tp->rmw_left -= len < tp->rmw_left ? len : tp->rmw_left;
		if (!tp->rmw_left)
			rmw_release(tp);
	}
	for (int i = 0; i < tp->nwatches && !hit->type; i++) {
		const struct trap_watch *w = &tp->watches[i];

		if (!matches(w->type, is_write))
			continue;
		for (int j = 0; j < w->npieces; j++) {
			const struct trap_piece *p = &w->pieces[j];

			if (gpa < p->gpa + p->len && p->gpa < gpa + len) {
				hit->type = w->type;
				hit->addr = w->va + p->va_off + (gpa > p->gpa ? gpa - p->gpa : 0);
				break;
			}
		}
	}
	pthread_mutex_unlock(&tp->lock);
	return true;
}

int trap_page_watch(struct trap_page *tp, int i, enum trap_watch_type *type, uint64_t *va,
		    struct trap_piece *pieces, int *npieces)
{
	int r = -ENOENT;

	pthread_mutex_lock(&tp->lock);
	if (i >= 0 && i < tp->nwatches) {
		const struct trap_watch *w = &tp->watches[i];

		*type = w->type;
		*va = w->va;
		*npieces = w->npieces;
		memcpy(pieces, w->pieces, (size_t)w->npieces * sizeof(*pieces));
		r = 0;
	}
	pthread_mutex_unlock(&tp->lock);
	return r;
}
