/*
 * devsnap.h -- the one lookup every device's snapshot `load` starts with
 * (core/device.h, core/snapbuf.h).  A device saves one packed struct of
 * fixed-width fields whose first field is a uint32_t version; this finds it
 * and refuses everything a device cannot take over as it is.
 */
#ifndef HYVE_DEV_DEVSNAP_H
#define HYVE_DEV_DEVSNAP_H

#include <errno.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include "core/snapbuf.h"

/*
 * The record (tag, inst) for a device that is `present` in this machine (or
 * not: no disk given, say).  0: the record is exactly `len` bytes, starts with
 * `version`, and was copied to dst.  1: neither the device nor a record, so
 * nothing to load.  -EINVAL: a record without the device, the device without
 * a record, another size or another version -- the snapshot is of some other
 * machine, or damaged, and loading half of it would be worse than refusing.
 */
static inline int devsnap_get(const struct snap_r *r, uint32_t tag, uint32_t inst,
			      bool present, void *dst, size_t len, uint32_t version)
{
	const void *d;
	uint32_t v;
	size_t n;

	if (snapr_find(r, tag, inst, &d, &n))
		return present ? -EINVAL : 1;
	if (!present || n != len || len < sizeof(v))
		return -EINVAL;
	memcpy(&v, d, sizeof(v));
	if (v != version)
		return -EINVAL;
	memcpy(dst, d, len);
	return 0;
}

/* Is a saved flag byte a flag (0 or 1)? */
static inline bool devsnap_bool_ok(uint8_t b)
{
	return b <= 1;
}

#endif
