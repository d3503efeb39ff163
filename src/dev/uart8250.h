/*
 * uart8250.h -- the 16550A on COM1 (ports 0x3f8..0x3ff, IRQ 4).  Its device
 * registers itself; this header is for tests and other host-side feeders.
 */
#ifndef HYVE_DEV_UART8250_H
#define HYVE_DEV_UART8250_H

#include <stddef.h>

#define UART_COM1_BASE	0x3f8
#define UART_COM1_IRQ	4
#define UART_RX_SIZE	4096	/* host-side receive buffer */

/*
 * Queue bytes as if they arrived on the serial line (no escape processing).
 * Bytes that do not fit in the receive buffer are dropped (and flagged as an
 * overrun in LSR).  Returns how many were queued, or -ENODEV before init.
 */
int uart8250_inject(const void *buf, size_t n);

#endif
