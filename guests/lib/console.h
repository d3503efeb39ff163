/*
 * console.h -- output on COM1 (polled 16550A) and on the debug console port,
 * input from COM1.  Every line goes to both, so a test passes or fails the
 * same whether the VMM captured one or the other.
 */
#ifndef GUEST_CONSOLE_H
#define GUEST_CONSOLE_H

#include <stdarg.h>
#include <stddef.h>

/* 115200 8N1, FIFOs on, UART interrupts off. */
void console_init(void);
/* Raw output of one byte: "\n" becomes "\r\n" on COM1 only. */
void console_putc(char c);
void console_write(const char *s, size_t n);
void console_puts(const char *s);

/* A character received on COM1, or -1 if none is waiting. */
int serial_getc(void);
/* Enable (1) or disable (0) the UART's received-data interrupt (IER bit 0). */
void serial_rx_irq(int on);

/* printf to the console; a whole call is one atomic unit between CPUs. */
int gprintf(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
int gvprintf(const char *fmt, va_list ap);
/* Like gprintf, but gives up the lock after a bounded wait (crash paths). */
int gprintf_force(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

#endif
