/*
 * exit.h -- the exit table: one handler per KVM exit reason.  Handlers run
 * on the vCPU's thread and report what happened -- through their return
 * value and v->ev -- to the run loop (core/runctl.c), which acts on it; they
 * never call run control or end the machine themselves.
 */
#ifndef HYVE_EXIT_H
#define HYVE_EXIT_H

#include <stdbool.h>

struct vcpu;

enum exit_action {
	EA_CONTINUE,	/* re-enter the guest */
	EA_DEBUG,	/* a debug event (v->ev.hint, v->ev.arch): stop all, report */
	EA_END,		/* the guest asked to end the machine (v->ev.end_*) */
	EA_STEP_MAPPED,	/* run one instruction with the page at v->ev.map_gpa mapped
			 * read-only (it is trapped without a slot), then go on */
};

/* KVM_RUN returned an error (errno is kept): whatever the last exit began is over. */
void vcpu_run_failed(struct vcpu *v);

/* Handle run->exit_reason of a vCPU that just left KVM_RUN. */
enum exit_action vcpu_exit_dispatch(struct vcpu *v);

/* For handlers: the guest ends the machine with `status` (dumping first if asked). */
enum exit_action exit_end(struct vcpu *v, int status, const char *why, bool dump);

/*
 * The architecture's handler (arch/<name>/exit.c) for the exits only it can
 * interpret: KVM_EXIT_DEBUG and the emulation failures of
 * KVM_EXIT_INTERNAL_ERROR.  Returns an action, or -1 when it cannot handle
 * the exit (the generic code then treats it as fatal).
 */
int arch_handle_exit(struct vcpu *v);

/*
 * After KVM_EXIT_SHUTDOWN: does the vCPU hold its INIT state rather than the
 * state at the fault?  (KVM on AMD resets a vCPU that shuts down.)
 */
bool arch_shutdown_lost_state(struct vcpu *v);

/*
 * At an MMIO read exit (the instruction not yet retired): is it a locked
 * read-modify-write, whose write KVM will hand over next (core/trap_page.h)?
 */
bool arch_mmio_locked_rmw(struct vcpu *v);

#endif
