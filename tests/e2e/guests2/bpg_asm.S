/*
 * bpg_asm.S -- code of the breakpoint test guest whose bytes and addresses
 * the tests use exactly.
 */
	.text
	.code64

/*
 * alias_fn(x) = 3x + 1 and alias_fn2(x) = x + 7: no absolute addresses, so
 * they run the same through the higher-half mapping and through the identity
 * mapping of the same physical bytes (mode=alias calls them both ways).
 */
	.globl alias_fn, alias_fn2
	.type alias_fn, @function
	.balign 16
alias_fn:
	lea 1(%rdi,%rdi,2), %rax
	ret
	.size alias_fn, . - alias_fn

	.type alias_fn2, @function
	.balign 16
alias_fn2:
	lea 7(%rdi), %rax
	ret
	.size alias_fn2, . - alias_fn2

/* guest_int3(): the guest's own breakpoint instruction (mode=int3, mode=loop). */
	.globl guest_int3, int3_site, int3_after
	.type guest_int3, @function
	.balign 16
guest_int3:
int3_site:
	int3
int3_after:
	ret
	.size guest_int3, . - guest_int3

/*
 * The guest ends the machine (mode=fail): a triple fault (no usable IDT,
 * then #UD), a reset through the i8042 (0xfe to port 0x64), ACPI S5
 * power-off (SLP_TYP 5 | SLP_EN to PM1a control at 0x604).  The *_after
 * labels are where RIP stands once the port write has completed.
 */
	.globl do_triple, triple_at
	.type do_triple, @function
	.balign 16
do_triple:
	lidt null_idt(%rip)
triple_at:
	ud2
	.size do_triple, . - do_triple

	.globl do_reset, reset_after
	.type do_reset, @function
	.balign 16
do_reset:
	mov $0xfe, %al
	out %al, $0x64
reset_after:
	cli
	hlt
	jmp reset_after
	.size do_reset, . - do_reset

	.globl do_poweroff, poweroff_after
	.type do_poweroff, @function
	.balign 16
do_poweroff:
	mov $0x604, %dx
	mov $((5 << 10) | (1 << 13)), %ax
	out %ax, %dx
poweroff_after:
	cli
	hlt
	jmp poweroff_after
	.size do_poweroff, . - do_poweroff

	.globl do_panic, panic_after
	.type do_panic, @function
	.balign 16
do_panic:
	mov $0x505, %dx
	mov $1, %al			/* PVPANIC_PANICKED */
	out %al, %dx
panic_after:
	cli
	hlt
	jmp panic_after
	.size do_panic, . - do_panic

/*
 * uint32_t irq_spin(void): count irq_laps at irq_loop until irq_release is
 * set (mode=irq; the test stops at irq_loop, outside any handler).
 */
	.globl irq_spin, irq_loop, irq_spin_end
	.type irq_spin, @function
	.balign 16
irq_spin:
irq_loop:
	incq irq_laps(%rip)
	mov irq_release(%rip), %eax
	test %eax, %eax
	jz irq_loop
	ret
irq_spin_end:
	.size irq_spin, . - irq_spin

/*
 * One page holding code (wpage_fn) and a variable (wpage_var, at +2048):
 * a watchpoint on the variable traps the page the code is fetched from.
 */
	/* hyve's page tables map it writable: the variable may live in .text */
	.section .text.wpage, "ax", @progbits
	.balign 4096
	.globl wpage, wpage_fn, wpage_var
wpage:
	.type wpage_fn, @function
wpage_fn:
	lea 0x100(%rdi), %rax
	ret
	.size wpage_fn, . - wpage_fn
	.balign 2048
	.type wpage_var, @object
wpage_var:
	.quad 0x1111
	.size wpage_var, 8
	.balign 4096

/*
 * straddle_fn's mov $imm32 begins 3 bytes before the end of its page and
 * ends in the next one, straddle_page, which holds straddle_next and
 * straddle_var: a breakpoint or a read watchpoint that traps straddle_page
 * traps a fetch of that instruction's tail, its rip in the page before.
 */
	.section .text.straddle, "ax", @progbits
	.balign 4096
	.skip 4096 - 8
	.globl straddle_fn, straddle_page, straddle_next, straddle_var
	.type straddle_fn, @function
straddle_fn:
	nop
	nop
	nop
	nop
	nop
	mov $0x12345678, %eax		/* 5 bytes: 3 in this page, 2 in the next */
	.set straddle_page, straddle_fn + 8
	add %rdi, %rax
	ret
	.size straddle_fn, . - straddle_fn
	.balign 64
	.type straddle_next, @function
straddle_next:
	lea 1(%rdi), %rax
	ret
	.size straddle_next, . - straddle_next
	.balign 2048
	.type straddle_var, @object
straddle_var:
	.quad 0x5ad
	.size straddle_var, 8
	.balign 4096

	.section .rodata
	.balign 16
null_idt:
	.word 0
	.quad 0
