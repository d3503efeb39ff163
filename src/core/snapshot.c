/* snapshot.c -- the whole machine, taken and put back; see snapshot.h. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/device.h"
#include "core/dirty.h"
#include "core/snapshot.h"
#include "core/vcpu.h"
#include "core/vm.h"
#include "util.h"

/* The first record: the geometry a snapshot fits. */
#define TAG_HEAD	SNAP_TAG('H', 'Y', 'V', 'E')
struct snap_head {
	uint32_t version;		/* of the record layout (SNAP_FORMAT) */
	uint32_t ncpus;
	uint64_t mem_size;
};
#define SNAP_FORMAT	1

static struct vm_snap *vsnap(struct vm *vm)
{
	if (!vm->snap) {
		vm->snap = calloc(1, sizeof(*vm->snap));
		if (vm->snap)
			clock_gettime(CLOCK_MONOTONIC, &vm->snap->t0);
	}
	return vm->snap;
}

uint64_t snapshot_clock_ns(struct vm *vm)
{
	struct vm_snap *vs = vsnap(vm);
	struct timespec now;

	if (!vs)
		return 0;
	clock_gettime(CLOCK_MONOTONIC, &now);
	return (uint64_t)(now.tv_sec - vs->t0.tv_sec) * 1000000000ULL +
	       (uint64_t)(now.tv_nsec - vs->t0.tv_nsec);
}

/* The guest-physical address of the page at this offset of the RAM mapping. */
static uint64_t page_gpa(const struct vm *vm, uint64_t page)
{
	uint64_t off = page * RAMIMG_PAGE;

	return off < vm->mem.low_size ? off : GMEM_HIGH_BASE + (off - vm->mem.low_size);
}

/* A copied page: the debugger's breakpoint bytes replaced by what they cover. */
static void unbreak(void *opaque, uint64_t page, uint8_t *data)
{
	struct vm *vm = opaque;

	trap_swbp_shadow(&vm->swbp, page_gpa(vm, page), data, RAMIMG_PAGE);
}

void snapshot_free(struct snapshot *s)
{
	if (!s)
		return;
	snapw_free(&s->state);
	ramimg_free(s->ram);
	free(s);
}

int snapshot_take(struct vm *vm, struct snapshot **out, char *err, size_t errlen)
{
	struct vm_snap *vs = vsnap(vm);
	struct snapshot *s = calloc(1, sizeof(*s));
	struct snap_head h = { SNAP_FORMAT, (uint32_t)vm->ncpus, vm->mem.size };
	int r;

	if (!s || !vs) {
		free(s);
		snprintf(err, errlen, "out of memory");
		return -ENOMEM;
	}
	if (vcpu_park_all_for_state(vm)) {
		free(s);
		snprintf(err, errlen, "the machine is running");
		return -EBUSY;
	}
	s->ncpus = vm->ncpus;
	s->mem_size = vm->mem.size;
	s->date = time(NULL);
	s->clock_ns = snapshot_clock_ns(vm);
	snapw_put(&s->state, TAG_HEAD, 0, &h, sizeof(h));
	r = arch_vm_save(vm, &s->state);
	for (int i = 0; !r && i < vm->ncpus; i++)
		r = arch_vcpu_save(vm->vcpus[i], &s->state);
	if (!r)
		r = devices_save(vm, &s->state);
	if (!r)
		r = s->state.err;
	if (r) {
		snprintf(err, errlen, "saving the machine's state: %s", strerror(-r));
		snapshot_free(s);
		return r;
	}
	/* the first snapshot copies all of RAM and starts the dirty log for the next */
	if (!vs->point) {
		r = vm_dirty_start(vm);
		if (r)
			log_warn("snapshot: no dirty page log (%s): every snapshot copies all of RAM",
				 strerror(-r));
	} else if (vm->dirty.on) {
		vm_dirty_sync(vm);
	}
	s->ram = ramimg_take(vm->mem.host, vm->mem.size / RAMIMG_PAGE,
			     vm->dirty.on ? vs->point : NULL, vm->dirty.bits, unbreak, vm);
	if (!s->ram) {
		snprintf(err, errlen, "out of memory for a copy of RAM");
		snapshot_free(s);
		return -ENOMEM;
	}
	s->own_pages = s->ram->own;
	ramimg_free(vs->point);
	vs->point = ramimg_ref(s->ram);
	vm_dirty_clear(vm);
	*out = s;
	return 0;
}

/* Does the snapshot fit this machine, are all its records sound?  Nothing changes. */
static int check(struct vm *vm, const struct snapshot *s, char *err, size_t errlen)
{
	struct snap_r rd = { s->state.p, s->state.len };
	struct snap_head h;
	int r;

	if (snapr_check(&rd) || snapr_get(&rd, TAG_HEAD, 0, &h, sizeof(h)) ||
	    h.version != SNAP_FORMAT) {
		snprintf(err, errlen, "the snapshot is damaged or of another format");
		return -EINVAL;
	}
	if ((int)h.ncpus != vm->ncpus) {
		snprintf(err, errlen, "the snapshot has %u vCPUs, this machine %d", h.ncpus,
			 vm->ncpus);
		return -EINVAL;
	}
	if (h.mem_size != vm->mem.size || !s->ram ||
	    s->ram->npages != vm->mem.size / RAMIMG_PAGE) {
		snprintf(err, errlen, "the snapshot has %llu MiB of RAM, this machine %llu MiB",
			 (unsigned long long)(h.mem_size >> 20),
			 (unsigned long long)(vm->mem.size >> 20));
		return -EINVAL;
	}
	r = arch_vm_load(vm, &rd, true);
	for (int i = 0; !r && i < vm->ncpus; i++)
		r = arch_vcpu_load(vm->vcpus[i], &rd, true);
	if (!r)
		r = devices_load(vm, &rd, true);
	if (r)
		snprintf(err, errlen, "the snapshot's machine state is damaged or incomplete (%s)",
			 strerror(-r));
	return r;
}

int snapshot_restore(struct vm *vm, const struct snapshot *s, char *err, size_t errlen)
{
	struct vm_snap *vs = vsnap(vm);
	struct snap_r rd = { s->state.p, s->state.len };
	int r;

	if (!vs) {
		snprintf(err, errlen, "out of memory");
		return -ENOMEM;
	}
	if (vcpu_park_all_for_state(vm)) {
		snprintf(err, errlen, "the machine is running");
		return -EBUSY;
	}
	r = check(vm, s, err, errlen);
	if (r)
		return r;
	/* RAM: the pages that differ from the point RAM is at, and those written since */
	if (vm->dirty.on)
		vm_dirty_sync(vm);
	ramimg_put(vm->mem.host, s->ram, vm->dirty.on ? vs->point : NULL, vm->dirty.bits);
	trap_swbp_rearm(&vm->swbp);
	r = arch_vm_load(vm, &rd, false);
	for (int i = 0; !r && i < vm->ncpus; i++)
		r = arch_vcpu_load(vm->vcpus[i], &rd, false);
	if (!r)
		r = devices_load(vm, &rd, false);
	for (int i = 0; i < vm->ncpus; i++) {
		vm->vcpus[i]->need_completion = false;
		vm->vcpus[i]->maybe_uninit = true;
	}
	if (r) {
		/* checked beforehand: only KVM itself refusing a state gets here */
		snprintf(err, errlen, "KVM refused part of the snapshot's state: %s", strerror(-r));
		return r;
	}
	if (!vs->point)
		vm_dirty_start(vm);
	ramimg_free(vs->point);
	vs->point = ramimg_ref(s->ram);
	vm_dirty_clear(vm);
	return 0;
}

static int find_named(struct vm_snap *vs, const char *name)
{
	for (int i = 0; vs && i < vs->nnamed; i++)
		if (!strcmp(vs->named[i]->name, name))
			return i;
	return -1;
}

const struct snapshot *snapshot_find(struct vm *vm, const char *name)
{
	int i = find_named(vm->snap, name);

	return i < 0 ? NULL : vm->snap->named[i];
}

int snapshot_keep(struct vm *vm, struct snapshot *s)
{
	struct vm_snap *vs = vsnap(vm);
	int i;

	if (!vs)
		return -ENOMEM;
	i = find_named(vs, s->name);
	if (i >= 0) {
		snapshot_free(vs->named[i]);
		vs->named[i] = s;
		return 0;
	}
	if (vs->nnamed == vs->cap) {
		int cap = vs->cap ? vs->cap * 2 : 8;
		struct snapshot **p = realloc(vs->named, (size_t)cap * sizeof(struct snapshot *));

		if (!p)
			return -ENOMEM;
		vs->named = p;
		vs->cap = cap;
	}
	vs->named[vs->nnamed++] = s;
	return 0;
}

int snapshot_save_named(struct vm *vm, const char *name, char *err, size_t errlen)
{
	struct snapshot *s;
	int r;

	if (!*name || strlen(name) >= SNAP_NAME_MAX) {
		snprintf(err, errlen, "a snapshot's name is 1 to %d characters", SNAP_NAME_MAX - 1);
		return -EINVAL;
	}
	r = snapshot_take(vm, &s, err, errlen);
	if (r)
		return r;
	snprintf(s->name, sizeof(s->name), "%s", name);
	r = snapshot_keep(vm, s);
	if (r) {
		snprintf(err, errlen, "out of memory");
		snapshot_free(s);
	}
	return r;
}

int snapshot_load_named(struct vm *vm, const char *name, char *err, size_t errlen)
{
	const struct snapshot *s = snapshot_find(vm, name);

	if (!s) {
		snprintf(err, errlen, "Snapshot '%s' does not exist", name);
		return -ENOENT;
	}
	return snapshot_restore(vm, s, err, errlen);
}

int snapshot_del_named(struct vm *vm, const char *name, char *err, size_t errlen)
{
	struct vm_snap *vs = vm->snap;
	int i = find_named(vs, name);

	if (i < 0) {
		snprintf(err, errlen, "Snapshot '%s' does not exist", name);
		return -ENOENT;
	}
	snapshot_free(vs->named[i]);
	memmove(&vs->named[i], &vs->named[i + 1], (size_t)(vs->nnamed - i - 1) * sizeof(struct snapshot *));
	vs->nnamed--;
	return 0;
}

void snapshot_destroy_all(struct vm *vm)
{
	struct vm_snap *vs = vm->snap;

	if (!vs)
		return;
	for (int i = 0; i < vs->nnamed; i++)
		snapshot_free(vs->named[i]);
	free(vs->named);
	ramimg_free(vs->point);
	free(vs);
	vm->snap = NULL;
}

int snapshot_read_phys(const struct vm *vm, const struct snapshot *s, uint64_t gpa, uint8_t *buf,
		       size_t len)
{
	while (len) {
		uint8_t *host;
		uint64_t n = gmem_span(&vm->mem, gpa, &host), off, in;
		const uint8_t *pg;

		if (!n)
			return -EFAULT;
		off = (uint64_t)(host - vm->mem.host);
		in = off % RAMIMG_PAGE;
		n = MIN(MIN(n, len), RAMIMG_PAGE - in);
		pg = ramimg_page(s->ram, off / RAMIMG_PAGE);
		if (pg)
			memcpy(buf, pg + in, n);
		else
			memset(buf, 0, n);
		buf += n;
		gpa += n;
		len -= n;
	}
	return 0;
}
