/* x86_vcpu.h -- x86 vCPU set-up: LAPIC wiring and the boot vCPU's entry state. */
#ifndef HYVE_X86_VCPU_H
#define HYVE_X86_VCPU_H

struct vcpu;
struct boot_state;
struct kvm_sregs;
struct kvm_regs;

/* Per-vCPU set-up at creation (LAPIC LINT0 = ExtINT, LINT1 = NMI).  0 or -errno. */
int x86_vcpu_init(struct vcpu *v);
/* Load the boot vCPU's registers from a loader's boot state.  0 or -errno. */
int x86_vcpu_boot(struct vcpu *v, const struct boot_state *bs);
/* Pure part of x86_vcpu_boot (unit-tested): fill sregs/regs from bs. */
void x86_boot_regs(const struct boot_state *bs, struct kvm_sregs *sregs, struct kvm_regs *regs);

#endif
