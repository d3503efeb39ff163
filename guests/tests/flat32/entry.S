/*
 * entry.S -- multiboot v1 entry of the flat32 test: 32-bit protected mode,
 * paging off.  Takes a stack and calls flat32_main(eax, ebx) without touching
 * the mode the loader left (that mode is what the test checks).
 */
#define MB_MAGIC	0x1badb002
#define MB_FLAGS	0x00000002	/* bit 1: ask for mem_lower/mem_upper */

	.cfi_sections .debug_frame	/* .eh_frame is discarded at link time */
	.section .multiboot, "a"
	.align 4
	.long MB_MAGIC
	.long MB_FLAGS
	.long -(MB_MAGIC + MB_FLAGS)

	.section .text.entry, "ax"
	.code32
	.globl _start
	.type _start, @function
_start:
	.cfi_startproc
	.cfi_undefined eip
	cli
	cld
	mov $stack_top, %esp
	xor %ebp, %ebp
	push %ebx
	push %eax
	call flat32_main
1:	cli
	hlt
	jmp 1b
	.cfi_endproc
	.size _start, . - _start

	.section .bss
	.align 16
stack:
	.skip 8192
stack_top:
