/* gmem.c -- guest-physical RAM lookups; see gmem.h. */
#include <errno.h>
#include <string.h>

#include "core/gmem.h"

void gmem_init(struct gmem *m, uint8_t *host, uint64_t size)
{
	m->host = host;
	m->size = size;
	m->low_size = size < GMEM_LOW_MAX ? size : GMEM_LOW_MAX;
}

uint64_t gmem_span(const struct gmem *m, uint64_t gpa, uint8_t **host)
{
	uint64_t high = m->size - m->low_size;

	if (gpa < m->low_size) {
		*host = m->host + gpa;
		return m->low_size - gpa;
	}
	if (gpa >= GMEM_HIGH_BASE && gpa - GMEM_HIGH_BASE < high) {
		uint64_t off = gpa - GMEM_HIGH_BASE;

		*host = m->host + m->low_size + off;
		return high - off;
	}
	*host = NULL;
	return 0;
}

void *gmem_ptr(const struct gmem *m, uint64_t gpa, uint64_t len)
{
	uint8_t *host;
	uint64_t n = gmem_span(m, gpa, &host);

	return n && len <= n ? host : NULL;
}

int gmem_write(const struct gmem *m, uint64_t gpa, const void *src, uint64_t len)
{
	void *p = gmem_ptr(m, gpa, len);

	if (!p)
		return -EFAULT;
	memcpy(p, src, len);
	return 0;
}

int gmem_read(const struct gmem *m, uint64_t gpa, void *dst, uint64_t len)
{
	const void *p = gmem_ptr(m, gpa, len);

	if (!p)
		return -EFAULT;
	memcpy(dst, p, len);
	return 0;
}

uint64_t gmem_low_end(const struct gmem *m)
{
	return m->low_size;
}

uint64_t gmem_high_end(const struct gmem *m)
{
	return m->size > m->low_size ? GMEM_HIGH_BASE + (m->size - m->low_size) : 0;
}
