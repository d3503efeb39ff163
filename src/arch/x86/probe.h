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

/* What the host's KVM does with the debug facilities a debugger relies on. */
struct x86_debug_probe {
	bool probed;		/* false: the probe could not run (all below say yes) */
	bool swbp_traps;	/* int3 with KVM_GUESTDBG_USE_SW_BP comes to hyve (a #BP
				 * exit, or an emulation failure at it), not to the guest */
	bool hwbp_fires;	/* a DR0 instruction breakpoint gives a debug exit */
	bool dbp_fires;		/* a DR1 write watchpoint gives a debug exit */
	bool step_pause_exact;	/* a single step over pause stops right after it
				 * (QEMU's emulated AMD-V runs the next one too) */
};

/*
 * Run a throw-away guest in 32-bit protected mode through the four
 * situations above (each is then true only if it behaved as on hardware
 * KVM).  Hosts differ: a KVM that emulates ring 0 never checks data
 * breakpoints; QEMU's emulated SVM gives a guest's int3 to the guest.
 */
void x86_probe_debug(int kvm_fd, struct x86_debug_probe *out);

#endif
