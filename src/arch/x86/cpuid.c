/*
 * cpuid.c -- what the guest is told about its CPU.
 *
 * Start from KVM_GET_SUPPORTED_CPUID.  On hosts whose KVM emulates ring 0 in
 * software (see KVM-HERE.md: kvm_pvm), the emulator fails on XSAVE/XRSTOR/XGETBV,
 * every VEX instruction, SSE3 and later, cmpxchg16b, popcnt, rdtscp, clac/stac:
 * a guest that is told it has them dies with an emulation failure, so they are
 * hidden.  KVM still offers them (CX16 included) there, which is why we cannot
 * trust the supported set alone.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <unistd.h>

#include "arch/x86/cpuid.h"
#include "arch/x86/probe.h"
#include "util.h"
#include "core/vm.h"

#define MAX_ENTRIES 256

/* leaf 1 ECX */
#define F1C_SSE3	(1u << 0)
#define F1C_PCLMUL	(1u << 1)
#define F1C_MONITOR	(1u << 3)
#define F1C_SSSE3	(1u << 9)
#define F1C_FMA		(1u << 12)
#define F1C_CX16	(1u << 13)
#define F1C_SSE41	(1u << 19)
#define F1C_SSE42	(1u << 20)
#define F1C_X2APIC	(1u << 21)
#define F1C_MOVBE	(1u << 22)
#define F1C_POPCNT	(1u << 23)
#define F1C_AES		(1u << 25)
#define F1C_XSAVE	(1u << 26)
#define F1C_OSXSAVE	(1u << 27)
#define F1C_AVX		(1u << 28)
#define F1C_F16C	(1u << 29)
#define F1C_HYPERVISOR	(1u << 31)
/* leaf 7.0 EBX */
#define F7B_BMI1	(1u << 3)
#define F7B_AVX2	(1u << 5)
#define F7B_BMI2	(1u << 8)
#define F7B_AVX512F	(1u << 16)
#define F7B_SMAP	(1u << 20)
/* leaf 0x80000001 */
#define FE1C_ABM	(1u << 5)
#define FE1C_SSE4A	(1u << 6)
#define FE1C_XOP	(1u << 11)
#define FE1C_FMA4	(1u << 16)
#define FE1C_TBM	(1u << 21)
#define FE1D_RDTSCP	(1u << 27)

bool cpuid_host_emulates(void)
{
	FILE *f;
	char line[4096];
	bool hw = false;

	if (access("/sys/module/kvm_pvm", F_OK) == 0)
		return true;
	f = fopen("/proc/cpuinfo", "r");
	if (!f)
		return false;
	while (fgets(line, sizeof(line), f)) {
		if (strncmp(line, "flags", 5))
			continue;
		hw = strstr(line, " vmx") || strstr(line, " svm");
		break;
	}
	fclose(f);
	return !hw;
}

void cpuid_filter(struct kvm_cpuid2 *c, bool emulating)
{
	bool xsave = true;

	for (unsigned i = 0; i < c->nent; i++) {
		struct kvm_cpuid_entry2 *e = &c->entries[i];

		switch (e->function) {
		case 1:
			e->ecx |= F1C_HYPERVISOR;
			e->ecx &= ~(F1C_MONITOR | F1C_OSXSAVE);
			if (emulating)
				e->ecx &= ~(F1C_SSE3 | F1C_PCLMUL | F1C_SSSE3 | F1C_FMA |
					    F1C_CX16 | F1C_SSE41 | F1C_SSE42 | F1C_MOVBE |
					    F1C_POPCNT | F1C_AES | F1C_XSAVE | F1C_AVX |
					    F1C_F16C);
			xsave = e->ecx & F1C_XSAVE;
			break;
		case 7:
			if (emulating && e->index == 0) {
				/* keep only plain integer/system features that execute */
				e->ebx &= ~(F7B_BMI1 | F7B_AVX2 | F7B_BMI2 | F7B_SMAP |
					    0xffff0000u /* AVX-512 (from bit 16), ADX, SHA... */);
				e->ecx = 0;
				e->edx = 0;
			} else if (emulating) {
				e->eax = e->ebx = e->ecx = e->edx = 0;
			}
			break;
		case 0x80000001:
			if (emulating) {
				e->ecx &= ~(FE1C_ABM | FE1C_SSE4A | FE1C_XOP | FE1C_FMA4 | FE1C_TBM);
				e->edx &= ~FE1D_RDTSCP;
			}
			break;
		default:
			break;
		}
	}
	/* leaf 0xd describes XSAVE state: empty it when XSAVE is hidden */
	for (unsigned i = 0; i < c->nent; i++)
		if (c->entries[i].function == 0xd && !xsave)
			c->entries[i].eax = c->entries[i].ebx = c->entries[i].ecx =
				c->entries[i].edx = 0;
}

/* leaf 0x40000001 EAX: the KVM paravirtual features that make the guest issue vmcall */
#define KVM_LEAF_FEATURES	0x40000001u
#define PVF_UNHALT		(1u << 7)	/* PV spinlocks: KVM_HC_KICK_CPU */
#define PVF_SEND_IPI		(1u << 11)	/* KVM_HC_SEND_IPI */
#define PVF_SCHED_YIELD		(1u << 13)	/* KVM_HC_SCHED_YIELD */
#define PVF_MAP_GPA_RANGE	(1u << 16)	/* KVM_HC_MAP_GPA_RANGE */
#define PVF_HYPERCALLS		(PVF_UNHALT | PVF_SEND_IPI | PVF_SCHED_YIELD | PVF_MAP_GPA_RANGE)

void cpuid_filter_pv(struct kvm_cpuid2 *c, bool hypercalls)
{
	for (unsigned i = 0; i < c->nent; i++)
		if (c->entries[i].function == KVM_LEAF_FEATURES && !hypercalls)
			c->entries[i].eax &= ~PVF_HYPERCALLS;
}

bool cpuid_has_avx(const struct kvm_cpuid2 *c)
{
	for (unsigned i = 0; i < c->nent; i++)
		if (c->entries[i].function == 1)
			return (c->entries[i].ecx & (F1C_AVX | F1C_XSAVE)) ==
			       (F1C_AVX | F1C_XSAVE);
	return false;
}

int cpuid_init(struct vm *vm, char *err, size_t errlen)
{
	struct kvm_cpuid2 *c = calloc(1, sizeof(*c) + MAX_ENTRIES * sizeof(c->entries[0]));
	bool emulating = cpuid_host_emulates();

	if (!c)
		return -ENOMEM;
	c->nent = MAX_ENTRIES;
	if (ioctl(vm->kvm_fd, KVM_GET_SUPPORTED_CPUID, c) < 0) {
		int e = errno;

		snprintf(err, errlen, "KVM_GET_SUPPORTED_CPUID: %s", strerror(e));
		free(c);
		return -e;
	}
	cpuid_filter(c, emulating);
	if (emulating)
		log_debug("host KVM emulates ring 0: XSAVE/AVX/SSE3+/CX16 hidden from the guest");
	vm->arch.hypercalls = x86_probe_hypercalls(vm->kvm_fd);
	cpuid_filter_pv(c, vm->arch.hypercalls);
	if (!vm->arch.hypercalls)
		log_info("the host's KVM does not complete hypercalls: the PV features that use "
			 "them (PV IPIs, spinlock kicks, yield) are hidden from the guest");
	vm->arch.cpuid = c;
	vm->arch.has_avx = cpuid_has_avx(c);
	return 0;
}

int cpuid_set_vcpu(const struct vm *vm, int vcpu_fd, int id)
{
	const struct kvm_cpuid2 *src = vm->arch.cpuid;
	size_t sz = sizeof(*src) + src->nent * sizeof(src->entries[0]);
	struct kvm_cpuid2 *c = malloc(sz);
	int r = 0;

	if (!c)
		return -ENOMEM;
	memcpy(c, src, sz);
	for (unsigned i = 0; i < c->nent; i++) {
		struct kvm_cpuid_entry2 *e = &c->entries[i];

		if (e->function == 1) {
			e->ebx = (e->ebx & 0x0000ffffu) | ((uint32_t)id << 24) |
				 ((uint32_t)vm->ncpus << 16);
			if (vm->ncpus > 1)
				e->edx |= 1u << 28;	/* HTT: ebx[23:16] is valid */
		} else if (e->function == 0xb || e->function == 0x1f) {
			e->edx = (uint32_t)id;		/* x2APIC id */
		}
	}
	if (ioctl(vcpu_fd, KVM_SET_CPUID2, c) < 0)
		r = -errno;
	free(c);
	return r;
}
