/* vcpu.h (x86) -- x86 vCPU helpers shared by the arch's files: boot registers, where the pc is. */
#ifndef HYVE_X86_VCPU_H
#define HYVE_X86_VCPU_H

#include <linux/kvm.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

struct vcpu;
struct boot_state;

/* Pure part of arch_vcpu_boot (unit-tested): fill sregs/regs from bs. */
void x86_boot_regs(const struct boot_state *bs, struct kvm_sregs *sregs, struct kvm_regs *regs);

/* Is the vCPU executing 64-bit code (long mode, CS.L)? */
bool x86_long64(const struct kvm_sregs *s);

/*
 * Guest-physical address of the instruction at rip (through the guest's own
 * paging when it is on, asked of KVM), or ~0 if it does not translate.
 */
uint64_t x86_rip_gpa(struct vcpu *v, const struct kvm_regs *r, const struct kvm_sregs *s);

/*
 * step.c, pure (unit-tested): do these code bytes (n of them) begin with an
 * instruction that waits for an interrupt -- hlt, or sti right before a hlt?
 */
bool x86_insn_waits_irq(const uint8_t *code, size_t n);

#endif
