/* device.c -- the device list; see device.h. */
#include <errno.h>
#include <string.h>

#include "core/device.h"
#include "util.h"

#define MAX_DEVICES 32

static const struct device *devices[MAX_DEVICES];	/* filled by constructors */
static int ndevices;
static int ninit;	/* how many (in sorted order) were initialised */

void device_register(const struct device *dev)
{
	int i;

	if (ndevices == MAX_DEVICES)
		return;
	/* keep sorted by prio, then name: start-up order does not depend on link order */
	for (i = ndevices; i > 0; i--) {
		const struct device *p = devices[i - 1];

		if (p->prio < dev->prio || (p->prio == dev->prio && strcmp(p->name, dev->name) <= 0))
			break;
		devices[i] = p;
	}
	devices[i] = dev;
	ndevices++;
}

int devices_check(void)
{
	int first = 0;

	for (int i = 0; i < ndevices; i++) {
		int r = devices[i]->check ? devices[i]->check() : 0;

		if (r && !first)
			first = r;
	}
	return first;
}

int devices_init(struct vm *vm)
{
	for (ninit = 0; ninit < ndevices; ninit++) {
		int r = devices[ninit]->init(vm);

		if (r) {
			devices_exit(vm);
			return r;
		}
	}
	return 0;
}

void devices_exit(struct vm *vm)
{
	while (ninit > 0) {
		const struct device *d = devices[--ninit];

		if (d->exit)
			d->exit(vm);
	}
}

int devices_save(struct vm *vm, struct snap_w *w)
{
	for (int i = 0; i < ninit; i++) {
		int r = devices[i]->save ? devices[i]->save(vm, w) : 0;

		if (r)
			return r;
	}
	return 0;
}

int devices_load(struct vm *vm, const struct snap_r *r, bool check)
{
	for (int i = 0; i < ninit; i++) {
		int e = devices[i]->load ? devices[i]->load(vm, r, check) : 0;

		if (e) {
			if (check)
				log_err("snapshot: the state of device %s is missing or damaged",
					devices[i]->name);
			return e;
		}
	}
	return 0;
}
