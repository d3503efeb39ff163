/* Unit tests: what the guest is told about its CPU (cpuid_filter). */
#include <stdlib.h>

#include "arch/x86/cpuid.h"
#include "test.h"

static struct kvm_cpuid2 *table(void)
{
	struct kvm_cpuid2 *c = calloc(1, sizeof(*c) + 4 * sizeof(c->entries[0]));

	c->nent = 4;
	c->entries[0] = (struct kvm_cpuid_entry2){ .function = 1, .ecx = 0xffffffffu,
						   .edx = 0xffffffffu };
	c->entries[1] = (struct kvm_cpuid_entry2){ .function = 7, .index = 0,
						   .ebx = 0xffffffffu, .ecx = 0xffffffffu };
	c->entries[2] = (struct kvm_cpuid_entry2){ .function = 0xd, .eax = 7, .ebx = 0x340 };
	c->entries[3] = (struct kvm_cpuid_entry2){ .function = 0x80000001, .ecx = 0xffffffffu,
						   .edx = 0xffffffffu };
	return c;
}

TEST(emulating_host_hides_what_its_emulator_cannot_run)
{
	struct kvm_cpuid2 *c = table();

	cpuid_filter(c, true);
	CHECK_EQ(c->entries[0].ecx & (1u << 26), 0);	/* XSAVE */
	CHECK_EQ(c->entries[0].ecx & (1u << 27), 0);	/* OSXSAVE */
	CHECK_EQ(c->entries[0].ecx & (1u << 28), 0);	/* AVX */
	CHECK_EQ(c->entries[0].ecx & (1u << 13), 0);	/* CX16: cmpxchg16b fails */
	CHECK_EQ(c->entries[0].ecx & (1u << 0), 0);	/* SSE3 */
	CHECK_EQ(c->entries[0].ecx & (1u << 23), 0);	/* POPCNT */
	CHECK(c->entries[0].ecx & (1u << 31));		/* hypervisor */
	CHECK(c->entries[0].edx & (1u << 26));		/* SSE2 stays */
	CHECK_EQ(c->entries[1].ebx & (1u << 5), 0);	/* AVX2 */
	CHECK_EQ(c->entries[1].ebx & (1u << 20), 0);	/* SMAP: clac/stac fail */
	CHECK_EQ(c->entries[1].ebx & (1u << 16), 0);	/* AVX-512F */
	CHECK_EQ(c->entries[2].eax, 0);			/* no XSAVE state described */
	CHECK_EQ(c->entries[3].edx & (1u << 27), 0);	/* RDTSCP */
	CHECK(!cpuid_has_avx(c));
	free(c);
}

TEST(hardware_host_keeps_features)
{
	struct kvm_cpuid2 *c = table();

	cpuid_filter(c, false);
	CHECK(c->entries[0].ecx & (1u << 26));		/* XSAVE */
	CHECK(c->entries[0].ecx & (1u << 28));		/* AVX */
	CHECK_EQ(c->entries[0].ecx & (1u << 27), 0);	/* OSXSAVE is the guest's to set */
	CHECK(c->entries[1].ebx & (1u << 5));		/* AVX2 */
	CHECK_EQ(c->entries[2].eax, 7);
	CHECK(cpuid_has_avx(c));
	free(c);
}

/* KVM's paravirtual leaf as KVM_GET_SUPPORTED_CPUID gives it (bits 0-17 and 24). */
static struct kvm_cpuid2 *pv_table(void)
{
	struct kvm_cpuid2 *c = calloc(1, sizeof(*c) + 2 * sizeof(c->entries[0]));

	c->nent = 2;
	c->entries[0] = (struct kvm_cpuid_entry2){ .function = 0x40000000, .eax = 0x40000001,
						   .ebx = 0x4b4d564b };
	c->entries[1] = (struct kvm_cpuid_entry2){ .function = 0x40000001, .eax = 0x0103ffff };
	return c;
}

TEST(pv_features_that_need_hypercalls_hidden_when_they_do_not_complete)
{
	struct kvm_cpuid2 *c = pv_table();

	cpuid_filter_pv(c, false);
	CHECK_EQ(c->entries[1].eax & (1u << 7), 0);	/* PV_UNHALT: KVM_HC_KICK_CPU */
	CHECK_EQ(c->entries[1].eax & (1u << 11), 0);	/* PV_SEND_IPI */
	CHECK_EQ(c->entries[1].eax & (1u << 13), 0);	/* PV_SCHED_YIELD */
	CHECK_EQ(c->entries[1].eax & (1u << 16), 0);	/* HC_MAP_GPA_RANGE */
	CHECK(c->entries[1].eax & (1u << 0));		/* kvmclock: an MSR, kept */
	CHECK(c->entries[1].eax & (1u << 3));		/* kvmclock 2 */
	CHECK(c->entries[1].eax & (1u << 5));		/* steal time */
	CHECK(c->entries[1].eax & (1u << 6));		/* PV EOI */
	CHECK(c->entries[1].eax & (1u << 9));		/* PV TLB flush: steal-time flag, no vmcall */
	CHECK(c->entries[1].eax & (1u << 24));		/* stable clock */
	CHECK_EQ(c->entries[0].eax, 0x40000001);	/* the signature leaf untouched */
	free(c);
}

TEST(pv_features_kept_when_hypercalls_complete)
{
	struct kvm_cpuid2 *c = pv_table();

	cpuid_filter_pv(c, true);
	CHECK_EQ(c->entries[1].eax, 0x0103ffff);
	free(c);
}

TEST_MAIN()
