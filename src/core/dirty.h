/*
 * dirty.h -- which pages of guest RAM changed since the machine's last
 * snapshot point (core/snapshot.c): KVM's dirty log of the RAM slots for
 * what the vCPUs write, hyve's own marks for what it writes itself (virtio
 * DMA, the debugger's memory writes), and every trapped page (written by
 * hyve's emulation of the guest's accesses) counted as dirty always.
 * Nothing is tracked until the first snapshot asks for it: a machine that
 * never takes one pays nothing.
 */
#ifndef HYVE_DIRTY_H
#define HYVE_DIRTY_H

#include <stdbool.h>
#include <stdint.h>

struct vm;

/* One RAM memory slot as laid out (core/memslot.c keeps the list). */
struct ram_slot {
	uint64_t gpa, size, host_off;	/* host_off: offset in the RAM mapping */
	bool ro;
};

struct vm_dirty {
	bool on;			/* KVM logs the RAM slots' dirty pages */
	uint64_t npages;		/* pages of RAM */
	uint64_t *bits;			/* one bit per page, by offset in the RAM mapping */
	struct ram_slot *slots;		/* the RAM slots as laid out now */
	int nslots, cap;
	uint64_t *trapped;		/* the pages trapped now (hyve writes them: always dirty) */
	int ntrapped;
};

/* Start logging (every vCPU stopped).  0 or -errno; -ENOTSUP where KVM cannot. */
int vm_dirty_start(struct vm *vm);
/* Fold KVM's logs into the bitmap (every vCPU stopped; before slots change too).  0 or -errno. */
int vm_dirty_sync(struct vm *vm);
/* Forget every mark: RAM now equals the snapshot point. */
void vm_dirty_clear(struct vm *vm);
/* Any thread: hyve wrote [gpa, gpa+len) of RAM itself. */
void vm_dirty_mark(struct vm *vm, uint64_t gpa, uint64_t len);
/* Every page dirty (RAM rewritten as a whole: a reset). */
void vm_dirty_all(struct vm *vm);
void vm_dirty_destroy(struct vm *vm);

/* memslot.c, before it deletes slots: only KVM's logs, into the bitmap (traps' lock may be held). */
int vm_dirty_harvest(struct vm *vm);
/*
 * memslot.c, as the trapped pages change: the pages trapped until now and
 * those trapped from now on both count as dirty (hyve completed the
 * guest's writes to them itself, which KVM's log never sees).  0 or -ENOMEM.
 */
int vm_dirty_trapped(struct vm *vm, const uint64_t *pages, int n);
/* memslot.c: the flags a RAM slot gets (dirty logging once on). */
uint32_t vm_dirty_slot_flags(const struct vm *vm, bool ro);

#endif
