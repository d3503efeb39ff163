/*
 * apic.c -- LAPIC, I/O APIC, 8259 and PIT helpers.
 */
#include "apic.h"

#include "hw.h"
#include "io.h"

#define LAPIC_ID	0x020
#define LAPIC_TPR	0x080
#define LAPIC_EOI	0x0b0
#define LAPIC_SVR	0x0f0
#define LAPIC_ICR_LO	0x300
#define LAPIC_ICR_HI	0x310
#define LAPIC_LVT_TIMER	0x320
#define LAPIC_LVT_LINT0	0x350
#define LAPIC_LVT_LINT1	0x360
#define LAPIC_TMR_INIT	0x380
#define LAPIC_TMR_CUR	0x390
#define LAPIC_TMR_DIV	0x3e0

#define SVR_ENABLE	(1u << 8)
#define LVT_MASKED	(1u << 16)
#define LVT_PERIODIC	(1u << 17)
#define ICR_BUSY	(1u << 12)
#define ICR_INIT	0x00000500u
#define ICR_SIPI	0x00000600u
#define ICR_ASSERT	0x00004000u
#define ICR_LEVEL	0x00008000u
#define APIC_BASE_EN	(1ULL << 11)
#define DIV_16		0x3

#define KVM_APIC_BUS_HZ	1000000000u	/* KVM's default APIC bus: 1 ns per cycle */

static uint32_t lapic_rd(uint32_t reg)
{
	return mmio_read32(LAPIC_BASE + reg);
}

static void lapic_wr(uint32_t reg, uint32_t v)
{
	mmio_write32(LAPIC_BASE + reg, v);
}

void spin_delay(unsigned long n)
{
	while (n--)
		cpu_relax();
}

void lapic_enable(void)
{
	uint64_t base = rdmsr(MSR_APIC_BASE);

	if (!(base & APIC_BASE_EN))
		wrmsr(MSR_APIC_BASE, base | APIC_BASE_EN);
	lapic_wr(LAPIC_TPR, 0);
	lapic_wr(LAPIC_LVT_LINT0, LVT_MASKED);
	lapic_wr(LAPIC_LVT_LINT1, LVT_MASKED);
	lapic_wr(LAPIC_SVR, SVR_ENABLE | APIC_SPURIOUS_VECTOR);
}

uint32_t lapic_id(void)
{
	return lapic_rd(LAPIC_ID) >> 24;
}

void lapic_eoi(void)
{
	lapic_wr(LAPIC_EOI, 0);
}

int lapic_send_ipi(uint32_t dest, uint32_t icr_low)
{
	lapic_wr(LAPIC_ICR_HI, dest << 24);
	lapic_wr(LAPIC_ICR_LO, icr_low);	/* this write sends it */
	for (int i = 0; i < 100000; i++)
		if (!(lapic_rd(LAPIC_ICR_LO) & ICR_BUSY))
			return 0;
	return -1;
}

int lapic_start_ap(uint32_t dest, uint8_t sipi_vector)
{
	int err = 0;

	err |= lapic_send_ipi(dest, ICR_INIT | ICR_ASSERT | ICR_LEVEL);
	spin_delay(1000);
	err |= lapic_send_ipi(dest, ICR_INIT | ICR_LEVEL);	/* de-assert */
	spin_delay(1000);
	/* The MP spec's second SIPI is ignored by a CPU the first one started. */
	for (int i = 0; i < 2; i++) {
		err |= lapic_send_ipi(dest, ICR_SIPI | ICR_ASSERT | sipi_vector);
		spin_delay(200);
	}
	return err ? -1 : 0;
}

void lapic_timer_start(uint8_t vector, uint32_t count, int periodic)
{
	lapic_wr(LAPIC_TMR_DIV, DIV_16);
	lapic_wr(LAPIC_LVT_TIMER, vector | (periodic ? LVT_PERIODIC : 0));
	lapic_wr(LAPIC_TMR_INIT, count);
}

void lapic_timer_stop(void)
{
	lapic_wr(LAPIC_LVT_TIMER, LVT_MASKED);
	lapic_wr(LAPIC_TMR_INIT, 0);
}

uint32_t lapic_timer_current(void)
{
	return lapic_rd(LAPIC_TMR_CUR);
}

#define PIT_HZ		1193182u
#define PIT_CH2		0x42
#define PIT_CMD		0x43
#define PORT_B		0x61	/* bit 0: channel 2 gate, bit 1: speaker, bit 5: OUT2 */
#define CAL_PIT_TICKS	(PIT_HZ / 100)	/* 10 ms */

uint32_t lapic_timer_hz(int *measured)
{
	uint32_t elapsed;
	uint8_t b = inb(PORT_B);
	int i;

	*measured = 0;
	if (b == 0xff)	/* no port B: no PIT to measure against */
		return KVM_APIC_BUS_HZ / 16;
	lapic_wr(LAPIC_LVT_TIMER, LVT_MASKED | 0x20);	/* one-shot, no interrupt */
	lapic_wr(LAPIC_TMR_DIV, DIV_16);
	outb(PORT_B, (b & ~0x02) | 0x01);		/* gate high, speaker off */
	outb(PIT_CMD, 0xb0);				/* ch 2, lo/hi, mode 0 */
	outb(PIT_CH2, CAL_PIT_TICKS & 0xff);
	outb(PIT_CH2, CAL_PIT_TICKS >> 8);		/* mode 0 counts from here */
	lapic_wr(LAPIC_TMR_INIT, 0xffffffffu);
	for (i = 0; i < 10000000; i++)
		if (inb(PORT_B) & 0x20)
			break;
	elapsed = 0xffffffffu - lapic_rd(LAPIC_TMR_CUR);
	lapic_timer_stop();
	outb(PORT_B, b & ~0x03);
	/* Plausible: 1 MHz .. 1 GHz after the divider, i.e. 10k .. 10M in 10 ms. */
	if (i == 10000000 || elapsed < 10000 || elapsed > 10000000)
		return KVM_APIC_BUS_HZ / 16;
	*measured = 1;
	return elapsed * 100;
}

#define IOREGSEL	0x00
#define IOWIN		0x10

static void ioapic_wr(uint32_t reg, uint32_t v)
{
	mmio_write32(IOAPIC_BASE + IOREGSEL, reg);
	mmio_write32(IOAPIC_BASE + IOWIN, v);
}

void ioapic_route(unsigned pin, uint8_t vector, uint32_t dest)
{
	/* High half first, so the entry is never live with a stale destination. */
	ioapic_wr(0x10 + 2 * pin + 1, dest << 24);
	ioapic_wr(0x10 + 2 * pin, vector);	/* fixed, physical, high, edge, unmasked */
}

void pic_mask_all(void)
{
	outb(0x21, 0xff);
	outb(0xa1, 0xff);
}
