/*
 * runctl.h -- the vCPU threads and the run control the debug server is
 * built on: stop all, resume all, run one alone, step, and state access
 * while stopped.  Its state lives in the VM (struct runctl, vm->ctl).
 *
 * Threads and waits: each vCPU thread loops KVM_RUN → exit table; parked, it
 * sleeps on run_cond.  Controllers (the event thread, main, tests) change
 * actions under the lock, broadcast run_cond, and sleep on parked_cond for
 * the answer.  A running vCPU is stopped by setting its action to VCPU_STAY
 * and kicking it: `immediate_exit` covers the window before KVM_RUN, a
 * signal the time inside.  Nothing polls.
 */
#ifndef HYVE_RUNCTL_H
#define HYVE_RUNCTL_H

#include <linux/kvm.h>
#include <pthread.h>
#include <stdbool.h>
#include <stdint.h>

#include "core/vcpu.h"

struct vm;

struct runctl {
	/*
	 * lock guards every field below marked "lock", and the run-control
	 * fields of every struct vcpu.  Take it with ctl_lock()/ctl_unlock() so
	 * that the *_locked helpers can assert it is held.
	 */
	pthread_mutex_t lock;
	pthread_t owner;		/* lock: the thread holding it (owned) */
	bool owned;
	pthread_cond_t run_cond;	/* parked vCPU threads wait for an action */
	pthread_cond_t parked_cond;	/* controllers wait for vCPUs to park */

	bool exiting;			/* lock: every thread is to end (vcpus_join) */
	bool start_stopped;		/* set before the threads start (gdb `w`) */
	uint64_t stop_seq;		/* lock: number of the last self-stop */
	/* The all-parked notification, armed by stop requests and self-stops. */
	void (*notify_fn)(void *opaque);	/* lock */
	void *notify_opaque;		/* lock */
	bool notify_armed;		/* lock */
	/*
	 * Releases of parked vCPUs so far, and the count when the last notice
	 * fired: written under the lock, read atomically without it
	 * (vcpu_stop_notice_current).
	 */
	uint64_t release_gen, notified_gen;
	/* The debug server's KVM_SET_GUEST_DEBUG settings, applied by each
	 * vCPU thread before it next runs when debug_gen moved on. */
	struct kvm_guest_debug debug_wanted;	/* lock */
	uint64_t debug_gen;		/* lock */
	bool step_irq;			/* lock: interrupts allowed during steps */
	int blockirq;			/* KVM offers BLOCKIRQ: -1 unknown; vCPU threads, atomic */

	/* The end of the machine, guarded by end_lock (any thread). */
	pthread_mutex_t end_lock;
	pthread_cond_t end_cond;
	bool done;
	int exit_status;
};

/* Set up vm->ctl (vm_init does it). */
void runctl_init(struct vm *vm);
void runctl_destroy(struct vm *vm);

/* Start the vCPU threads (they run unless vcpu_ctl_init_stopped was called). */
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
/*
 * Any thread: make vCPU id leave KVM_RUN once (a signal only, no stop: it
 * goes on running).  KVM first finishes the I/O the last exit began.
 */
void vcpu_nudge(struct vm *vm, int id);

/* The vCPU whose thread this is, or NULL on any other thread. */
struct vcpu *vcpu_current(void);

/*
 * Ask the machine to end with `status`; `why` is logged.  On a vCPU thread
 * (a device handler, an exit handler) it is recorded for that vCPU's run
 * loop, which offers it to the debugger (vm->guest_exit_hook) after the exit:
 * then the machine may stay stopped instead.  On any other thread it ends
 * the machine at once (vm_force_exit).
 */
void vm_request_exit(struct vm *vm, int status, const char *why);
/* End the machine with `status` now (first caller wins), never offered to the
 * debugger (its own kill, detach after a guest-caused end, errors). */
void vm_force_exit(struct vm *vm, int status, const char *why);
/* Block until the machine ends; returns the status. */
int vm_wait(struct vm *vm);
/* The status if the machine has ended, else -1 (does not block). */
int vm_exit_status(struct vm *vm);

/* ---- run control (any thread except a vCPU thread) ---- */

/* Start with every vCPU parked (debugger `w` mode, tests).  Before vcpus_start. */
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
 * Every vCPU parked so that its state may be read and written directly
 * (snapshots): one waiting for its SIPI inside KVM_RUN is kicked out.
 * The machine must be stopped.  0, or -EBUSY if one would not park.
 */
int vcpu_park_all_for_state(struct vm *vm);
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
 * lock held): it should hand over to the event thread (event_post).
 */
void vcpu_set_stop_notify(struct vm *vm, void (*fn)(void *opaque), void *opaque);
int vcpu_request_stop_all(struct vm *vm);
/* Release each vCPU with its own action (array of vm->ncpus); every stop
 * reason is forgotten (each stop is reported once). */
int vcpu_resume(struct vm *vm, const enum vcpu_action *actions);
/* The range a VCPU_RANGE action steps in (set before vcpu_resume). */
void vcpu_set_range(struct vm *vm, int id, uint64_t start, uint64_t end);
/* Let interrupts in during single steps (default: blocked, KVM_GUESTDBG_BLOCKIRQ). */
void vcpu_set_step_irq(struct vm *vm, bool on);
/*
 * Let interrupts into vCPU id's steps whatever vcpu_set_step_irq says, until
 * called again with false (a step over an instruction that waits for an
 * interrupt, which BLOCKIRQ would keep from ever ending).
 */
void vcpu_set_step_irq_one(struct vm *vm, int id, bool on);
/*
 * The debug server's KVM_SET_GUEST_DEBUG settings (control bits and debug
 * registers for hardware breakpoints), applied to every vCPU -- those the
 * guest starts later included -- before it next runs.  Single step is added
 * per vCPU by VCPU_STEP.
 */
void vcpu_set_debug(struct vm *vm, const struct kvm_guest_debug *dbg);
/* With every vCPU stopped: make this stop of vCPU id the only one to report. */
void vcpu_report_only(struct vm *vm, int id, const struct vcpu_stop *stop);

/* Full state of a stopped vCPU.  0, -EBUSY if it is running, or -errno. */
int vcpu_get_state(struct vcpu *vcpu, struct vcpu_state *st);
/* Read these parts (VS_*) into st, adding them to st->parts.  Same returns. */
int vcpu_get_state_parts(struct vcpu *vcpu, struct vcpu_state *st, unsigned parts);
/* Write back the parts st holds (st->parts; 0 means all). */
int vcpu_set_state(struct vcpu *vcpu, const struct vcpu_state *st);

#endif
