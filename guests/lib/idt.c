/*
 * idt.c -- interrupt descriptor table and the C side of interrupt dispatch.
 */
#include "idt.h"

#include "apic.h"
#include "console.h"
#include "report.h"

#define KERNEL_CS	0x10
#define GATE_INTR	0x8e	/* present, DPL 0, 64-bit interrupt gate */
#define STUB_SIZE	16	/* isr.S aligns every stub to 16 bytes */

struct idt_gate {
	uint16_t off_lo;
	uint16_t sel;
	uint8_t ist;
	uint8_t type;
	uint16_t off_mid;
	uint32_t off_hi;
	uint32_t zero;
} __attribute__((packed));

struct idt_ptr {
	uint16_t limit;
	uint64_t base;
} __attribute__((packed));

extern char isr_stubs[];

static struct idt_gate idt[256] __attribute__((aligned(16)));
static irq_handler_fn handlers[256];

void idt_load(void)
{
	struct idt_ptr p = { sizeof(idt) - 1, (uint64_t)(uintptr_t)idt };

	__asm__ volatile("lidt %0" : : "m"(p));
}

void idt_init(void)
{
	for (int v = 0; v < 256; v++) {
		uint64_t a = (uint64_t)(uintptr_t)isr_stubs + (uint64_t)v * STUB_SIZE;

		idt[v] = (struct idt_gate){
			.off_lo = (uint16_t)a,
			.sel = KERNEL_CS,
			.type = GATE_INTR,
			.off_mid = (uint16_t)(a >> 16),
			.off_hi = (uint32_t)(a >> 32),
		};
	}
	idt_load();
}

void idt_set_handler(uint8_t vec, irq_handler_fn fn)
{
	handlers[vec] = fn;
}

void idt_set_gate_type(uint8_t vec, uint8_t type)
{
	idt[vec].type = type;
}

static const char *const exc_names[32] = {
	"#DE", "#DB", "NMI", "#BP", "#OF", "#BR", "#UD", "#NM", "#DF", "CSO",
	"#TS", "#NP", "#SS", "#GP", "#PF", "#15", "#MF", "#AC", "#MC", "#XM",
	"#VE", "#CP",
};

void isr_dispatch(struct iframe *f)
{
	uint8_t v = (uint8_t)f->vector;
	unsigned long cr2;

	if (handlers[v]) {
		handlers[v](f);
		return;
	}
	if (v == APIC_SPURIOUS_VECTOR)
		return;	/* spurious: no EOI, by definition */
	if (v < 32) {
		__asm__ volatile("mov %%cr2, %0" : "=r"(cr2));
		report_fail(EXIT_EXCEPTION + v,
			    "exception %s (vector %u) error=0x%lx rip=0x%lx cr2=0x%lx rsp=0x%lx on APIC %u",
			    exc_names[v] ? exc_names[v] : "?", v, (unsigned long)f->error,
			    (unsigned long)f->rip, cr2, (unsigned long)f->rsp, lapic_id());
	}
	report_fail(EXIT_UNEXPECTED_IRQ, "unexpected interrupt vector %u at rip=0x%lx",
		    v, (unsigned long)f->rip);
}
