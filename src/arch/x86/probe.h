/*
 * probe.h -- what the host's KVM really does, found by running it rather than
 * by reading its capabilities: a throw-away VM with one vCPU executes a few
 * instructions at start-up.
 */
#ifndef HYVE_X86_PROBE_H
#define HYVE_X86_PROBE_H

#include <stdbool.h>

/*
 * Does a guest's `vmcall` complete (KVM answers an unknown hypercall with
 * -KVM_ENOSYS in rax and the guest goes on)?  Some KVMs that emulate ring 0
 * in software never complete it: a guest told of the PV features that use
 * hypercalls (PV IPIs, PV spinlock kicks, yield) then hangs.  A probe that
 * cannot even be set up answers true (nothing is hidden on a guess).
 */
bool x86_probe_hypercalls(int kvm_fd);

#endif
