/*
 * gmem.h -- guest physical RAM as the host sees it.
 *
 * RAM is one host mapping of `size` bytes.  The first `low_size` bytes appear at
 * guest-physical 0; the rest (if any) at 4 GiB, leaving the hole below 4 GiB for
 * MMIO (LAPIC, IOAPIC, virtio, firmware).  Pure data: no KVM here, so loaders and
 * tests use it on a plain malloc'd buffer.
 */
#ifndef HYVE_GMEM_H
#define HYVE_GMEM_H

#include <stdint.h>
#include <stddef.h>

#define GMEM_HIGH_BASE	0x100000000ULL	/* RAM above low_size continues here */
#define GMEM_LOW_MAX	0xc0000000ULL	/* low RAM never reaches past 3 GiB */

struct gmem {
	uint8_t *host;		/* base of the host mapping */
	uint64_t size;		/* total bytes of RAM */
	uint64_t low_size;	/* bytes mapped from GPA 0 (== size when size <= GMEM_LOW_MAX) */
};

/* Set low_size from size for a buffer the caller allocated. */
void gmem_init(struct gmem *m, uint8_t *host, uint64_t size);

/*
 * How many bytes of RAM are contiguous from gpa (0: gpa is not RAM), with
 * *host set to where gpa is.  The one place RAM's layout is worked out.
 */
uint64_t gmem_span(const struct gmem *m, uint64_t gpa, uint8_t **host);

/*
 * Host pointer for [gpa, gpa+len) if the whole range is RAM in one region, else
 * NULL.  Overflow-safe for any gpa/len (wrapping ranges give NULL).
 */
void *gmem_ptr(const struct gmem *m, uint64_t gpa, uint64_t len);

/* Copy into/out of guest RAM.  0, or -EFAULT if any byte is not RAM. */
int gmem_write(const struct gmem *m, uint64_t gpa, const void *src, uint64_t len);
int gmem_read(const struct gmem *m, uint64_t gpa, void *dst, uint64_t len);

/* End of low RAM (exclusive GPA), and end of high RAM (0 if none). */
uint64_t gmem_low_end(const struct gmem *m);
uint64_t gmem_high_end(const struct gmem *m);

#endif
