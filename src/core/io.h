/*
 * io.h -- the one trap registry for port I/O and MMIO.
 *
 * Devices register address ranges with a handler; the vCPU exit handlers (and,
 * later, debugger memory reads of MMIO) dispatch through it.  Overlapping
 * registrations are refused.  Lookups take a read lock; registration happens at
 * start-up.
 */
#ifndef HYVE_IO_H
#define HYVE_IO_H

#include <stdbool.h>
#include <stdint.h>

struct vcpu;

enum io_space { IO_PIO, IO_MMIO };

/*
 * One handler signature for both spaces.  `vcpu` is NULL when the access does
 * not come from a guest instruction (a debugger's memory read).  `data` holds
 * `len` bytes (1, 2, 4 or 8), little-endian; for reads the handler fills it.
 * `addr` is the absolute port or GPA.  Returns 0 or -errno (logged by the
 * caller; a failing read returns all-ones to the guest).
 */
typedef int (*io_fn)(struct vcpu *vcpu, uint64_t addr, uint8_t *data,
		     unsigned len, bool is_write, void *opaque);

/* 0, -EEXIST on overlap, -EINVAL on an empty/wrapping range, -ENOMEM. */
int io_register(enum io_space sp, uint64_t base, uint64_t len, io_fn fn,
		void *opaque, const char *name);
/* Remove everything (used at shutdown and by tests). */
void io_reset(void);

/*
 * Dispatch one access.  Returns 0 if a device handled it, -ENOENT if nothing is
 * registered there (reads are then filled with 0xff), or the handler's -errno.
 */
int io_dispatch(enum io_space sp, struct vcpu *vcpu, uint64_t addr,
		uint8_t *data, unsigned len, bool is_write);

/* Name of the device at addr, or NULL. */
const char *io_lookup_name(enum io_space sp, uint64_t addr);

#endif
