/*
 * demo -- the kernel `make run` boots: a multiboot v1 ELF32 (so QEMU's
 * -kernel boots it too) that switches to long mode through the shared
 * runtime.
 *
 * Banner; every CPU of the MADT says hello (APs started with INIT/SIPI);
 * a heartbeat line about once a second (LAPIC timer at 10 Hz, its rate
 * measured against the PIT); characters typed on COM1 are echoed (UART
 * receive interrupt through the I/O APIC, and polled on every timer tick in
 * case the interrupt never comes); 'q' powers off through ACPI S5.
 */
#include "acpi.h"
#include "apic.h"
#include "boot.h"
#include "console.h"
#include "idt.h"
#include "io.h"
#include "report.h"
#include "smp.h"

#define TICK_VECTOR	0x40
#define UART_VECTOR	0x41
#define TICK_HZ		10
#define HELLO_WAIT	(5 * TICK_HZ)	/* ticks to wait for the APs' hellos */

static uint32_t cpu_ids[SMP_MAX_CPUS];
static volatile uint32_t hellos;
static volatile unsigned long ticks;
static int typing;	/* echoed characters since the last newline */

static void tick(struct iframe *f)
{
	ticks++;
	lapic_eoi();
}

/* Only wakes the main loop, which reads the UART (and so drops its IRQ). */
static void uart_irq(struct iframe *f)
{
	lapic_eoi();
}

static void hello(int index)
{
	gprintf("hello from CPU %u\n", lapic_id());
	__atomic_fetch_add(&hellos, 1, __ATOMIC_SEQ_CST);
}

static void power_off(void)
{
	gprintf("\npowering off\n");
	acpi_poweroff();
	/* QEMU powers off asynchronously: give it a moment before the fallback
	 * for a VMM without ACPI power-off (the debug-exit port, else halt). */
	spin_delay(2000000);
	guest_exit(0);
}

/* Echo what was typed; 'q' ends the demo. */
static void serial_poll(void)
{
	int c;

	while ((c = serial_getc()) >= 0) {
		if (c == 'q')
			power_off();
		if (c == '\r' || c == '\n') {
			console_puts("\n");
			typing = 0;
			continue;
		}
		if (c >= 0x20 && c < 0x7f)
			console_putc((char)c);
		else
			gprintf("<%02x>", c);
		typing = 1;
	}
}

int guest_main(const struct boot_info *bi)
{
	uint64_t rsdp = acpi_find_rsdp();
	unsigned long last_beat = 0, beats = 0;
	int n = 0, measured;
	uint32_t hz;

	report_init("demo");
	gprintf("\nhyve demo kernel\n");
	gprintf("command line: \"%s\"\n", bi->cmdline);
	lapic_enable();
	pic_mask_all();
	if (rsdp)
		n = acpi_madt_cpus(rsdp, cpu_ids, SMP_MAX_CPUS);
	if (n > SMP_MAX_CPUS)
		n = SMP_MAX_CPUS;
	if (n <= 0) {
		gprintf("no ACPI MADT found: running on the boot CPU only\n");
		cpu_ids[0] = lapic_id();
		n = 1;
	}
	gprintf("%d CPU(s) in the MADT\n", n);

	hz = lapic_timer_hz(&measured);
	idt_set_handler(TICK_VECTOR, tick);
	idt_set_handler(UART_VECTOR, uart_irq);
	lapic_timer_start(TICK_VECTOR, hz / TICK_HZ, 1);

	hello(0);
	if (n > 1 && smp_start_aps(cpu_ids, n, hello) < 0)
		gprintf("could not start the other CPUs (INIT/SIPI not delivered)\n");
	while (hellos < (uint32_t)n && ticks < HELLO_WAIT)
		sti_hlt();
	cli();
	if (hellos < (uint32_t)n)
		gprintf("only %u of %d CPUs said hello\n", hellos, n);

	ioapic_route(COM1_IRQ, UART_VECTOR, lapic_id());
	serial_rx_irq(1);
	gprintf("timer: %u Hz (%s); type q to power off, Ctrl-A x to quit hyve\n", hz,
		measured ? "measured" : "assumed");
	for (;;) {
		cli();
		serial_poll();
		if (ticks - last_beat >= TICK_HZ) {
			last_beat = ticks;
			/* Keep the heartbeat off a half-typed line. */
			gprintf("%sheartbeat %lu\n", typing ? "\n" : "", ++beats);
			typing = 0;
		}
		sti_hlt();
	}
}
