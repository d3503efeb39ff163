/* dirty.c -- dirty pages of guest RAM; see dirty.h. */
#include <errno.h>
#include <linux/kvm.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>

#include "core/dirty.h"
#include "core/memslot.h"
#include "core/vm.h"
#include "util.h"

#define PAGE	4096u

uint32_t vm_dirty_slot_flags(const struct vm *vm, bool ro)
{
	if (ro)
		return KVM_MEM_READONLY;
	return vm->dirty.on ? KVM_MEM_LOG_DIRTY_PAGES : 0;
}

static void set_bit(uint64_t *bits, uint64_t i)
{
	__atomic_fetch_or(&bits[i / 64], 1ULL << (i % 64), __ATOMIC_RELAXED);
}

int vm_dirty_start(struct vm *vm)
{
	struct vm_dirty *d = &vm->dirty;

	if (d->on)
		return 0;
	d->npages = vm->mem.size / PAGE;
	if (!d->bits) {
		d->bits = calloc((d->npages + 63) / 64 + 1, sizeof(uint64_t));
		if (!d->bits)
			return -ENOMEM;
	}
	d->on = true;
	/* every RAM slot again, now with KVM_MEM_LOG_DIRTY_PAGES */
	if (vm_ram_relayout(vm) < 0) {
		d->on = false;
		vm_ram_relayout(vm);
		return -ENOTSUP;
	}
	return 0;
}

int vm_dirty_harvest(struct vm *vm)
{
	struct vm_dirty *d = &vm->dirty;
	uint64_t *log = NULL;
	size_t cap = 0;
	int r = 0;

	if (!d->on)
		return 0;
	for (int s = 0; s < d->nslots; s++) {
		const struct ram_slot *rs = &d->slots[s];
		uint64_t np = rs->size / PAGE, words = (np + 63) / 64;
		size_t need = (size_t)words * sizeof(uint64_t);
		struct kvm_dirty_log dl = { .slot = VM_RAM_SLOT_BASE + (uint32_t)s };

		if (rs->ro || need == 0)
			continue;
		if (need > cap || !log) {
			uint64_t *p = realloc(log, need);

			if (!p) {
				r = -ENOMEM;
				break;
			}
			log = p;
			cap = need;
		}
		memset(log, 0, need);
		dl.dirty_bitmap = log;
		if (ioctl(vm->vm_fd, KVM_GET_DIRTY_LOG, &dl) < 0) {
			r = -errno;
			/* unknown: count the whole slot as written */
			memset(log, 0xff, need);
		}
		for (uint64_t w = 0; w < words; w++)
			for (uint64_t bits = log[w]; bits; bits &= bits - 1) {
				uint64_t pg = w * 64 + (uint64_t)__builtin_ctzll(bits);

				if (pg < np)
					set_bit(d->bits, rs->host_off / PAGE + pg);
			}
	}
	free(log);
	return r;
}

int vm_dirty_sync(struct vm *vm)
{
	int r = vm_dirty_harvest(vm);

	if (!vm->dirty.on)
		return 0;
	/* pages with a watched byte are written by hyve's emulation: always dirty */
	for (int i = 0; i < vm->dirty.ntrapped; i++)
		vm_dirty_mark(vm, vm->dirty.trapped[i], PAGE);
	return r;
}

int vm_dirty_trapped(struct vm *vm, const uint64_t *pages, int n)
{
	struct vm_dirty *d = &vm->dirty;
	uint64_t *p = NULL;

	for (int i = 0; i < d->ntrapped; i++)
		vm_dirty_mark(vm, d->trapped[i], PAGE);
	if (n) {
		p = malloc((size_t)n * sizeof(*p));
		if (!p)
			return -ENOMEM;
		memcpy(p, pages, (size_t)n * sizeof(*p));
	}
	free(d->trapped);
	d->trapped = p;
	d->ntrapped = n;
	return 0;
}

void vm_dirty_clear(struct vm *vm)
{
	if (vm->dirty.bits)
		memset(vm->dirty.bits, 0, ((vm->dirty.npages + 63) / 64 + 1) * sizeof(uint64_t));
}

void vm_dirty_mark(struct vm *vm, uint64_t gpa, uint64_t len)
{
	struct vm_dirty *d = &vm->dirty;
	uint8_t *host;

	if (!d->on || !len)
		return;
	while (len) {
		uint64_t n = gmem_span(&vm->mem, gpa, &host);
		uint64_t off, first, last;

		if (!n)
			return;
		n = MIN(n, len);
		off = (uint64_t)(host - vm->mem.host);
		first = off / PAGE;
		last = (off + n - 1) / PAGE;
		for (uint64_t p = first; p <= last && p < d->npages; p++)
			set_bit(d->bits, p);
		gpa += n;
		len -= n;
	}
}

void vm_dirty_all(struct vm *vm)
{
	if (vm->dirty.bits)
		memset(vm->dirty.bits, 0xff, ((vm->dirty.npages + 63) / 64 + 1) * sizeof(uint64_t));
}

void vm_dirty_destroy(struct vm *vm)
{
	free(vm->dirty.bits);
	free(vm->dirty.slots);
	free(vm->dirty.trapped);
	vm->dirty = (struct vm_dirty){ 0 };
}
