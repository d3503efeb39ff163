/*
 * trampoline.S -- application-processor start code.  The boot CPU copies
 * [trampoline_start, trampoline_end) to TRAMPOLINE_PA (smp.h) and fills
 * tramp_data; a SIPI with vector TRAMPOLINE_PA >> 12 starts an AP here in
 * real mode with CS = vector << 8, IP = 0.
 *
 * 16-bit real mode -> 32-bit protected mode (own GDT, same selectors as the
 * boot GDT) -> long mode with the boot CPU's CR3/CR4/EFER -> a ticket from
 * tramp_data (lock xadd) picks this AP's stack -> smp_ap_entry(ticket) in the
 * higher half.
 *
 * The code is assembled as data for the kernel image (it never runs where it
 * is linked): every absolute address is TRAMPOLINE_PA + offset.
 */
#include "smp.h"

#define T(sym)		(TRAMPOLINE_PA + ((sym) - trampoline_start))
#define TD_CR3		0
#define TD_CR4		4
#define TD_EFER		8
#define TD_TICKET	12
#define TD_ENTRY	16
#define TD_STACKS	24
#define TD_STACK_SIZE	32

	.section .rodata.trampoline, "a"
	.globl trampoline_start, trampoline_end, tramp_data
	.align 16
trampoline_start:
	.code16
	cli
	cld
	mov %cs, %ax
	mov %ax, %ds
	lgdtl tr_gdt_ptr - trampoline_start
	mov %cr0, %eax
	or $1, %eax			/* PE */
	mov %eax, %cr0
	ljmpl $0x08, $T(tr_pm32)

	.code32
tr_pm32:
	mov $0x18, %eax
	mov %eax, %ds
	mov %eax, %es
	mov %eax, %ss
	mov T(tramp_data) + TD_CR4, %eax	/* includes PAE */
	mov %eax, %cr4
	mov T(tramp_data) + TD_CR3, %eax
	mov %eax, %cr3
	mov $0xc0000080, %ecx
	rdmsr
	or T(tramp_data) + TD_EFER, %eax	/* includes LME */
	wrmsr
	mov %cr0, %eax
	or $0x80000000, %eax		/* PG: long mode */
	mov %eax, %cr0
	ljmp $0x10, $T(tr_lm64)

	.code64
tr_lm64:
	mov $1, %eax
	lock xadd %eax, T(tramp_data) + TD_TICKET
	mov %eax, %edi			/* ticket: argument to smp_ap_entry */
	lea 1(%rax), %rax
	imul T(tramp_data) + TD_STACK_SIZE, %rax
	add T(tramp_data) + TD_STACKS, %rax
	mov %rax, %rsp			/* top of stack number `ticket` */
	xor %ebp, %ebp
	mov T(tramp_data) + TD_ENTRY, %rax
	call *%rax
1:	cli
	hlt
	jmp 1b

	.align 8
tr_gdt:
	.quad 0
	.quad 0x00cf9b000000ffff	/* 0x08: flat 32-bit code */
	.quad 0x00af9b000000ffff	/* 0x10: 64-bit code */
	.quad 0x00cf93000000ffff	/* 0x18: flat data */
tr_gdt_end:
tr_gdt_ptr:
	.word tr_gdt_end - tr_gdt - 1
	.long T(tr_gdt)

	.align 8
tramp_data:				/* struct tramp_data (smp.c) */
	.fill 40, 1, 0
trampoline_end:
