/*
 * idt.h -- a 64-bit IDT with a stub for every vector.  Exceptions without a
 * handler end the test: "FAIL name: exception ..." and exit code 0x80+vector.
 */
#ifndef GUEST_IDT_H
#define GUEST_IDT_H

#include <stdint.h>

/* The stack as isr.S leaves it for isr_dispatch (lowest address first). */
struct iframe {
	uint64_t r15, r14, r13, r12, r11, r10, r9, r8;
	uint64_t rdi, rsi, rbp, rbx, rdx, rcx, rax;
	uint64_t vector, error;
	uint64_t rip, cs, rflags, rsp, ss;	/* pushed by the CPU */
};

typedef void (*irq_handler_fn)(struct iframe *f);

/* Fill the table (once) and load it on this CPU. */
void idt_init(void);
/* Load the already filled table (application processors). */
void idt_load(void);
/* Call fn for vector vec; the handler sends its own EOI if it needs one. */
void idt_set_handler(uint8_t vec, irq_handler_fn fn);
/* Change a gate's type byte (P, DPL, type: 0x8e interrupt gate, 0xef DPL-3 trap gate). */
void idt_set_gate_type(uint8_t vec, uint8_t type);

/* Called by isr.S. */
void isr_dispatch(struct iframe *f);

#endif
