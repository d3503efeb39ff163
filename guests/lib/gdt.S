/*
 * gdt.S -- the 64-bit runtime's GDT, with hyve's boot selectors (code32 0x08,
 * code64 0x10, data 0x18) so a debugger sees the same CS whichever way the
 * guest booted.  The accessed bits are preset: loading a selector then never
 * writes to the table.
 *
 * gdt_load: load it, reload DS/ES/SS/FS/GS and, by a far return, CS.
 */
	.section .data
	.align 16
	.globl gdt64
gdt64:
	.quad 0
	.quad 0x00cf9b000000ffff	/* 0x08: flat 32-bit code */
	.quad 0x00af9b000000ffff	/* 0x10: 64-bit code */
	.quad 0x00cf93000000ffff	/* 0x18: flat data */
gdt64_end:
	.align 8
gdt64_ptr:
	.word gdt64_end - gdt64 - 1
	.quad gdt64

	.section .text
	.code64
	.globl gdt_load
gdt_load:
	lgdt gdt64_ptr(%rip)
	mov $0x18, %eax
	mov %eax, %ds
	mov %eax, %es
	mov %eax, %ss
	xor %eax, %eax
	mov %eax, %fs
	mov %eax, %gs
	pop %rax		/* return address: come back through a far return */
	push $0x10
	push %rax
	lretq
