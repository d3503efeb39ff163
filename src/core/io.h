/*
 * io.h -- the one trap registry for port I/O and MMIO.
 *
 * Devices register address ranges with a handler; the vCPU exit handlers and
 * the debugger's memory accesses (core/phys.c) dispatch through it.
 * Overlapping registrations are refused.  One bus per VM (vm->io); lookups
 * take its read lock, registration happens at start-up.
 */
#ifndef HYVE_IO_H
#define HYVE_IO_H

#include <pthread.h>
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

struct io_range;

struct io_bus {
	/* Sorted arrays per space, guarded by lock (a rwlock: readers in parallel). */
	pthread_rwlock_t lock;
	struct io_range *ranges[2];
	int nranges[2];
};

void io_bus_init(struct io_bus *b);
/* Remove every registration (shutdown, tests). */
void io_bus_reset(struct io_bus *b);

/* 0, -EEXIST on overlap, -EINVAL on an empty/wrapping range, -ENOMEM. */
int io_register(struct io_bus *b, enum io_space sp, uint64_t base, uint64_t len, io_fn fn,
		void *opaque, const char *name);

/*
 * Dispatch one access.  Returns 0 if a device handled it, -ENOENT if nothing is
 * registered there (reads are then filled with 0xff), or the handler's -errno.
 */
int io_dispatch(struct io_bus *b, enum io_space sp, struct vcpu *vcpu, uint64_t addr,
		uint8_t *data, unsigned len, bool is_write);

/* Name of the device at addr, or NULL. */
const char *io_lookup_name(struct io_bus *b, enum io_space sp, uint64_t addr);

/* Every range of a space in address order (the monitor's memory map), under
 * the read lock: fn must not register.  A non-zero return stops, and is returned. */
typedef int (*io_visit_fn)(void *opaque, uint64_t base, uint64_t len, const char *name);
int io_foreach(struct io_bus *b, enum io_space sp, io_visit_fn fn, void *opaque);

#endif
