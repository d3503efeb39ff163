/*
 * long64 -- an ELF64 higher-half kernel that hyve enters in long mode.
 *
 * Checks: the PVH start info in RSI (magic), EFER.LMA, CR0.PG, that code runs
 * in the higher half; prints the command line from the start info; runs a
 * small loop through `work` (a global and a non-inlined function for the
 * debugger tests: break on work, watch counter, step through the loop).
 */
#include "boot.h"
#include "console.h"
#include "io.h"
#include "report.h"

enum {
	E_START_INFO = 0x20,	/* RSI did not point at a start info */
	E_EFER_LMA = 0x21,
	E_CR0_PG = 0x22,
	E_NOT_HIGH = 0x23,	/* RIP below KERNEL_VMA */
	E_COUNTER = 0x24,	/* the work loop computed the wrong values */
	E_PROTO = 0x25,		/* not booted as ELF64 */
};

#define WORK_CALLS	10

volatile unsigned long counter;
unsigned long work(int i);

/* noipa: the symbol is exactly the code that runs (no clones, no inlining). */
__attribute__((noipa)) unsigned long work(int i)
{
	unsigned long sum = 0;

	for (int k = 0; k <= i; k++) {
		sum += (unsigned long)k;
		counter++;
	}
	return sum;
}

static uint64_t current_rip(void)
{
	uint64_t rip;

	__asm__ volatile("lea 0(%%rip), %0" : "=r"(rip));
	return rip;
}

int guest_main(const struct boot_info *bi)
{
	unsigned long total = 0;
	uint64_t rip = current_rip();

	report_init("long64");
	CHECK(E_PROTO, bi->proto == BOOT_PROTO_ELF64, "booted through protocol %d", bi->proto);
	CHECK(E_START_INFO, bi->magic == HVM_START_MAGIC,
	      "start info at 0x%lx has magic 0x%x, want 0x%x",
	      (unsigned long)bi->info_pa, bi->magic, HVM_START_MAGIC);
	CHECK(E_EFER_LMA, rdmsr(MSR_EFER) & EFER_LMA, "EFER.LMA clear (EFER=0x%lx)",
	      (unsigned long)rdmsr(MSR_EFER));
	CHECK(E_CR0_PG, read_cr0() & CR0_PG, "CR0.PG clear (CR0=0x%lx)", read_cr0());
	CHECK(E_NOT_HIGH, rip >= KERNEL_VMA, "running at 0x%lx, not in the higher half",
	      (unsigned long)rip);

	counter = 0;
	for (int i = 0; i < WORK_CALLS; i++)
		total += work(i);
	/* sum over i of (i+1) calls' iterations, and of 0+1+..+i */
	CHECK(E_COUNTER, counter == 55 && total == 165,
	      "work loop: counter=%lu total=%lu, want 55 and 165", counter, total);

	gprintf("start info at 0x%lx, rip 0x%lx, cr3 0x%lx\n", (unsigned long)bi->info_pa,
		(unsigned long)rip, read_cr3());
	gprintf("cmdline: %s\n", bi->cmdline);
	gprintf("LONG64 OK\n");
	return 0;
}
