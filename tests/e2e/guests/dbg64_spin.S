/*
 * dbg64_spin.S -- the code whose registers and instructions the debugger
 * tests check: plain assembly, so every address and value is exact.
 */
#define MSR_FS_BASE		0xc0000100
#define MSR_GS_BASE		0xc0000101
#define MSR_KERNEL_GS_BASE	0xc0000102

	.section .rodata
	.align 16
	.globl xmm0_pattern
xmm0_pattern:
	.byte 0x00, 0x11, 0x22, 0x33, 0x44, 0x55, 0x66, 0x77
	.byte 0x88, 0x99, 0xaa, 0xbb, 0xcc, 0xdd, 0xee, 0xff

	.text
	.code64

/*
 * uint32_t dbg_spin(void): load the known values, spin until `release`
 * is non-zero, return it.  Known values while spinning:
 *   RBX 0x1122334455667788, R12 0x0badc0ffee0ddf00, R15 0xfedcba9876543210,
 *   XMM0 bytes 00 11 22 .. ff, FS_BASE 0x00007f1234567000,
 *   GS_BASE 0xffff888012340000, KERNEL_GS_BASE 0x0000555566667000.
 */
	.globl dbg_spin, spin_loop, spin_end
	.type dbg_spin, @function
dbg_spin:
	push %rbx
	push %r12
	push %r15
	mov $MSR_FS_BASE, %ecx
	mov $0x34567000, %eax
	mov $0x00007f12, %edx
	wrmsr
	mov $MSR_GS_BASE, %ecx
	mov $0x12340000, %eax
	mov $0xffff8880, %edx
	wrmsr
	mov $MSR_KERNEL_GS_BASE, %ecx
	mov $0x66667000, %eax
	mov $0x00005555, %edx
	wrmsr
	movups xmm0_pattern(%rip), %xmm0
	movabs $0x1122334455667788, %rbx
	movabs $0x0badc0ffee0ddf00, %r12
	movabs $0xfedcba9876543210, %r15
spin_loop:
	mov release(%rip), %eax
	test %eax, %eax
	jz spin_loop
spin_end:
	pop %r15
	pop %r12
	pop %rbx
	ret
	.size dbg_spin, . - dbg_spin

/*
 * ap_spin(index): an application processor spins here for good, RBX = its
 * index (1..n-1), R12 counting its laps: each vCPU has its own values.
 */
	.globl ap_spin, ap_loop, ap_loop_end
	.type ap_spin, @function
ap_spin:
	cli
	mov %rdi, %rbx
	xor %r12d, %r12d
ap_loop:
	inc %r12
	pause
	jmp ap_loop
ap_loop_end:
	.size ap_spin, . - ap_spin
