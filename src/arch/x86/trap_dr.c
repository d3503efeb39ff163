/*
 * trap_dr.c (x86) -- mechanism: the debug registers.  Encoding hardware
 * instruction breakpoints into DR0-3/DR7 for KVM_SET_GUEST_DEBUG, and
 * decoding what a KVM_EXIT_DEBUG was from its exception vector and DR6.
 */
#include <string.h>

#include "arch/x86/regs.h"
#include "core/vcpu.h"
#include "debug/arch.h"

void arch_hw_breaks(struct kvm_guest_debug *dbg, const uint64_t *addr, const bool *used)
{
	for (int i = 0; i < ARCH_HW_SLOTS; i++) {
		if (!used[i])
			continue;
		dbg->control |= KVM_GUESTDBG_ENABLE | KVM_GUESTDBG_USE_HW_BP;
		dbg->arch.debugreg[i] = addr[i];
		/* local enable, R/W = execute, LEN = 1 byte; GE, and the reserved-one bit */
		dbg->arch.debugreg[7] |= X86_DR7_L(i) | X86_DR7_GE | X86_DR7_FIXED |
					 (X86_DR7_RW_EXEC << X86_DR7_RW_SHIFT(i));
	}
}

enum arch_debug_kind arch_debug_kind(const struct kvm_debug_exit_arch *a, unsigned *slots)
{
	*slots = (unsigned)(a->dr6 & X86_DR6_B_ALL);
	if (a->exception == X86_VEC_BP)
		return ARCH_DEBUG_SWBP;
	if (a->exception == X86_VEC_DB && *slots)
		return ARCH_DEBUG_HWBP;
	if (a->exception == X86_VEC_DB && (a->dr6 & X86_DR6_BS))
		return ARCH_DEBUG_STEP;
	return ARCH_DEBUG_OTHER;
}

bool arch_step_in_range(const struct kvm_debug_exit_arch *a, uint64_t start, uint64_t end)
{
	unsigned slots;

	return arch_debug_kind(a, &slots) == ARCH_DEBUG_STEP && a->pc >= start && a->pc < end;
}
