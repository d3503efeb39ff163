/* memslot.c -- KVM memory slots for RAM, firmware and temporary pages; see memslot.h. */
#include <errno.h>
#include <linux/kvm.h>
#include <sys/ioctl.h>

#include <stdlib.h>

#include "core/dirty.h"
#include "core/gmem.h"
#include "core/memslot.h"
#include "core/vm.h"

static int set_slot(struct vm *vm, uint32_t slot, uint64_t gpa, uint64_t size, void *host,
		    bool readonly)
{
	struct kvm_userspace_memory_region r = {
		.slot = slot,
		.flags = vm_dirty_slot_flags(vm, readonly),
		.guest_phys_addr = gpa,
		.memory_size = size,
		.userspace_addr = (uint64_t)(uintptr_t)host,
	};

	return ioctl(vm->vm_fd, KVM_SET_USER_MEMORY_REGION, &r) < 0 ? -errno : 0;
}

int vm_map(struct vm *vm, uint64_t gpa, uint64_t size, void *host, bool readonly)
{
	int r = set_slot(vm, vm->next_slot, gpa, size, host, readonly);

	if (!r)
		vm->next_slot++;
	return r;
}

/* The next RAM slot, mapping [gpa, gpa+size) at host (kept in vm->dirty.slots). */
static int add_ram_slot(struct vm *vm, uint64_t gpa, uint64_t size, uint8_t *host, bool ro)
{
	struct vm_dirty *d = &vm->dirty;
	int r;

	if (vm->ram_slots >= d->cap) {
		int cap = d->cap ? d->cap * 2 : 16;
		struct ram_slot *p = realloc(d->slots, (size_t)cap * sizeof(*p));

		if (!p)
			return -ENOMEM;
		d->slots = p;
		d->cap = cap;
	}
	r = set_slot(vm, VM_RAM_SLOT_BASE + (uint32_t)vm->ram_slots, gpa, size, host, ro);
	if (r)
		return r;
	d->slots[vm->ram_slots] = (struct ram_slot){ gpa, size, (uint64_t)(host - vm->mem.host), ro };
	vm->ram_slots++;
	d->nslots = vm->ram_slots;
	return 0;
}

int vm_ram_relayout(struct vm *vm)
{
	const struct vm_dirty *d = &vm->dirty;
	int r = 0;

	/* the same slots, their flags changed: KVM allows that in place */
	for (int i = 0; i < vm->ram_slots && !r; i++)
		r = set_slot(vm, VM_RAM_SLOT_BASE + (uint32_t)i, d->slots[i].gpa, d->slots[i].size,
			     vm->mem.host + d->slots[i].host_off, d->slots[i].ro);
	return r;
}

/* One RAM region [gpa, gpa+size) at host, split around the trapped pages in it. */
static int lay_region(struct vm *vm, uint64_t gpa, uint64_t size, uint8_t *host,
		      const uint64_t *pages, const enum ram_trap *traps, int n)
{
	uint64_t at = gpa, end = gpa + size;
	int r;

	for (int i = 0; i <= n; i++) {
		uint64_t pg = i < n ? pages[i] : end;

		if (i < n && (pg < gpa || pg >= end))
			continue;
		if (pg > at) {
			r = add_ram_slot(vm, at, pg - at, host + (at - gpa), false);
			if (r)
				return r;
		}
		if (i == n)
			break;
		if (traps[i] == RAM_TRAP_WRITE) {
			r = add_ram_slot(vm, pg, TRAP_PAGE_SIZE, host + (pg - gpa), true);
			if (r)
				return r;
		}
		at = pg + TRAP_PAGE_SIZE;
	}
	return 0;
}

int vm_ram_layout(void *opaque, const uint64_t *pages, const enum ram_trap *traps, int n)
{
	struct vm *vm = opaque;
	uint64_t high = vm->mem.size - vm->mem.low_size;
	int r;

	/* delete every RAM slot (their dirty logs kept first), then lay them out anew */
	vm_dirty_harvest(vm);
	r = vm_dirty_trapped(vm, pages, n);
	if (r)
		return r;
	for (int i = 0; i < vm->ram_slots; i++)
		set_slot(vm, VM_RAM_SLOT_BASE + (uint32_t)i, 0, 0, NULL, false);
	vm->ram_slots = 0;
	vm->dirty.nslots = 0;
	r = lay_region(vm, 0, vm->mem.low_size, vm->mem.host, pages, traps, n);
	if (!r && high)
		r = lay_region(vm, GMEM_HIGH_BASE, high, vm->mem.host + vm->mem.low_size,
			       pages, traps, n);
	if (r && n)
		vm_ram_layout(vm, NULL, NULL, 0);
	return r;
}

/*
 * KVM refuses overlapping slots: two vCPUs that execute from the same trapped
 * page at once share one temporary slot, taken away when the last is done.
 */
int vm_map_temp(struct vm *vm, int id, uint64_t gpa)
{
	void *host = gmem_ptr(&vm->mem, gpa, TRAP_PAGE_SIZE);
	int r = 0, s, free_s = -1;

	if (!host)
		return -EFAULT;
	pthread_mutex_lock(&vm->temp_lock);
	for (s = 0; s < vm->ncpus; s++) {
		if (vm->temp_refs[s] && vm->temp_gpa[s] == gpa)
			break;
		if (!vm->temp_refs[s] && free_s < 0)
			free_s = s;
	}
	if (s == vm->ncpus) {
		/* as many slots as vCPUs, each vCPU in one at most: one is free */
		s = free_s;
		r = set_slot(vm, VM_TEMP_SLOT_BASE + (uint32_t)s, gpa, TRAP_PAGE_SIZE, host, true);
		if (!r)
			vm->temp_gpa[s] = gpa;
	}
	if (!r) {
		vm->temp_refs[s]++;
		vm->temp_of[id] = s;
	}
	pthread_mutex_unlock(&vm->temp_lock);
	return r;
}

void vm_unmap_temp(struct vm *vm, int id)
{
	int s;

	pthread_mutex_lock(&vm->temp_lock);
	s = vm->temp_of[id];
	if (vm->temp_refs[s] && !--vm->temp_refs[s])
		set_slot(vm, VM_TEMP_SLOT_BASE + (uint32_t)s, 0, 0, NULL, false);
	pthread_mutex_unlock(&vm->temp_lock);
}
