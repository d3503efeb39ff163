/* breakpoint.c -- software breakpoints by guest-physical address; see breakpoint.h. */
#include <errno.h>
#include <pthread.h>
#include <stdlib.h>

#include "core/trap_swbp.h"
#include "core/gmem.h"

struct swbp {
	uint64_t gpa;
	uint8_t orig;
	int refs;
};

/* Guarded by lock: the table (edited on the event thread, read by vCPU threads). */
static pthread_mutex_t lock = PTHREAD_MUTEX_INITIALIZER;
static struct swbp *bps;
static int nbps, capbps;

static int find(uint64_t gpa)
{
	for (int i = 0; i < nbps; i++)
		if (bps[i].gpa == gpa)
			return i;
	return -1;
}

int bp_sw_insert(const struct gmem *m, uint64_t gpa)
{
	uint8_t *p = gmem_ptr(m, gpa, 1);
	int i, r = 0;

	if (!p)
		return -EFAULT;
	pthread_mutex_lock(&lock);
	i = find(gpa);
	if (i >= 0) {
		bps[i].refs++;
		goto out;
	}
	if (nbps == capbps) {
		int ncap = capbps ? capbps * 2 : 16;
		struct swbp *n = realloc(bps, sizeof(*bps) * (size_t)ncap);

		if (!n) {
			r = -ENOMEM;
			goto out;
		}
		bps = n;
		capbps = ncap;
	}
	bps[nbps++] = (struct swbp){ gpa, *p, 1 };
	__atomic_store_n(p, BP_INT3, __ATOMIC_SEQ_CST);
out:
	pthread_mutex_unlock(&lock);
	return r;
}

static void restore(const struct gmem *m, const struct swbp *b)
{
	uint8_t *p = gmem_ptr(m, b->gpa, 1);

	/* leave it if the guest has overwritten our int3 meanwhile */
	if (p && *p == BP_INT3)
		__atomic_store_n(p, b->orig, __ATOMIC_SEQ_CST);
}

int bp_sw_remove(const struct gmem *m, uint64_t gpa)
{
	int i, r = 0;

	pthread_mutex_lock(&lock);
	i = find(gpa);
	if (i < 0) {
		r = -ENOENT;
	} else if (--bps[i].refs == 0) {
		restore(m, &bps[i]);
		bps[i] = bps[--nbps];
	}
	pthread_mutex_unlock(&lock);
	return r;
}

void bp_sw_remove_all(const struct gmem *m)
{
	pthread_mutex_lock(&lock);
	for (int i = 0; i < nbps; i++)
		restore(m, &bps[i]);
	nbps = 0;
	pthread_mutex_unlock(&lock);
}

void bp_sw_lift(const struct gmem *m, uint64_t gpa)
{
	pthread_mutex_lock(&lock);
	for (int i = 0; i < nbps; i++)
		if (bps[i].gpa == gpa)
			restore(m, &bps[i]);
	pthread_mutex_unlock(&lock);
}

void bp_sw_rearm(const struct gmem *m)
{
	pthread_mutex_lock(&lock);
	for (int i = 0; i < nbps; i++) {
		uint8_t *p = gmem_ptr(m, bps[i].gpa, 1);

		if (p && *p != BP_INT3) {
			bps[i].orig = *p;
			*p = BP_INT3;
		}
	}
	pthread_mutex_unlock(&lock);
}

bool bp_sw_at(uint64_t gpa)
{
	bool r;

	pthread_mutex_lock(&lock);
	r = find(gpa) >= 0;
	pthread_mutex_unlock(&lock);
	return r;
}

int bp_sw_count(void)
{
	int n;

	pthread_mutex_lock(&lock);
	n = nbps;
	pthread_mutex_unlock(&lock);
	return n;
}

void bp_sw_shadow(uint64_t gpa, uint8_t *buf, size_t len)
{
	pthread_mutex_lock(&lock);
	for (int i = 0; i < nbps; i++) {
		uint64_t off = bps[i].gpa - gpa;

		if (bps[i].gpa >= gpa && off < len && buf[off] == BP_INT3)
			buf[off] = bps[i].orig;
	}
	pthread_mutex_unlock(&lock);
}

void bp_sw_write_through(const struct gmem *m, uint64_t gpa, const uint8_t *buf, size_t len)
{
	pthread_mutex_lock(&lock);
	for (int i = 0; i < nbps; i++) {
		uint64_t off = bps[i].gpa - gpa;
		uint8_t *p;

		if (bps[i].gpa < gpa || off >= len)
			continue;
		bps[i].orig = buf[off];
		p = gmem_ptr(m, bps[i].gpa, 1);
		if (p)
			*p = BP_INT3;
	}
	pthread_mutex_unlock(&lock);
}
