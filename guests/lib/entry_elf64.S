/*
 * entry_elf64.S -- entry of an ELF64 guest that hyve starts in long mode at
 * e_entry (higher half), with its own page tables (identity 0..4 GiB plus
 * KERNEL_VMA -> 0), RSI = GPA of an hvm_start_info, RSP = 0.
 * We keep hyve's page tables, take our own stack and GDT, and call
 * rt_entry(BOOT_PROTO_ELF64, 0, rsi).
 */
	.cfi_sections .debug_frame	/* .eh_frame is discarded at link time */
	.section .text.entry, "ax"
	.code64
	.globl _start
	.type _start, @function
_start:
	.cfi_startproc
	.cfi_undefined rip	/* outermost frame: gdb's backtrace ends here */
	cli
	cld
	lea boot_stack_top(%rip), %rsp
	mov %rsi, %rbx
	call gdt_load
	xor %ebp, %ebp
	mov $2, %edi		/* BOOT_PROTO_ELF64 */
	xor %esi, %esi
	mov %rbx, %rdx
	call rt_entry
1:	cli
	hlt
	jmp 1b
	.cfi_endproc
	.size _start, . - _start

	.section .bss
	.align 16
boot_stack:
	.skip 16384
boot_stack_top:
