/* vcpu_exit.h -- the exit table: one handler per KVM exit reason. */
#ifndef HYVE_VCPU_EXIT_H
#define HYVE_VCPU_EXIT_H

struct vcpu;

enum exit_action {
	EA_CONTINUE,	/* re-enter the guest */
	EA_DEBUG,	/* a debug exit (step done, breakpoint): stop all, report */
	EA_STOP,	/* park: the machine is ending (vm_request_exit was called) */
};

/* Handle run->exit_reason of a vCPU that just left KVM_RUN. */
enum exit_action vcpu_exit_dispatch(struct vcpu *v);

#endif
