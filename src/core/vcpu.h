/*
 * vcpu.h -- one vCPU: its KVM file descriptor and kvm_run page, and what its
 * thread has learnt from the last exits.  The thread itself and the run
 * control built on it (stop all, resume, step, state access while stopped)
 * are in core/runctl.h; the exit table in core/exit.h.
 */
#ifndef HYVE_VCPU_H
#define HYVE_VCPU_H

#include <linux/kvm.h>
#include <pthread.h>
#include <stdbool.h>
#include <stdint.h>

#include "arch/arch.h"

struct vm;
struct boot_state;

/* What a parked vCPU does when released. */
enum vcpu_action {
	VCPU_STAY,		/* remain parked */
	VCPU_RUN,		/* run until stopped */
	VCPU_STEP,		/* run one instruction, then park (debug exit) */
	VCPU_RANGE,		/* step while the pc stays in [range_start, range_end) */
};

/* Why a vCPU parked on its own (the debug server reports it). */
enum vcpu_stop_reason {
	STOP_NONE,		/* parked because someone asked (Ctrl-C, all-stop) */
	STOP_STEP,		/* a single step completed */
	STOP_DEBUG,		/* a debug exit: breakpoint, step (see arch) */
	STOP_BREAK,		/* our software breakpoint (however the host reported it:
				 * an int3 of ours, or a fetch at a page-trap breakpoint) */
	STOP_WATCH,		/* a trapped access hit a watchpoint (watch_type/addr) */
	STOP_GUEST_EXIT,	/* the guest ended the machine (guest_exit_status) */
	STOP_STEP_OVER,		/* not a stop to report: the hit filter let the vCPU go on,
				 * but past our breakpoint byte only with the others stopped */
};

/* What the debugger's hit filter (vm->hit_filter) made of a breakpoint or watchpoint hit. */
enum hit_verdict {
	HIT_STOP,		/* a stop, as without a filter */
	HIT_GO,			/* go on: the filter moved the vCPU past it (its registers set) */
	HIT_STEP_OVER,		/* go on, but the instruction under our breakpoint byte at
				 * ev.step_over_gpa must run with the byte lifted (a
				 * page-trap breakpoint's: with its page mapped) */
};

/* One stop of one vCPU, as the debug server is told of it. */
struct vcpu_stop {
	enum vcpu_stop_reason reason;
	uint64_t seq;			/* order of self-stops: the first one is reported */
	struct kvm_debug_exit_arch arch;	/* of the last debug exit (arch-defined) */
	int watch_type;			/* STOP_WATCH: enum trap_watch_type */
	uint64_t watch_addr;		/* STOP_WATCH: guest-virtual data address */
	int guest_exit_status;		/* STOP_GUEST_EXIT: the exit status it asked for */
};

/*
 * What the exit handlers report back to the run loop (they never call run
 * control themselves): filled by handlers on the vCPU's own thread, read and
 * cleared by the loop after each exit.
 */
struct vcpu_event {
	enum vcpu_stop_reason hint;	/* a debug stop and its kind (STOP_NONE: none) */
	struct kvm_debug_exit_arch arch;	/* KVM_EXIT_DEBUG's details */
	int watch_type;			/* STOP_WATCH */
	uint64_t watch_addr;
	bool end;			/* the guest asked to end the machine: */
	int end_status;			/*   with this exit status */
	const char *end_why;		/*   and this log text (static, may be NULL) */
	uint64_t map_gpa;		/* EA_STEP_MAPPED: the page to map for one step */
	uint64_t step_over_gpa;		/* HIT_STEP_OVER: the breakpoint to step past */
};

struct vcpu {
	/* Set at creation, constant after. */
	struct vm *vm;
	int id;
	int fd;
	struct kvm_run *run;
	pthread_t thread;
	int tid;		/* the thread's kernel id once it runs (atomic), for kicks */

	/*
	 * Run control, guarded by vm->ctl.lock (core/runctl.h says who waits
	 * where):
	 *  - thread_started: the thread exists (kicks and waits may target it);
	 *  - parked: not in KVM_RUN, so its state may be accessed;
	 *  - action: what to do when released (VCPU_STAY: park);
	 *  - stepped: a VCPU_STEP/RANGE it was given has completed;
	 *  - range_start/end: the range of a VCPU_RANGE action;
	 *  - sipi_wait: inside a KVM_RUN entered in the wait for INIT/SIPI;
	 *  - step_irq: its steps let interrupts in whatever the VM's setting
	 *    (a step over an instruction that waits for one).
	 */
	bool thread_started;
	bool parked;
	enum vcpu_action action;
	bool stepped;
	uint64_t range_start, range_end;
	bool sipi_wait;
	bool step_irq;

	/*
	 * Why it stopped on its own.  Written by the vCPU thread under
	 * vm->ctl.lock as it parks (and by vcpu_resume/vcpu_report_only under
	 * the lock).  The event thread reads it without the lock, but only
	 * while every vCPU is stopped -- after the all-parked notice and before
	 * the next release -- so no writer runs; the lock's release by the last
	 * vCPU to park and its acquire by the notice order the accesses.
	 */
	struct vcpu_stop stop;

	/* Owned by the vCPU thread (others touch them only while it is parked): */
	struct vcpu_event ev;	/* the exit handlers' report (see above) */
	bool need_completion;	/* the last exit was I/O or MMIO, which only the next
				 * KVM_RUN finishes: do that before parking */
	uint64_t debug_gen;	/* generation of the debug settings in force */
	bool debug_stepping;	/* the settings in force include single step */
	bool debug_irq;		/* ... and let interrupts in during it */
	bool maybe_uninit;	/* may still wait for INIT/SIPI: ask KVM before running */
};

/* Create vCPU `id` (fd, kvm_run mapping, the arch's set-up).  0 or -errno. */
int vcpu_create(struct vm *vm, int id, struct vcpu **out);
void vcpu_destroy(struct vcpu *vcpu);

/*
 * vCPU thread only: an I/O or MMIO exit is only finished by the next
 * KVM_RUN; before the vCPU parks (and someone reads its state) re-enter once
 * with immediate_exit set, which completes the instruction without running
 * another.  Returns true if KVM_RUN was interrupted by a kick (still pending).
 */
bool vcpu_complete_pending(struct vcpu *v);

/* On the vCPU's own thread, out of KVM_RUN (a hit filter): read/write its state parts directly. */
int vcpu_own_state(struct vcpu *v, struct vcpu_state *st, unsigned parts);
int vcpu_own_set_state(struct vcpu *v, const struct vcpu_state *st);

/* Is this vCPU in KVM's "uninitialized" state (an AP before its INIT/SIPI)? */
bool vcpu_waits_for_sipi(struct vcpu *v);

/* ---- what the architecture provides (arch/<name>/) ---- */

/* Per-vCPU set-up at creation (CPUID, interrupt wiring).  0 or -errno. */
int arch_vcpu_init(struct vm *vm, struct vcpu *v);
/* Load the boot vCPU's registers from a loader's boot state.  0 or -errno. */
int arch_vcpu_boot(struct vcpu *v, const struct boot_state *bs);
/* Read these parts (VS_*) into st, adding them to st->parts.  0 or -errno. */
int arch_state_get(struct vcpu *v, struct vcpu_state *st, unsigned parts);
/* Write back the parts st holds.  0 or -errno. */
int arch_state_set(struct vcpu *v, const struct vcpu_state *st);
/*
 * Snapshots, the vCPU parked: every piece of its state KVM holds (registers,
 * FPU/XSAVE, MSRs, LAPIC, pending events, MP state, debug registers) as
 * records with instance v->id, and back; `check` as for struct device's
 * load.  0 or -errno.
 */
struct snap_w;
struct snap_r;
int arch_vcpu_save(struct vcpu *v, struct snap_w *w);
int arch_vcpu_load(struct vcpu *v, const struct snap_r *r, bool check);
/* The guest-physical address of the vCPU's next instruction (~0: untranslatable); vCPU thread. */
uint64_t arch_vcpu_pc_gpa(struct vcpu *v);
/* Print registers and a few bytes at the pc to stderr (unexpected exits). */
void arch_vcpu_dump(struct vcpu *v);
/* Is this debug exit a plain single-step trap with the pc in [start, end)?  (range stepping) */
bool arch_step_in_range(const struct kvm_debug_exit_arch *a, uint64_t start, uint64_t end);
/*
 * After that step trap, what the next instruction asks of range stepping
 * (vCPU thread): nothing, interrupts let into its step (it waits for one),
 * or the range step to end before it (the debugger does that one itself).
 */
enum arch_next { ARCH_NEXT_PLAIN, ARCH_NEXT_WAITS_IRQ, ARCH_NEXT_STOP };
enum arch_next arch_step_next(struct vcpu *v, const struct kvm_debug_exit_arch *a);
/* The same, and the guest-physical address of that next instruction in *gpa (~0: none). */
enum arch_next arch_step_next_gpa(struct vcpu *v, const struct kvm_debug_exit_arch *a,
				  uint64_t *gpa);

#endif
