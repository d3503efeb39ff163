/* trap_swbp.c -- software breakpoints by guest-physical address; see trap_swbp.h. */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "arch/arch.h"
#include "core/gmem.h"
#include "core/trap_swbp.h"

struct swbp {
	uint64_t gpa;
	uint8_t orig;
	int refs;
};

void trap_swbp_init(struct trap_swbp *t, const struct gmem *mem)
{
	memset(t, 0, sizeof(*t));
	t->mem = mem;
	pthread_mutex_init(&t->lock, NULL);
}

void trap_swbp_destroy(struct trap_swbp *t)
{
	free(t->bps);
	t->bps = NULL;
	t->n = t->cap = 0;
	pthread_mutex_destroy(&t->lock);
}

/* Caller holds the lock. */
static int find(const struct trap_swbp *t, uint64_t gpa)
{
	for (int i = 0; i < t->n; i++)
		if (t->bps[i].gpa == gpa)
			return i;
	return -1;
}

int trap_swbp_insert(struct trap_swbp *t, uint64_t gpa)
{
	uint8_t *p = gmem_ptr(t->mem, gpa, 1);
	int i, r = 0;

	if (!p)
		return -EFAULT;
	pthread_mutex_lock(&t->lock);
	i = find(t, gpa);
	if (i >= 0) {
		t->bps[i].refs++;
		goto out;
	}
	if (t->n == t->cap) {
		int ncap = t->cap ? t->cap * 2 : 16;
		struct swbp *n = realloc(t->bps, sizeof(*t->bps) * (size_t)ncap);

		if (!n) {
			r = -ENOMEM;
			goto out;
		}
		t->bps = n;
		t->cap = ncap;
	}
	t->bps[t->n++] = (struct swbp){ gpa, *p, 1 };
	__atomic_store_n(p, ARCH_SWBP_BYTE, __ATOMIC_SEQ_CST);
out:
	pthread_mutex_unlock(&t->lock);
	return r;
}

/* Caller holds the lock. */
static void restore(const struct trap_swbp *t, const struct swbp *b)
{
	uint8_t *p = gmem_ptr(t->mem, b->gpa, 1);

	/* leave it if the guest has overwritten ours meanwhile */
	if (p && *p == ARCH_SWBP_BYTE)
		__atomic_store_n(p, b->orig, __ATOMIC_SEQ_CST);
}

int trap_swbp_remove(struct trap_swbp *t, uint64_t gpa)
{
	int i, r = 0;

	pthread_mutex_lock(&t->lock);
	i = find(t, gpa);
	if (i < 0) {
		r = -ENOENT;
	} else if (--t->bps[i].refs == 0) {
		restore(t, &t->bps[i]);
		t->bps[i] = t->bps[--t->n];
	}
	pthread_mutex_unlock(&t->lock);
	return r;
}

void trap_swbp_remove_all(struct trap_swbp *t)
{
	pthread_mutex_lock(&t->lock);
	for (int i = 0; i < t->n; i++)
		restore(t, &t->bps[i]);
	t->n = 0;
	pthread_mutex_unlock(&t->lock);
}

void trap_swbp_lift(struct trap_swbp *t, uint64_t gpa)
{
	pthread_mutex_lock(&t->lock);
	for (int i = 0; i < t->n; i++)
		if (t->bps[i].gpa == gpa)
			restore(t, &t->bps[i]);
	pthread_mutex_unlock(&t->lock);
}

void trap_swbp_rearm(struct trap_swbp *t)
{
	pthread_mutex_lock(&t->lock);
	for (int i = 0; i < t->n; i++) {
		uint8_t *p = gmem_ptr(t->mem, t->bps[i].gpa, 1);

		if (p && *p != ARCH_SWBP_BYTE) {
			t->bps[i].orig = *p;
			__atomic_store_n(p, ARCH_SWBP_BYTE, __ATOMIC_SEQ_CST);
		}
	}
	pthread_mutex_unlock(&t->lock);
}

bool trap_swbp_any(struct trap_swbp *t, uint64_t gpa, size_t len)
{
	bool r = false;

	pthread_mutex_lock(&t->lock);
	for (int i = 0; i < t->n && !r; i++)
		r = t->bps[i].gpa >= gpa && t->bps[i].gpa - gpa < len;
	pthread_mutex_unlock(&t->lock);
	return r;
}

bool trap_swbp_at(struct trap_swbp *t, uint64_t gpa)
{
	bool r;

	pthread_mutex_lock(&t->lock);
	r = find(t, gpa) >= 0;
	pthread_mutex_unlock(&t->lock);
	return r;
}

void trap_swbp_shadow(struct trap_swbp *t, uint64_t gpa, uint8_t *buf, size_t len)
{
	pthread_mutex_lock(&t->lock);
	for (int i = 0; i < t->n; i++) {
		uint64_t off = t->bps[i].gpa - gpa;

		if (t->bps[i].gpa >= gpa && off < len && buf[off] == ARCH_SWBP_BYTE)
			buf[off] = t->bps[i].orig;
	}
	pthread_mutex_unlock(&t->lock);
}

void trap_swbp_write_through(struct trap_swbp *t, uint64_t gpa, const uint8_t *buf, size_t len)
{
	pthread_mutex_lock(&t->lock);
	for (int i = 0; i < t->n; i++) {
		uint64_t off = t->bps[i].gpa - gpa;
		uint8_t *p;

		if (t->bps[i].gpa < gpa || off >= len)
			continue;
		t->bps[i].orig = buf[off];
		p = gmem_ptr(t->mem, t->bps[i].gpa, 1);
		if (p)
			__atomic_store_n(p, ARCH_SWBP_BYTE, __ATOMIC_SEQ_CST);
	}
	pthread_mutex_unlock(&t->lock);
}
