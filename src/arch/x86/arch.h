/*
 * arch.h (x86) -- what the generic layers see of x86, through arch/arch.h:
 * the vCPU state type, the page walker, the software breakpoint opcode and
 * the spin-wait hint.
 */
#ifndef HYVE_X86_ARCH_H
#define HYVE_X86_ARCH_H

#include <stdbool.h>

#include "arch/x86/regs.h"
#include "arch/x86/state.h"
#include "arch/x86/boot_state.h"
#include "arch/x86/pgdump.h"
#include "arch/x86/platform.h"
#include "arch/x86/probe.h"
#include "arch/x86/walk.h"

struct kvm_cpuid2;

/* What the VM keeps for x86 (vm->arch). */
struct arch_vm {
	struct kvm_cpuid2 *cpuid;	/* the filtered CPUID every vCPU gets */
	bool has_avx;			/* the guest is told it has AVX (and XSAVE) */
	bool hypercalls;		/* the host's KVM completes a guest's vmcall */
	struct x86_debug_probe dbg;	/* what its debug facilities do (probe.h) */
	bool mxcsr_via_xsave;		/* KVM_SET_FPU/GET_FPU miss MXCSR: it goes by XSAVE */
};

/* The byte a software breakpoint writes over an instruction's first byte. */
#define ARCH_SWBP_BYTE	X86_INT3

/* The spin-wait hint (PAUSE): polite to a sibling hyperthread and to KVM. */
static inline void cpu_relax(void)
{
	__builtin_ia32_pause();
}

#endif
