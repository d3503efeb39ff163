/*
 * smp -- every CPU of the MADT checks in.
 *
 * The boot CPU finds the RSDP by scanning (and compares it with the one the
 * PVH start info names, when booted that way), lists the enabled local APICs
 * of the MADT, starts each AP with INIT/SIPI/SIPI through a real-mode
 * trampoline, and waits -- halted, woken every 10 ms by its LAPIC timer, so
 * the waiting does not steal host CPU from the APs being emulated -- until
 * all have checked in or 20 s have passed.
 *
 * Each CPU prints "CPU <apic id> checked in" (the console lock keeps lines
 * whole) and then increments a shared counter with a locked add.
 */
#include "acpi.h"
#include "apic.h"
#include "boot.h"
#include "console.h"
#include "idt.h"
#include "io.h"
#include "report.h"
#include "smp.h"
#include "spinlock.h"

enum {
	E_NO_RSDP = 0x20,
	E_RSDP_MISMATCH = 0x21,	/* scan and start info disagree */
	E_MADT = 0x22,		/* no usable MADT */
	E_TOO_MANY = 0x23,
	E_BSP_NOT_LISTED = 0x24,
	E_IPI = 0x25,		/* an INIT/SIPI was never delivered */
	E_TIMEOUT = 0x26,	/* not every CPU checked in */
	E_UNKNOWN_CPU = 0x27,	/* an AP's APIC id is not in the MADT */
	E_TWICE = 0x28,		/* a CPU checked in twice */
	E_AP_MODE = 0x29,	/* an AP is not in long mode */
	E_EXTRA = 0x2a,		/* more check-ins than CPUs */
};

#define TICK_VECTOR	0x40
#define TICK_COUNT	625000		/* 10 ms at KVM's 62.5 MHz (1 GHz / 16) */
#define TIMEOUT_TICKS	2000		/* 20 s */

static uint32_t cpu_ids[SMP_MAX_CPUS];
static int ncpus;
static volatile uint32_t checked_in;
static volatile uint32_t seen[SMP_MAX_CPUS];
static volatile unsigned long ticks;
static spinlock_t seen_lock = SPINLOCK_INIT;

static void tick(struct iframe *f)
{
	ticks++;
	lapic_eoi();
}

static void check_in(int index)
{
	uint32_t id = lapic_id();
	int slot = -1;

	for (int i = 0; i < ncpus; i++)
		if (cpu_ids[i] == id)
			slot = i;
	CHECK(E_UNKNOWN_CPU, slot >= 0, "CPU with APIC id %u is not in the MADT", id);
	CHECK(E_AP_MODE, rdmsr(MSR_EFER) & EFER_LMA, "CPU %u is not in long mode", id);
	spin_lock(&seen_lock);
	seen[slot]++;
	spin_unlock(&seen_lock);
	CHECK(E_TWICE, seen[slot] == 1, "CPU %u checked in %u times", id, seen[slot]);
	/* Print before counting: the boot CPU may exit as soon as the count is full. */
	gprintf("CPU %u checked in (index %d)\n", id, index);
	__atomic_fetch_add(&checked_in, 1, __ATOMIC_SEQ_CST);
}

int guest_main(const struct boot_info *bi)
{
	uint64_t rsdp;
	int started, bsp_listed = 0;
	uint32_t self;

	report_init("smp");
	rsdp = acpi_find_rsdp();
	CHECK(E_NO_RSDP, rsdp != 0, "no RSDP in the EBDA or 0xe0000..0xfffff");
	CHECK(E_RSDP_MISMATCH, !bi->rsdp || bi->rsdp == rsdp,
	      "start info names RSDP 0x%lx, scan found 0x%lx",
	      (unsigned long)bi->rsdp, (unsigned long)rsdp);
	ncpus = acpi_madt_cpus(rsdp, cpu_ids, SMP_MAX_CPUS);
	CHECK(E_MADT, ncpus > 0, "MADT: error %d", ncpus);
	CHECK(E_TOO_MANY, ncpus <= SMP_MAX_CPUS, "%d CPUs, at most %d supported",
	      ncpus, SMP_MAX_CPUS);

	lapic_enable();
	self = lapic_id();
	for (int i = 0; i < ncpus; i++)
		bsp_listed |= cpu_ids[i] == self;
	CHECK(E_BSP_NOT_LISTED, bsp_listed, "boot CPU's APIC id %u is not in the MADT", self);
	gprintf("RSDP at 0x%lx, MADT lists %d CPU(s), boot CPU is APIC %u\n",
		(unsigned long)rsdp, ncpus, self);

	check_in(0);
	started = smp_start_aps(cpu_ids, ncpus, check_in);
	CHECK(E_IPI, started == ncpus - 1, "INIT/SIPI failed (%d of %d sent)",
	      started, ncpus - 1);

	idt_set_handler(TICK_VECTOR, tick);
	lapic_timer_start(TICK_VECTOR, TICK_COUNT, 1);
	for (;;) {
		cli();
		if (checked_in >= (uint32_t)ncpus || ticks >= TIMEOUT_TICKS)
			break;
		sti_hlt();	/* woken by the next tick */
	}
	lapic_timer_stop();
	CHECK(E_TIMEOUT, checked_in >= (uint32_t)ncpus,
	      "only %u of %d CPUs checked in after %lu ticks", checked_in, ncpus, ticks);
	/* Give a CPU that starts twice the chance to show itself. */
	spin_delay(20000);
	CHECK(E_EXTRA, checked_in == (uint32_t)ncpus, "%u check-ins for %d CPUs",
	      checked_in, ncpus);
	gprintf("SMP OK %d\n", ncpus);
	return 0;
}
