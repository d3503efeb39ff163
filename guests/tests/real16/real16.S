/*
 * real16.S -- a raw 16-bit real-mode image, loaded and entered at 0x7c00
 * (hyve: -o boot.format=raw -o raw.addr=0x7c00 -o raw.entry=0x7c00
 * -o raw.mode=real16).  It is also a valid boot sector (0xaa55 at 510), so a
 * BIOS can start it from a raw disk image.
 *
 * Checks CR0.PE is clear (smsw), runs `counter_loop` COUNT times (calling
 * `bump`, which increments the word `counter`: something for a debugger to
 * break on, step over and watch), checks the count, prints "REAL16 OK" and
 * "PASS real16" on the debug console (0x402) and COM1, and exits through the
 * debug-exit port with 0.  Failures: 0x20 PE set, 0x21 wrong count.
 */
#define COUNT		100
#define COM1_THR	0x3f8
#define COM1_LSR	0x3fd
#define DEBUGCON	0x402
#define DEBUG_EXIT	0xf4

	.code16
	.section .text
	.globl _start, counter_loop, counter, bump
_start:
	cli
	cld
	xor %ax, %ax
	mov %ax, %ds
	mov %ax, %es
	mov %ax, %ss
	mov $0x7c00, %sp
	ljmp $0, $1f		/* CS:IP = 0000:7cxx whatever the loader chose */
1:
	smsw %ax
	test $1, %al
	jnz fail_pe

	movw $0, counter
counter_loop:
	call bump
	cmpw $COUNT, counter
	jb counter_loop
	cmpw $COUNT, counter
	jne fail_count

	mov $msg_ok, %si
	call puts
	xor %al, %al
	out %al, $DEBUG_EXIT
halt:
	cli
	hlt
	jmp halt

fail_pe:
	mov $msg_pe, %si
	call puts
	mov $0x20, %al
	out %al, $DEBUG_EXIT
	jmp halt

fail_count:
	mov $msg_count, %si
	call puts
	mov $0x21, %al
	out %al, $DEBUG_EXIT
	jmp halt

bump:
	incw counter
	ret

/* Print the NUL-terminated string at DS:SI on both consoles. */
puts:
	lodsb
	test %al, %al
	jz 2f
	cmp $'\n', %al
	jne 1f
	push %ax
	mov $'\r', %al
	call serial_putc
	pop %ax
1:	call serial_putc
	mov $DEBUGCON, %dx
	out %al, %dx
	jmp puts
2:	ret

/* COM1 output of AL: wait (bounded) for THR empty, then write. */
serial_putc:
	push %ax
	mov $COM1_LSR, %dx
	mov $0x4000, %cx
1:	in %dx, %al
	test $0x20, %al
	jnz 2f
	loop 1b
2:	pop %ax
	mov $COM1_THR, %dx
	out %al, %dx
	ret

msg_ok:		.asciz "REAL16 OK\nPASS real16\n"
msg_pe:		.asciz "FAIL real16: CR0.PE is set in real mode\n"
msg_count:	.asciz "FAIL real16: counter loop miscounted\n"

	.align 2
counter:	.word 0

	.org 510
	.word 0xaa55
