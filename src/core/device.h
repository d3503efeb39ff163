/*
 * device.h -- how a device plugs in.  Each device file defines one
 * `static const struct device` and registers it with DEVICE_REGISTER(name);
 * start-up calls every init by `prio` (lower first, then by name: never in
 * link order), and every exit in reverse on shutdown.
 */
#ifndef HYVE_DEVICE_H
#define HYVE_DEVICE_H

#include <stdbool.h>

struct vm;
struct snap_w;
struct snap_r;

struct device {
	const char *name;
	int prio;			/* init order: lower first */
	/* 0, or -errno; a failing init aborts start-up with its message */
	int (*init)(struct vm *vm);
	/*
	 * Optional: check the device's configuration (its files, its numbers)
	 * before KVM is touched, logging a one-line reason.  0 or -errno.
	 */
	int (*check)(void);
	void (*exit)(struct vm *vm);	/* optional */
	/*
	 * Optional, for snapshots (core/snapshot.c), with every vCPU stopped.
	 * `save` appends the device's state as records (core/snapbuf.h,
	 * tagged by the device).  `load` with check set only validates the
	 * snapshot's records and changes nothing (-EINVAL: missing or of the
	 * wrong size); without, it puts the device in the saved state (the
	 * records were checked).  Host-side plumbing (file descriptors, the
	 * console) is not state: it stays as it is.  0 or -errno.
	 */
	int (*save)(struct vm *vm, struct snap_w *w);
	int (*load)(struct vm *vm, const struct snap_r *r, bool check);
};

void device_register(const struct device *dev);
/* Run every device's check (all, each logging its complaint).  0 or the first -errno. */
int devices_check(void);
/* Run all inits; on failure unwind those already done.  0 or -errno. */
int devices_init(struct vm *vm);
void devices_exit(struct vm *vm);
/* Every initialised device's save, or load (see struct device).  0 or the first -errno. */
int devices_save(struct vm *vm, struct snap_w *w);
int devices_load(struct vm *vm, const struct snap_r *r, bool check);

#define DEVICE_REGISTER(d) \
	static void __attribute__((constructor)) device_reg_##d(void) \
	{ device_register(&(d)); }

#endif
