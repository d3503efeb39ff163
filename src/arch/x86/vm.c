/*
 * vm.c (x86) -- what an x86 VM needs from KVM besides the generic set-up:
 * the TSS and identity-map pages (Intel), the in-kernel PIT and the GSI routes
 * that wire it as the platform tables say, and the CPUID
 * every vCPU is given.
 */
#include <errno.h>
#include <linux/kvm.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>

#include "arch/x86/cpuid.h"
#include "arch/x86/platform.h"
#include "debug/arch.h"
#include "core/vm.h"
#include "util.h"

/* KVM needs three pages for the TSS and one for the EPT identity map (Intel),
 * somewhere the guest does not use: just below the firmware's 16 MiB window. */
#define VM_IDENTITY_MAP_ADDR	0xfeffc000ULL
#define VM_TSS_ADDR		0xfeffd000ULL

/* The interrupt wiring of the tables hyve writes (platform_gsi_routes): without it
 * the PIT's ticks reach IOAPIC pin 0, and Linux, which follows the MADT to pin 2,
 * never sees one once it leaves the 8259 (on AMD hosts, where it calibrates the
 * LAPIC timer against them, it then has no timer at all).  A KVM that refuses
 * keeps its default routes, with a warning. */
static void set_gsi_routes(struct vm *vm)
{
	struct kvm_irq_routing *r = calloc(1, sizeof(*r) + PLATFORM_GSI_ROUTES * sizeof(r->entries[0]));

	if (!r) {
		log_warn("no memory for the GSI routes: the guest's timer interrupt stays on IOAPIC pin 0");
		return;
	}
	r->nr = platform_gsi_routes(r->entries, PLATFORM_GSI_ROUTES);
	if (ioctl(vm->vm_fd, KVM_SET_GSI_ROUTING, r) < 0)
		log_warn("KVM_SET_GSI_ROUTING: %s: the guest's timer interrupt stays on IOAPIC pin 0, "
			 "not pin 2 as the MP table and the MADT say", strerror(errno));
	free(r);
}

int arch_vm_init(struct vm *vm, char *err, size_t errlen)
{
	static const struct { int cap; const char *name; } need[] = {
		{ KVM_CAP_PIT2, "KVM_CAP_PIT2" },
		{ KVM_CAP_EXT_CPUID, "KVM_CAP_EXT_CPUID" },
	};
	struct kvm_pit_config pit = { .flags = KVM_PIT_SPEAKER_DUMMY };	/* port 0x61 too */

	for (unsigned i = 0; i < ARRAY_SIZE(need); i++) {
		if (ioctl(vm->kvm_fd, KVM_CHECK_EXTENSION, need[i].cap) <= 0) {
			snprintf(err, errlen, "the host's KVM lacks %s", need[i].name);
			return -ENOTSUP;
		}
	}
	if (ioctl(vm->vm_fd, KVM_SET_IDENTITY_MAP_ADDR, &(uint64_t){ VM_IDENTITY_MAP_ADDR }) < 0 ||
	    ioctl(vm->vm_fd, KVM_SET_TSS_ADDR, (unsigned long)VM_TSS_ADDR) < 0) {
		snprintf(err, errlen, "KVM_SET_TSS_ADDR: %s", strerror(errno));
		return -errno;
	}
	if (ioctl(vm->vm_fd, KVM_CREATE_PIT2, &pit) < 0) {
		snprintf(err, errlen, "KVM_CREATE_PIT2: %s", strerror(errno));
		return -errno;
	}
	set_gsi_routes(vm);
	/* until arch_debug_probe runs (a debugger may attach), assume hardware KVM */
	vm->arch.dbg = (struct x86_debug_probe){ false, true, true, true, true };
	return cpuid_init(vm, err, errlen);
}

void arch_debug_probe(struct vm *vm)
{
	if (vm->arch.dbg.probed)
		return;
	x86_probe_debug(vm->kvm_fd, &vm->arch.dbg);
}

void arch_vm_destroy(struct vm *vm)
{
	free(vm->arch.cpuid);
	vm->arch.cpuid = NULL;
}

void arch_vm_report(struct vm *vm, FILE *f)
{
	const struct x86_debug_probe *d = &vm->arch.dbg;

	arch_debug_probe(vm);
	fprintf(f, "kvm-emulates-ring0: %s\n", cpuid_host_emulates() ? "yes" : "no");
	fprintf(f, "hypercalls: %s\n", vm->arch.hypercalls ? "complete" : "do-not-complete");
	if (!d->probed) {
		fprintf(f, "debug-probe: failed\n");
		return;
	}
	fprintf(f, "sw-breakpoints: %s\n", d->swbp_traps ? "trap" : "reach-guest");
	fprintf(f, "hw-breakpoints: %s\n", d->hwbp_fires ? "fire" : "do-not-fire");
	fprintf(f, "data-breakpoints: %s\n", d->dbp_fires ? "fire" : "do-not-fire");
	fprintf(f, "step-over-pause: %s\n", d->step_pause_exact ? "exact" : "runs-on");
	/* how a Z0 is done (debug/breakpoints.c) */
	fprintf(f, "breakpoints: %s\n", arch_breaks_by_page(vm) ? "page-trap" :
		d->swbp_traps ? "int3" : "debug-registers");
	fprintf(f, "avx: %s\n", vm->arch.has_avx ? "yes" : "no");
}
