/*
 * device.h -- how a device plugs in.  Each device file defines one
 * `static const struct device` and registers it with DEVICE_REGISTER(name);
 * start-up calls every init by `prio` (lower first, then by name: never in
 * link order), and every exit in reverse on shutdown.
 */
#ifndef HYVE_DEVICE_H
#define HYVE_DEVICE_H

struct vm;

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
};

void device_register(const struct device *dev);
/* Run every device's check (all, each logging its complaint).  0 or the first -errno. */
int devices_check(void);
/* Run all inits; on failure unwind those already done.  0 or -errno. */
int devices_init(struct vm *vm);
void devices_exit(struct vm *vm);

#define DEVICE_REGISTER(d) \
	static void __attribute__((constructor)) device_reg_##d(void) \
	{ device_register(&(d)); }

#endif
