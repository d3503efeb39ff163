/*
 * vcpu.h -- one thread per vCPU: KVM_RUN, then the exit table.  And the run
 * control primitives the debug server is built on: stop all, resume all, run
 * one alone, read/write full state while stopped.
 */
#ifndef HYVE_VCPU_H
#define HYVE_VCPU_H

#include <linux/kvm.h>
#include <pthread.h>
#include <stdbool.h>
#include <stdint.h>

struct vm;

/* What a parked vCPU does when released. */
enum vcpu_action {
	VCPU_STAY,		/* remain parked */
	VCPU_RUN,		/* run until stopped */
	VCPU_STEP,		/* run one instruction, then park (debug exit) */
	VCPU_RANGE,		/* step while rip stays in [range_start, range_end) */
};

/* Why a vCPU parked on its own (the debug server reports it). */
enum vcpu_stop_reason {
	STOP_NONE,		/* parked because someone asked (Ctrl-C, all-stop) */
	STOP_STEP,		/* a single step completed */
	STOP_DEBUG,		/* a debug exit: breakpoint (see debug_arch) */
	STOP_BREAK,		/* our int3 (a #BP exit, or an emulation failure at it) */
	STOP_WATCH,		/* a trapped access hit a watchpoint (watch_type/addr) */
	STOP_GUEST_EXIT,	/* the guest ended the machine (guest_exit_status) */
};

/* Parts of struct vcpu_state, to read or write only what is needed. */
#define VS_CORE		1u	/* regs, sregs, fpu, kernel_gs_base: what gdb shows */
#define VS_EXTRA	2u	/* debug registers, pending events, MP state */
#define VS_ALL		(VS_CORE | VS_EXTRA)

/* The complete architectural state the VMM can read and write. */
struct vcpu_state {
	unsigned parts;		/* which parts are valid (set by vcpu_get_state*) */
	struct kvm_regs regs;
	struct kvm_sregs sregs;
	struct kvm_fpu fpu;
	struct kvm_debugregs dregs;
	struct kvm_vcpu_events events;
	struct kvm_mp_state mp;
	uint64_t kernel_gs_base;	/* MSR 0xc0000102 */
};

struct vcpu {
	struct vm *vm;
	int id;
	int fd;
	struct kvm_run *run;
	pthread_t thread;
	int tid;		/* the thread's kernel id once it runs (atomic), for kicks */
	bool thread_started;

	/*
	 * Run control, guarded by vm-wide ctl lock (vcpu_ctl_lock):
	 *  - want_stop: someone asked every vCPU to park;
	 *  - parked: this vCPU is parked (not in KVM_RUN, state may be accessed);
	 *  - action: what to do when released.
	 */
	bool parked;
	enum vcpu_action action;
	bool stepped;		/* set when a VCPU_STEP completed (debug exit seen) */
	uint64_t range_start, range_end;	/* VCPU_RANGE */
	bool need_completion;	/* last exit was I/O or MMIO: finish it before parking */
	bool sipi_wait;		/* in a KVM_RUN entered in the wait for INIT/SIPI */
	enum vcpu_stop_reason stop_reason;	/* set when it stopped on its own */
	enum vcpu_stop_reason exit_reason_hint;	/* vCPU thread: set by an exit handler */
	uint64_t stop_seq;	/* order of self-stops (first one is reported) */
	struct kvm_debug_exit_arch debug_arch;	/* of the last debug exit */
	int watch_type;		/* STOP_WATCH: enum watch_type */
	int guest_exit_status;	/* STOP_GUEST_EXIT: the exit status it asked for */
	uint64_t watch_addr;	/* STOP_WATCH: guest-virtual data address */

	/* Owned by the vCPU thread (set by others only while it is parked): */
	uint64_t debug_gen;	/* generation of the debug settings in force */
	bool debug_stepping;	/* the settings in force include single step */
	bool maybe_uninit;	/* may still wait for INIT/SIPI: ask KVM before running */
};

/* Create vCPU `id` (fd, kvm_run mapping, CPUID).  0 or -errno. */
int vcpu_create(struct vm *vm, int id, struct vcpu **out);
void vcpu_destroy(struct vcpu *vcpu);
/* Start the vCPU threads (vCPUs run unless vcpu_ctl_init_stopped was called). */
int vcpus_start(struct vm *vm);
/*
 * When the host lets us use more CPUs than there are vCPUs, give `other` (the
 * event thread) a CPU of its own and spread the vCPU threads over the rest:
 * on a host kernel without preemption a thread that has to share a CPU with
 * a vCPU inside KVM_RUN can wait a whole tick (4 ms) to run.  No-op otherwise.
 * True if `other` now has a CPU of its own.
 */
bool vcpus_pin(struct vm *vm, pthread_t other);
/* Make every thread exit and join them (shutdown). */
void vcpus_join(struct vm *vm);

/* ---- run control (any thread except a vCPU thread) ---- */

/* Start with every vCPU parked (debugger `w` mode, tests). Before vcpus_start. */
void vcpu_ctl_init_stopped(struct vm *vm);
/*
 * Stop every vCPU; returns when all are stopped: parked, or (an AP before its
 * INIT/SIPI) blocked in KVM_RUN where it cannot run -- such a vCPU parks when
 * its state is read or written.  0 or -errno.
 */
int vcpu_stop_all(struct vm *vm);
/* Release every vCPU with VCPU_RUN. */
int vcpu_resume_all(struct vm *vm);
/* Release vCPU `id` alone (`action` RUN or STEP), others stay parked. */
int vcpu_run_one(struct vm *vm, int id, enum vcpu_action action);
/*
 * Wait until every vCPU given an action has stopped again (e.g. a step done).
 * timeout_ms < 0 waits forever.  0, or -ETIMEDOUT.
 */
int vcpu_wait_parked(struct vm *vm, int timeout_ms);
/* Is every vCPU stopped (as vcpu_stop_all means it)? */
bool vcpu_all_parked(struct vm *vm);
/*
 * Lock-free: no vCPU was released since the last all-parked notice, so the
 * notice still holds (it may have been queued before a release).
 */
bool vcpu_stop_notice_current(struct vm *vm);

/*
 * Asynchronous all-stop for the debug server (never blocks on a vCPU):
 * vcpu_request_stop_all asks every vCPU to park and returns at once; when a
 * vCPU stops on its own (step, breakpoint) it asks the others itself.  Once all
 * are parked, `fn` is called once (on whichever thread parked last, with no
 * lock held): it should hand over to the event thread (event_call).
 */
void vcpu_set_stop_notify(struct vm *vm, void (*fn)(void *opaque), void *opaque);
int vcpu_request_stop_all(struct vm *vm);
/* Release each vCPU with its own action (array of vm->ncpus); clears stop reasons
 * of vCPUs that are released. */
int vcpu_resume(struct vm *vm, const enum vcpu_action *actions);
/* The range a VCPU_RANGE action steps in (set before vcpu_resume). */
void vcpu_set_range(struct vm *vm, int id, uint64_t start, uint64_t end);
/* Let interrupts in during single steps (default: blocked, KVM_GUESTDBG_BLOCKIRQ). */
void vcpu_set_step_irq(struct vm *vm, bool on);
/*
 * The debug server's KVM_SET_GUEST_DEBUG settings (control bits and debug
 * registers for hardware breakpoints), applied to every vCPU -- those the
 * guest starts later included -- before it next runs.  Single step is added
 * per vCPU by VCPU_STEP.
 */
void vcpu_set_debug(struct vm *vm, const struct kvm_guest_debug *dbg);

/* Full state of a parked vCPU.  0, -EBUSY if it is running, or -errno. */
int vcpu_get_state(struct vcpu *vcpu, struct vcpu_state *st);
/* Read these parts (VS_*) into st, adding them to st->parts.  Same returns. */
int vcpu_get_state_parts(struct vcpu *vcpu, struct vcpu_state *st, unsigned parts);
/* Write back the parts st holds (st->parts). */
int vcpu_set_state(struct vcpu *vcpu, const struct vcpu_state *st);

/*
 * On the vCPU's own thread: execute exactly one instruction now (single step
 * with the debug server's settings), serving I/O exits on the way.  0 or -errno.
 */
int vcpu_step_here(struct vcpu *v);
/* With every vCPU stopped: make this stop of vCPU id the only one to report. */
void vcpu_report_only(struct vm *vm, int id, enum vcpu_stop_reason reason, uint64_t seq,
		      const struct kvm_debug_exit_arch *arch);

/* The vCPU whose thread this is, or NULL on any other thread. */
struct vcpu *vcpu_current(void);

/* Print registers and a few bytes at rip to stderr (unexpected exits). */
void vcpu_dump(struct vcpu *vcpu);

#endif
