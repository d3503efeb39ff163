/*
 * vm.h -- the KVM virtual machine: its file descriptors, RAM and memory
 * slots, the vCPUs, and the per-VM tables every layer shares: the port/MMIO
 * bus, the software-breakpoint table, the trapped pages and run control.
 */
#ifndef HYVE_VM_H
#define HYVE_VM_H

#include <pthread.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#include "arch/arch.h"
#include "core/dirty.h"
#include "core/gmem.h"
#include "core/io.h"
#include "core/runctl.h"
#include "core/trap_page.h"
#include "core/trap_swbp.h"

#define VM_MAX_CPUS	64

struct vcpu;

/* Why the machine stopped; hyve's exit status (documented in hyve.1). */
enum vm_exit_status {
	EXIT_POWEROFF	= 0,	/* guest powered off (ACPI S5) */
	EXIT_ERROR	= 1,	/* hyve error: bad input, KVM failure */
	EXIT_RESET	= 2,	/* guest reset request (i8042 0xfe, port 0xcf9) */
	EXIT_TRIPLE	= 3,	/* triple fault / shutdown */
	EXIT_INTERNAL	= 4,	/* unexpected exit or KVM internal error */
	EXIT_PANIC	= 5,	/* the guest kernel panicked (pvpanic) */
	/* debug-exit port: the guest's byte becomes the status as is */
};

struct vm {
	/* Set up by vm_create, constant while the vCPUs run. */
	int kvm_fd;
	int vm_fd;
	int run_size;			/* mmap size of struct kvm_run */
	struct gmem mem;
	const uint8_t *rom;		/* firmware image mapped read-only (NULL: none) */
	uint64_t rom_gpa, rom_size;
	int ncpus;
	struct vcpu *vcpus[VM_MAX_CPUS];
	struct arch_vm arch;

	/*
	 * Where the loader put the image's segments (boot.c; constant once the
	 * vCPUs run): the debugger translates through them an address the vCPU
	 * cannot translate yet (breakpoints at a kernel's entry before it turns
	 * paging on).
	 */
	struct vm_segment {
		uint64_t va, gpa, len;
	} boot_segs[16];
	int nboot_segs;

	/* What a reset restores (boot.c): the images, every vCPU's state at boot. */
	struct boot_images *boot_img;
	struct vcpu_state *boot_states;

	/* Memory slots (core/memslot.c): start-up, or with every vCPU stopped. */
	uint32_t next_slot;		/* next free fixed slot id */
	int ram_slots;			/* slots in use from VM_RAM_SLOT_BASE up */
	struct vm_dirty dirty;		/* the RAM slots as laid out, and dirty pages (core/dirty.h) */
	struct vm_snap *snap;		/* snapshots kept in memory, and the point RAM is at
					 * (core/snapshot.c; NULL until the first) */
	/* The temporary pages (vm_map_temp), shared by vCPUs that need the same one. */
	pthread_mutex_t temp_lock;	/* guards the three below; any vCPU thread */
	uint64_t temp_gpa[VM_MAX_CPUS];	/* what temporary slot i maps ... */
	int temp_refs[VM_MAX_CPUS];	/* ... for this many vCPUs (0: free) */
	int temp_of[VM_MAX_CPUS];	/* the slot vCPU i uses */
	/*
	 * With more than one vCPU: held for reading around each KVM_RUN that
	 * may run guest code, for writing by a vCPU that executes one
	 * instruction from a page holding a page-trap breakpoint with that page
	 * mapped for every vCPU (core/vcpu_loop.c), so that no other vCPU runs
	 * past the breakpoint meanwhile.  Prefers writers.
	 */
	pthread_rwlock_t exec_gate;

	/* Shared tables; each has its own lock (see their headers). */
	struct io_bus io;		/* port I/O and MMIO devices */
	struct trap_swbp swbp;		/* software breakpoints by GPA */
	struct trap_page traps;		/* pages trapped for watchpoints */
	struct runctl ctl;		/* run control, and the end of the machine */

	/*
	 * Set by the debug server before the vCPUs start: offered every
	 * guest-caused end of the machine (power-off, reset, triple fault,
	 * internal error, debug-exit) first, on the run loop of the vCPU whose
	 * guest caused it; returns true if it keeps the machine stopped for the
	 * debugger instead.
	 */
	bool (*guest_exit_hook)(void *opaque, struct vcpu *v, int status, const char *why);
	void *guest_exit_opaque;
	/*
	 * Set by the debug server before the vCPUs start: offered every
	 * breakpoint or watchpoint hit of a vCPU running freely (v->ev says
	 * which), on that vCPU's thread, before any other vCPU is asked to
	 * stop; it evaluates the debugger's conditions and commands there and
	 * says whether the hit is a stop at all (enum hit_verdict).
	 */
	enum hit_verdict (*hit_filter)(void *opaque, struct vcpu *v);
	void *hit_filter_opaque;
};

/* A VM with no KVM behind it yet: every table set up empty, fds -1 (tests use it). */
void vm_init(struct vm *vm, int ncpus);
/* Create the VM with `ncpus` vCPUs and `mem_size` bytes of RAM.  0 or -errno (err set). */
int vm_create(struct vm *vm, int ncpus, uint64_t mem_size, char *err, size_t errlen);
/* Is mem_size guest RAM possible on this host?  0 or -ENOMEM with err set; no KVM. */
int vm_check_memory(uint64_t mem_size, char *err, size_t errlen);
void vm_destroy(struct vm *vm);

/* Assert (level 1) or deassert an interrupt line of the in-kernel irqchip. */
int vm_irq_line(struct vm *vm, unsigned irq, int level);

/* ---- what the architecture provides (arch/<name>/) ---- */

/* After KVM_CREATE_VM: the arch's capabilities, in-kernel devices and vm->arch.  0 or -errno (err set). */
int arch_vm_init(struct vm *vm, char *err, size_t errlen);
void arch_vm_destroy(struct vm *vm);
/* What the arch learnt about the host's KVM (hyve --probe): "key: value" lines. */
void arch_vm_report(struct vm *vm, FILE *f);
/*
 * Snapshots, every vCPU stopped: the VM-wide state KVM keeps (in-kernel
 * interrupt controllers, timers, the guest clock) as records, and back;
 * `check` as for struct device's load.  0 or -errno.
 */
struct snap_w;
struct snap_r;
int arch_vm_save(struct vm *vm, struct snap_w *w);
int arch_vm_load(struct vm *vm, const struct snap_r *r, bool check);

#endif
