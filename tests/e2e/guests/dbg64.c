/*
 * dbg64 -- a guest for the debugger end-to-end tests (tests/e2e/gdb_*.sh,
 * lldb_*.sh): it puts known values where a debugger can check them, then
 * spins, so a debugger can attach, read, step and interrupt at leisure.
 *
 * Boot CPU: starts every other CPU of the MADT (each spins in `ap_loop`,
 * RBX = its index, R12 counting up), prints "DBG64 READY <ncpus> cr0 0x..
 * cr3 0x.. cr4 0x.. efer 0x.." (its own view of those registers), then
 * `dbg_spin` loads the known register values (dbg64_spin.S) and spins in
 * `spin_loop` until `release` is non-zero.  It then prints
 * "DBG64 RELEASED 0x<release>" and exits through the debug-exit port with
 * the low byte of `release`: a debugger's `set var release = N` is visible
 * as hyve's exit status N.  `poke` is a second variable for memory tests;
 * `magic` holds a constant the tests compare with the ELF file.
 */
#include "acpi.h"
#include "apic.h"
#include "boot.h"
#include "console.h"
#include "hw.h"
#include "io.h"
#include "report.h"
#include "smp.h"

volatile uint32_t release;
volatile uint64_t poke;
volatile uint32_t aps_ready;
const uint64_t magic = 0x0123456789abcdefULL;

uint32_t dbg_spin(void);
__attribute__((noreturn)) void ap_spin(uint64_t index);

static uint32_t cpu_ids[SMP_MAX_CPUS];

static void ap_main(int index)
{
	__atomic_fetch_add(&aps_ready, 1, __ATOMIC_SEQ_CST);
	ap_spin((uint64_t)index);
}

int guest_main(const struct boot_info *bi)
{
	uint64_t rsdp;
	int ncpus = 1;
	uint32_t v;

	report_init("dbg64");
	rsdp = acpi_find_rsdp();
	if (rsdp)
		ncpus = acpi_madt_cpus(rsdp, cpu_ids, SMP_MAX_CPUS);
	if (ncpus > 1) {
		lapic_enable();
		CHECK(0x20, smp_start_aps(cpu_ids, ncpus, ap_main) == ncpus - 1,
		      "INIT/SIPI failed");
		/* Bounded: at about 1M emulated instructions/s, some 10 s. */
		for (unsigned long i = 0; i < 100000000UL && aps_ready < (uint32_t)ncpus - 1; i++)
			__asm__ volatile("pause");
		CHECK(0x21, aps_ready == (uint32_t)ncpus - 1, "only %u of %d APs started",
		      aps_ready, ncpus - 1);
	}
	/* What the guest itself sees, for the tests to compare with gdb's view. */
	gprintf("DBG64 READY %d cr0 0x%lx cr3 0x%lx cr4 0x%lx efer 0x%lx\n",
		ncpus < 1 ? 1 : ncpus, read_cr0(), read_cr3(), read_cr4(),
		(unsigned long)rdmsr(MSR_EFER));
	v = dbg_spin();
	gprintf("DBG64 RELEASED 0x%x poke 0x%lx\n", v, (unsigned long)poke);
	guest_exit((int)(v & 0xff));
}
