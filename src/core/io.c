/* io.c -- the trap registry for port I/O and MMIO; see io.h. */
#include <errno.h>
#include <pthread.h>
#include <stdlib.h>
#include <string.h>

#include "core/io.h"
#include "util.h"

struct io_range {
	uint64_t base, len;
	io_fn fn;
	void *opaque;
	const char *name;
};

void io_bus_init(struct io_bus *b)
{
	memset(b, 0, sizeof(*b));
	pthread_rwlock_init(&b->lock, NULL);
}

int io_register(struct io_bus *b, enum io_space sp, uint64_t base, uint64_t len, io_fn fn,
		void *opaque, const char *name)
{
	struct io_range *r, *n;
	int i, cnt;

	if (!len || base + len - 1 < base || !fn)
		return -EINVAL;
	pthread_rwlock_wrlock(&b->lock);
	r = b->ranges[sp];
	cnt = b->nranges[sp];
	for (i = 0; i < cnt; i++) {
		if (base <= r[i].base + r[i].len - 1 && r[i].base <= base + len - 1) {
			pthread_rwlock_unlock(&b->lock);
			return -EEXIST;
		}
	}
	n = realloc(r, sizeof(*r) * (size_t)(cnt + 1));
	if (!n) {
		pthread_rwlock_unlock(&b->lock);
		return -ENOMEM;
	}
	for (i = cnt; i > 0 && n[i - 1].base > base; i--)
		n[i] = n[i - 1];
	n[i] = (struct io_range){ base, len, fn, opaque, name };
	b->ranges[sp] = n;
	b->nranges[sp] = cnt + 1;
	pthread_rwlock_unlock(&b->lock);
	return 0;
}

void io_bus_reset(struct io_bus *b)
{
	pthread_rwlock_wrlock(&b->lock);
	for (int s = 0; s < 2; s++) {
		free(b->ranges[s]);
		b->ranges[s] = NULL;
		b->nranges[s] = 0;
	}
	pthread_rwlock_unlock(&b->lock);
}

/* Binary search; caller holds the lock. */
static const struct io_range *find(const struct io_bus *b, enum io_space sp, uint64_t addr)
{
	int lo = 0, hi = b->nranges[sp] - 1;
	const struct io_range *r = b->ranges[sp];

	while (lo <= hi) {
		int mid = (lo + hi) / 2;

		if (addr < r[mid].base)
			hi = mid - 1;
		else if (addr - r[mid].base >= r[mid].len)
			lo = mid + 1;
		else
			return &r[mid];
	}
	return NULL;
}

int io_dispatch(struct io_bus *b, enum io_space sp, struct vcpu *vcpu, uint64_t addr,
		uint8_t *data, unsigned len, bool is_write)
{
	const struct io_range *r;
	io_fn fn = NULL;
	void *opaque = NULL;
	int ret;

	pthread_rwlock_rdlock(&b->lock);
	r = find(b, sp, addr);
	if (r) {
		fn = r->fn;
		opaque = r->opaque;
	}
	pthread_rwlock_unlock(&b->lock);
	if (!fn) {
		if (!is_write)
			memset(data, 0xff, len);
		return -ENOENT;
	}
	ret = fn(vcpu, addr, data, len, is_write, opaque);
	if (ret && !is_write)
		memset(data, 0xff, len);
	return ret;
}

const char *io_lookup_name(struct io_bus *b, enum io_space sp, uint64_t addr)
{
	const struct io_range *r;
	const char *name;

	pthread_rwlock_rdlock(&b->lock);
	r = find(b, sp, addr);
	name = r ? r->name : NULL;
	pthread_rwlock_unlock(&b->lock);
	return name;
}

int io_foreach(struct io_bus *b, enum io_space sp, io_visit_fn fn, void *opaque)
{
	int ret = 0;

	pthread_rwlock_rdlock(&b->lock);
	for (int i = 0; i < b->nranges[sp] && !ret; i++) {
		const struct io_range *r = &b->ranges[sp][i];

		ret = fn(opaque, r->base, r->len, r->name);
	}
	pthread_rwlock_unlock(&b->lock);
	return ret;
}
