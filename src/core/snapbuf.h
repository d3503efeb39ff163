/*
 * snapbuf.h -- the byte format of a machine snapshot's state (everything but
 * RAM): a sequence of records, each a tag, an instance number (the vCPU, or
 * 0), a length and that many bytes.  Writers append to a growing buffer;
 * readers look records up by tag and instance.  Pure data, no KVM: the
 * devices and the architecture write their parts with it, and the unit
 * tests check it on buffers.
 *
 * Tags are four characters ("UART", "PIT2", ...), one per kind of state; a
 * reader that finds a record of the wrong length refuses the snapshot
 * rather than guessing (-EINVAL).
 */
#ifndef HYVE_SNAPBUF_H
#define HYVE_SNAPBUF_H

#include <stddef.h>
#include <stdint.h>

#define SNAP_TAG(a, b, c, d) \
	((uint32_t)(a) | (uint32_t)(b) << 8 | (uint32_t)(c) << 16 | (uint32_t)(d) << 24)

struct snap_w {
	uint8_t *p;
	size_t len, cap;
	int err;		/* the first failure (-ENOMEM); later puts do nothing */
};

struct snap_r {
	const uint8_t *p;
	size_t len;
};

/* Append one record.  Failures are kept in w->err (check it once at the end). */
void snapw_put(struct snap_w *w, uint32_t tag, uint32_t inst, const void *data, size_t len);
void snapw_free(struct snap_w *w);

/*
 * Is the buffer a well-formed sequence of records (every length inside it)?
 * 0 or -EINVAL.  Readers call it once before any lookup.
 */
int snapr_check(const struct snap_r *r);
/* The record with this tag and instance: 0 with *data, *len set, or -ENOENT. */
int snapr_find(const struct snap_r *r, uint32_t tag, uint32_t inst, const void **data,
	       size_t *len);
/* The same, for a record that must be exactly `len` bytes: copied to dst.  0, -ENOENT, -EINVAL. */
int snapr_get(const struct snap_r *r, uint32_t tag, uint32_t inst, void *dst, size_t len);

#endif
