/*
 * timer -- LAPIC timer interrupts in long mode.
 *
 * IDT (shared runtime), LAPIC enabled, PICs masked, timer periodic with
 * vector 0x40, divide 16, a small initial count; sti and count interrupts
 * (EOI each) until TIMER_WANT have arrived.  Bounded: the first interrupt
 * must come within a counted polling loop, the rest within a bounded number
 * of hlt wake-ups.
 */
#include "apic.h"
#include "boot.h"
#include "console.h"
#include "idt.h"
#include "io.h"
#include "report.h"

enum {
	E_NO_IRQ = 0x20,	/* no interrupt within the polling bound */
	E_TOO_FEW = 0x21,	/* interrupts stopped coming */
	E_NOT_STOPPED = 0x22,	/* the timer kept counting after being stopped */
	E_IF = 0x23,		/* the handler ran with interrupts enabled */
};

#define TIMER_VECTOR	0x40
#define TIMER_COUNT	100000		/* 1.6 ms at KVM's 62.5 MHz */
#define TIMER_WANT	5
#define POLL_LIMIT	3000000UL
#define HLT_LIMIT	1000

static volatile unsigned long irqs;
static volatile unsigned long irqs_with_if;

static void timer_irq(struct iframe *f)
{
	irqs++;
	if (read_flags() & FLAGS_IF)
		irqs_with_if++;
	lapic_eoi();
}

int guest_main(const struct boot_info *bi)
{
	unsigned long polls = 0;
	int hlts = 0, measured;
	uint32_t hz;

	report_init("timer");
	lapic_enable();
	pic_mask_all();
	hz = lapic_timer_hz(&measured);
	gprintf("LAPIC timer: %u Hz after divide-by-16 (%s)\n", hz,
		measured ? "measured against PIT channel 2" : "assumed: KVM's 1 GHz bus");

	idt_set_handler(TIMER_VECTOR, timer_irq);
	lapic_timer_start(TIMER_VECTOR, TIMER_COUNT, 1);
	sti();
	while (!irqs && polls < POLL_LIMIT) {
		cpu_relax();
		polls++;
	}
	CHECK(E_NO_IRQ, irqs > 0, "no timer interrupt after %lu polls (current count %u)",
	      polls, lapic_timer_current());
	while (irqs < TIMER_WANT && hlts < HLT_LIMIT) {
		hlt();
		hlts++;
	}
	cli();
	lapic_timer_stop();
	CHECK(E_TOO_FEW, irqs >= TIMER_WANT, "%lu interrupts after %d halts", irqs, hlts);
	CHECK(E_IF, irqs_with_if == 0, "%lu handler runs with IF set", irqs_with_if);
	CHECK(E_NOT_STOPPED, lapic_timer_current() == 0, "timer still counting: %u",
	      lapic_timer_current());
	gprintf("first interrupt after %lu polls, then %d halts\n", polls, hlts);
	gprintf("TIMER OK %lu\n", irqs);
	return 0;
}
