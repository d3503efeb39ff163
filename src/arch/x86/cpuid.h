/* cpuid.h -- the CPUID the guest sees: KVM's supported set, filtered. */
#ifndef HYVE_X86_CPUID_H
#define HYVE_X86_CPUID_H

#include <stdbool.h>
#include <stddef.h>
#include <linux/kvm.h>

struct vm;

/* Fetch KVM_GET_SUPPORTED_CPUID and filter it into vm->arch.cpuid.  0 or -errno. */
int cpuid_init(struct vm *vm, char *err, size_t errlen);
/* Give vCPU `id` the filtered table with its own APIC id.  0 or -errno. */
int cpuid_set_vcpu(const struct vm *vm, int vcpu_fd, int id);

/*
 * True when the host's KVM emulates guest ring 0 in software (kvm_pvm, or no
 * VMX/SVM in the host CPU): then instructions the emulator cannot execute are
 * hidden from the guest.
 */
bool cpuid_host_emulates(void);

/* Filter one table in place (pure; unit-tested).  `emulating` as above. */
void cpuid_filter(struct kvm_cpuid2 *c, bool emulating);

/*
 * Hide the KVM paravirtual features whose use means a hypercall (PV IPIs,
 * PV spinlock kicks, yield, GPA range mapping) unless the host completes
 * hypercalls (x86_probe_hypercalls).  Pure; unit-tested.
 */
void cpuid_filter_pv(struct kvm_cpuid2 *c, bool hypercalls);

/* Does the filtered table offer this feature? (leaf 1 ECX bit / leaf 7 EBX bit) */
bool cpuid_has_avx(const struct kvm_cpuid2 *c);

#endif
