/*
 * apic.h -- local APIC (xAPIC, MMIO at 0xfee00000), the I/O APIC's
 * redirection table, the legacy PICs (masked), and a PIT-calibrated LAPIC
 * timer rate.
 */
#ifndef GUEST_APIC_H
#define GUEST_APIC_H

#include <stdint.h>

#define APIC_SPURIOUS_VECTOR	0xff

/* Globally (APIC base MSR) and software (SVR) enable this CPU's LAPIC, TPR 0,
 * LINT0/LINT1 masked so the PIC cannot inject. */
void lapic_enable(void);
uint32_t lapic_id(void);
void lapic_eoi(void);

/*
 * Send an IPI: icr_low is the command (vector, delivery mode, level,
 * trigger), dest the target APIC id.  Waits for the delivery-status bit to
 * clear; returns 0, or -1 if it never did.
 */
int lapic_send_ipi(uint32_t dest, uint32_t icr_low);
/* INIT (assert, de-assert), then SIPI twice with the start page vector. */
int lapic_start_ap(uint32_t dest, uint8_t sipi_vector);

/* Timer: divide by 16, periodic or one-shot, vector, initial count. */
void lapic_timer_start(uint8_t vector, uint32_t count, int periodic);
void lapic_timer_stop(void);
uint32_t lapic_timer_current(void);
/*
 * Timer ticks per second at divide 16, measured against 10 ms of PIT channel
 * 2; if the PIT cannot be used, KVM's fixed 1 GHz APIC bus / 16.  *measured
 * says which.
 */
uint32_t lapic_timer_hz(int *measured);

/* Route I/O APIC input `pin` to `vector` on CPU `dest` (edge, active high). */
void ioapic_route(unsigned pin, uint8_t vector, uint32_t dest);
/* Mask every input of both 8259 PICs. */
void pic_mask_all(void);

/* A delay of roughly n pause instructions (for INIT/SIPI spacing). */
void spin_delay(unsigned long n);

#endif
