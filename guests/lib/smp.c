/*
 * smp.c -- AP start-up: copy the trampoline, pass it this CPU's paging
 * setup, send INIT/SIPI/SIPI to each AP.
 */
#include "smp.h"

#include "apic.h"
#include "idt.h"
#include "io.h"
#include "string.h"

/* Layout shared with trampoline.S (TD_* offsets). */
struct tramp_data {
	uint32_t cr3;
	uint32_t cr4;
	uint32_t efer;		/* ORed into EFER: LME (+ NXE if the BSP has it) */
	uint32_t ticket;	/* lock xadd: 0, 1, 2, ... in arrival order */
	uint64_t entry;		/* smp_ap_entry */
	uint64_t stacks;	/* ap_stacks: stack t is [stacks + t*size, +size) */
	uint64_t stack_size;
} __attribute__((packed));

extern const char trampoline_start[], trampoline_end[], tramp_data[];

static uint8_t ap_stacks[SMP_MAX_CPUS][AP_STACK_SIZE] __attribute__((aligned(16)));
static ap_main_fn ap_main;

void smp_ap_entry(int ticket)
{
	idt_load();
	lapic_enable();
	ap_main(ticket + 1);
	for (;;) {
		cli();
		hlt();
	}
}

int smp_start_aps(const uint32_t *ids, int n, ap_main_fn fn)
{
	struct tramp_data *td = (void *)(uintptr_t)(TRAMPOLINE_PA +
						    (tramp_data - trampoline_start));
	uint32_t self = lapic_id();
	int sent = 0;

	if (n > SMP_MAX_CPUS)
		return -1;
	ap_main = fn;
	memcpy((void *)(uintptr_t)TRAMPOLINE_PA, trampoline_start,
	       (size_t)(trampoline_end - trampoline_start));
	td->cr3 = (uint32_t)(read_cr3() & 0xfffff000u);
	/* PCIDE cannot be set outside long mode; OSXSAVE must stay off. */
	td->cr4 = (uint32_t)(read_cr4() & ~(CR4_PCIDE | CR4_OSXSAVE)) | CR4_PAE;
	td->efer = (uint32_t)((rdmsr(MSR_EFER) & ~EFER_LMA) | EFER_LME);
	td->ticket = 0;
	td->entry = (uint64_t)(uintptr_t)smp_ap_entry;
	td->stacks = (uint64_t)(uintptr_t)ap_stacks;
	td->stack_size = AP_STACK_SIZE;
	barrier();
	for (int i = 0; i < n; i++) {
		if (ids[i] == self)
			continue;
		if (lapic_start_ap(ids[i], TRAMPOLINE_PA >> 12) < 0)
			return -1;
		sent++;
	}
	return sent;
}
