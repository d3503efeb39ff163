/*
 * vm.h -- the KVM virtual machine: RAM and memory slots, irqchip and PIT,
 * vCPUs, and the way the machine ends.
 */
#ifndef HYVE_VM_H
#define HYVE_VM_H

#include <pthread.h>
#include <stdbool.h>
#include <stdint.h>

#include "core/gmem.h"

#define VM_MAX_CPUS	64
/* Memory slot ids: firmware and such from 0, per-vCPU temporary ones, then RAM. */
#define VM_TEMP_SLOT_BASE 16		/* + vCPU id: a page mapped for one step */
#define VM_RAM_SLOT_BASE 128		/* RAM slots use ids from here up */

struct vcpu;

/* Why the machine stopped; hyve's exit status (documented in hyve.1). */
enum vm_exit_status {
	EXIT_POWEROFF	= 0,	/* guest powered off (ACPI S5) */
	EXIT_ERROR	= 1,	/* hyve error: bad input, KVM failure */
	EXIT_RESET	= 2,	/* guest reset request (i8042 0xfe, port 0xcf9) */
	EXIT_TRIPLE	= 3,	/* triple fault / shutdown */
	EXIT_INTERNAL	= 4,	/* unexpected exit or KVM internal error */
	/* debug-exit port: the guest's byte becomes the status as is */
};

struct vm {
	int kvm_fd;
	int vm_fd;
	int run_size;			/* mmap size of struct kvm_run */
	struct gmem mem;
	const uint8_t *rom;		/* firmware image mapped read-only (NULL: none) */
	uint64_t rom_gpa, rom_size;
	uint32_t next_slot;		/* next free slot id below VM_RAM_SLOT_BASE */
	int ram_slots;			/* slots in use from VM_RAM_SLOT_BASE up */
	int ncpus;
	struct vcpu *vcpus[VM_MAX_CPUS];
	const struct kvm_cpuid2 *cpuid;	/* filtered CPUID for every vCPU */

	/*
	 * Set by the debug server: offered every guest-caused end of the machine
	 * (power-off, reset, triple fault, internal error, debug-exit) first; returns
	 * true if it keeps the machine for the debugger instead.  Called on the vCPU
	 * thread whose guest caused it.
	 */
	bool (*guest_exit_hook)(struct vm *vm, struct vcpu *v, int status, const char *why);

	/* Guarded by lock: the end of the machine. */
	pthread_mutex_t lock;
	pthread_cond_t done_cond;
	bool done;
	int exit_status;
};

/* The VM (one per process); NULL before vm_create. */
extern struct vm *the_vm;

/* Create the VM with `ncpus` vCPUs and `mem_size` bytes of RAM.  0 or -errno (err set). */
int vm_create(struct vm *vm, int ncpus, uint64_t mem_size, char *err, size_t errlen);
void vm_destroy(struct vm *vm);

/* Map host memory at a GPA as a memory slot.  0 or -errno. */
int vm_map(struct vm *vm, uint64_t gpa, uint64_t size, void *host, bool readonly);

/*
 * Map one page of RAM read-only for vCPU `id` for a moment (it must execute an
 * instruction from a page trapped without a slot), and take it away again.
 * Safe while other vCPUs run: no other slot covers a fully trapped page.
 */
int vm_map_temp(struct vm *vm, int id, uint64_t gpa);
void vm_unmap_temp(struct vm *vm, int id);

/* How a RAM page is trapped (watchpoints): its accesses exit to hyve. */
enum ram_trap { RAM_TRAP_NONE, RAM_TRAP_WRITE /* read-only slot */, RAM_TRAP_ALL /* no slot */ };

/*
 * Re-lay the RAM memory slots so that each listed guest-physical page (4 KiB
 * aligned, sorted, no duplicates) is trapped as given.  Only while every vCPU is
 * parked.  0 or -errno (the old layout is then restored as far as possible).
 */
int vm_ram_layout(struct vm *vm, const uint64_t *pages, const enum ram_trap *traps, int n);

/* Assert (level 1) or deassert an interrupt line of the in-kernel irqchip. */
int vm_irq_line(struct vm *vm, unsigned irq, int level);

/*
 * Ask the machine to end with `status` (first caller wins); `why` is logged.
 * Safe from any thread, including vCPU threads.
 */
void vm_request_exit(struct vm *vm, int status, const char *why);
/* Like vm_request_exit, never offered to guest_exit_hook (the debugger's own). */
void vm_force_exit(struct vm *vm, int status, const char *why);
/* Block until vm_request_exit; returns the status. */
int vm_wait(struct vm *vm);

#endif
