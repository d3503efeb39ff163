/* watch.c -- page-trapping watchpoints; see watch.h. */
#include <errno.h>
#include <pthread.h>
#include <stdlib.h>
#include <string.h>

#include "util.h"
#include "core/vm.h"
#include "core/trap_page.h"

#define PAGE		4096ULL
#define MAX_PIECES	8

struct watch {
	enum watch_type type;
	uint64_t va, len;
	int npieces;
	struct watch_piece pieces[MAX_PIECES];
};

/* Guarded by lock: the watch table and the trapped-page list. */
static pthread_mutex_t lock = PTHREAD_MUTEX_INITIALIZER;
static struct watch *watches;
static int nwatches;
static uint64_t *pages;		/* trapped pages, sorted */
static enum ram_trap *traps;
static int npages;

static int cmp_u64(const void *a, const void *b)
{
	uint64_t x = *(const uint64_t *)a, y = *(const uint64_t *)b;

	return x < y ? -1 : x > y;
}

/* Caller holds lock.  Recompute the trapped pages and re-lay the RAM slots. */
static int relayout(struct vm *vm)
{
	uint64_t *np = NULL;
	enum ram_trap *nt = NULL;
	int n = 0, cap = 0, r;

	for (int i = 0; i < nwatches; i++) {
		for (int j = 0; j < watches[i].npieces; j++) {
			const struct watch_piece *p = &watches[i].pieces[j];

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
		nt[i] = RAM_TRAP_WRITE;
		for (int w = 0; w < nwatches; w++) {
			if (watches[w].type == WATCH_WRITE)
				continue;
			for (int j = 0; j < watches[w].npieces; j++) {
				const struct watch_piece *p = &watches[w].pieces[j];

				if (p->gpa < np[i] + PAGE && np[i] < p->gpa + p->len)
					nt[i] = RAM_TRAP_ALL;
			}
		}
	}
	r = vm_ram_layout(vm, np, nt, m);
	free(pages);
	free(traps);
	pages = np;
	traps = nt;
	npages = r ? 0 : m;
	return r;
}

int watch_add(struct vm *vm, enum watch_type type, uint64_t va, uint64_t len,
	      const struct watch_piece *pieces, int npieces)
{
	struct watch *nw;
	int r;

	if (npieces < 1 || npieces > MAX_PIECES || !len)
		return -EINVAL;
	for (int i = 0; i < npieces; i++)
		if (!gmem_ptr(&vm->mem, pieces[i].gpa, pieces[i].len))
			return -EFAULT;
	pthread_mutex_lock(&lock);
	nw = realloc(watches, sizeof(*nw) * (size_t)(nwatches + 1));
	if (!nw) {
		pthread_mutex_unlock(&lock);
		return -ENOMEM;
	}
	watches = nw;
	watches[nwatches].type = type;
	watches[nwatches].va = va;
	watches[nwatches].len = len;
	watches[nwatches].npieces = npieces;
	memcpy(watches[nwatches].pieces, pieces, sizeof(*pieces) * (size_t)npieces);
	nwatches++;
	r = relayout(vm);
	if (r) {
		nwatches--;
		relayout(vm);
	}
	pthread_mutex_unlock(&lock);
	return r;
}

int watch_del(struct vm *vm, enum watch_type type, uint64_t va, uint64_t len)
{
	int r = -ENOENT;

	pthread_mutex_lock(&lock);
	for (int i = 0; i < nwatches; i++) {
		if (watches[i].type == type && watches[i].va == va && watches[i].len == len) {
			watches[i] = watches[--nwatches];
			r = relayout(vm);
			break;
		}
	}
	pthread_mutex_unlock(&lock);
	return r;
}

void watch_clear(struct vm *vm)
{
	pthread_mutex_lock(&lock);
	if (nwatches || npages) {
		nwatches = 0;
		relayout(vm);
	}
	pthread_mutex_unlock(&lock);
}

int watch_count(void)
{
	int n;

	pthread_mutex_lock(&lock);
	n = nwatches;
	pthread_mutex_unlock(&lock);
	return n;
}

/* Caller holds lock. */
static bool trapped(uint64_t gpa)
{
	uint64_t pg = ALIGN_DOWN(gpa, PAGE);
	int lo = 0, hi = npages - 1;

	while (lo <= hi) {
		int mid = (lo + hi) / 2;

		if (pages[mid] == pg)
			return true;
		if (pages[mid] < pg)
			lo = mid + 1;
		else
			hi = mid - 1;
	}
	return false;
}

bool watch_page_hidden(uint64_t gpa)
{
	uint64_t pg = ALIGN_DOWN(gpa, PAGE);
	bool r = false;

	pthread_mutex_lock(&lock);
	for (int i = 0; i < npages; i++)
		if (pages[i] == pg)
			r = traps[i] == RAM_TRAP_ALL;
	pthread_mutex_unlock(&lock);
	return r;
}

static bool matches(enum watch_type t, bool is_write)
{
	return t == WATCH_ACCESS || (t == WATCH_WRITE) == is_write;
}

bool watch_access(struct vm *vm, uint64_t gpa, uint8_t *data, unsigned len, bool is_write,
		  struct watch_hit *hit)
{
	uint8_t *host;

	memset(hit, 0, sizeof(*hit));
	pthread_mutex_lock(&lock);
	if (!npages || !trapped(gpa)) {
		pthread_mutex_unlock(&lock);
		return false;
	}
	host = gmem_ptr(&vm->mem, gpa, len);
	if (host) {
		if (is_write)
			memcpy(host, data, len);
		else
			memcpy(data, host, len);
	}
	for (int i = 0; i < nwatches && !hit->type; i++) {
		const struct watch *w = &watches[i];

		if (!matches(w->type, is_write))
			continue;
		for (int j = 0; j < w->npieces; j++) {
			const struct watch_piece *p = &w->pieces[j];

			if (gpa < p->gpa + p->len && p->gpa < gpa + len) {
				hit->type = w->type;
				hit->addr = w->va + p->va_off + (gpa > p->gpa ? gpa - p->gpa : 0);
				break;
			}
		}
	}
	pthread_mutex_unlock(&lock);
	return true;
}
