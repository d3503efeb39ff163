/*
 * memslot.h -- KVM memory slots: guest RAM laid out as slots (split around
 * the pages a watchpoint traps), firmware and other fixed mappings, and the
 * per-vCPU temporary page a vCPU needs to execute from a page trapped
 * without a slot.  Slot ids: fixed mappings from 0, temporary pages from
 * VM_TEMP_SLOT_BASE (one per vCPU at most), RAM from VM_RAM_SLOT_BASE up.
 */
#ifndef HYVE_MEMSLOT_H
#define HYVE_MEMSLOT_H

#include <stdbool.h>
#include <stdint.h>

#include "core/trap_page.h"

struct vm;

#define VM_TEMP_SLOT_BASE 16		/* + i: temporary slot i, a page mapped for one step */
#define VM_RAM_SLOT_BASE 128		/* RAM slots use ids from here up */

/* Map host memory at a GPA as the next fixed slot.  0 or -errno. */
int vm_map(struct vm *vm, uint64_t gpa, uint64_t size, void *host, bool readonly);

/*
 * Re-lay the RAM memory slots so that each listed guest-physical page (4 KiB
 * aligned, sorted, no duplicates) is trapped as given.  Only while every vCPU
 * is stopped.  0 or -errno (the untrapped layout is then restored as far as
 * possible).  `vm` is a struct vm (the signature is trap_layout_fn's).
 */
int vm_ram_layout(void *vm, const uint64_t *pages, const enum ram_trap *traps, int n);

/* The RAM slots as they are, set again with the flags in force now (dirty logging).  0 or -errno. */
int vm_ram_relayout(struct vm *vm);

/*
 * Map one page of RAM read-only for vCPU `id` for a moment (it must execute an
 * instruction from a page trapped without a slot), and take it away again.
 * Safe while other vCPUs run: no other slot covers a fully trapped page, and
 * vCPUs that need the same page at once share its slot.
 */
int vm_map_temp(struct vm *vm, int id, uint64_t gpa);
void vm_unmap_temp(struct vm *vm, int id);

#endif
