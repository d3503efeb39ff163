/*
 * console.c -- COM1 and debug-console output, COM1 input.
 *
 * The THR-empty wait is bounded: a VMM whose UART reads back 0 must not hang
 * the guest (the byte is then dropped on COM1, and still reaches the debug
 * console).
 */
#include "console.h"

#include "fmt.h"
#include "hw.h"
#include "io.h"
#include "spinlock.h"

#define UART_RBR	0	/* receive buffer (read) / transmit holding (write) */
#define UART_IER	1
#define UART_FCR	2
#define UART_LCR	3
#define UART_MCR	4
#define UART_LSR	5
#define LSR_DR		0x01	/* data ready */
#define LSR_THRE	0x20	/* transmit holding register empty */
#define THRE_SPINS	100000

static spinlock_t console_lock = SPINLOCK_INIT;

void console_init(void)
{
	outb(COM1_BASE + UART_IER, 0x00);
	outb(COM1_BASE + UART_LCR, 0x80);	/* DLAB: divisor follows */
	outb(COM1_BASE + 0, 0x01);		/* 115200 baud */
	outb(COM1_BASE + 1, 0x00);
	outb(COM1_BASE + UART_LCR, 0x03);	/* 8N1, DLAB off */
	outb(COM1_BASE + UART_FCR, 0x07);	/* FIFOs on and cleared */
	outb(COM1_BASE + UART_MCR, 0x0b);	/* DTR, RTS, OUT2 (IRQ gate) */
}

static void serial_putc(char c)
{
	for (int i = 0; i < THRE_SPINS; i++)
		if (inb(COM1_BASE + UART_LSR) & LSR_THRE)
			break;
	outb(COM1_BASE + UART_RBR, (uint8_t)c);
}

void console_putc(char c)
{
	if (c == '\n')
		serial_putc('\r');
	serial_putc(c);
	outb(DEBUGCON_PORT, (uint8_t)c);
}

void console_write(const char *s, size_t n)
{
	while (n--)
		console_putc(*s++);
}

void console_puts(const char *s)
{
	while (*s)
		console_putc(*s++);
}

int serial_getc(void)
{
	uint8_t lsr = inb(COM1_BASE + UART_LSR);

	/* 0xff is "no device here": treat as nothing received. */
	if (lsr == 0xff || !(lsr & LSR_DR))
		return -1;
	return inb(COM1_BASE + UART_RBR);
}

void serial_rx_irq(int on)
{
	outb(COM1_BASE + UART_IER, on ? 0x01 : 0x00);
}

static void console_put(char c, void *ctx)
{
	console_putc(c);
}

int gvprintf(const char *fmt, va_list ap)
{
	int n;

	spin_lock(&console_lock);
	n = vformat(console_put, NULL, fmt, ap);
	spin_unlock(&console_lock);
	return n;
}

int gprintf(const char *fmt, ...)
{
	va_list ap;
	int n;

	va_start(ap, fmt);
	n = gvprintf(fmt, ap);
	va_end(ap);
	return n;
}

int gprintf_force(const char *fmt, ...)
{
	va_list ap;
	int n, locked;

	/* A CPU that faulted while printing holds the lock: print anyway. */
	locked = spin_trylock(&console_lock, 1000000);
	va_start(ap, fmt);
	n = vformat(console_put, NULL, fmt, ap);
	va_end(ap);
	if (locked)
		spin_unlock(&console_lock);
	return n;
}
