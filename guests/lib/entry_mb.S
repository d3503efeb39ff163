/*
 * entry_mb.S -- entry of a multiboot v1 guest: 32-bit protected mode, paging
 * off (EAX = magic, EBX = info).  Builds nothing at run time: the page tables
 * below are static data (identity 0..4 GiB and KERNEL_VMA -> 0..2 GiB with
 * 2 MiB pages), so the switch to long mode is a dozen instructions:
 * own GDT, CR4.PAE, CR3, EFER.LME, CR0.PG, far jump to 64-bit code, jump to
 * the higher half, rt_entry(BOOT_PROTO_MULTIBOOT, eax, ebx).
 * CR4.OSXSAVE is never set (KVM's emulator on this project's hosts cannot
 * run XSAVE), nor OSFXSR: the guests use general registers only.
 */
#define MB_MAGIC	0x1badb002
#define MB_FLAGS	0
#define SEL_CODE32	0x08
#define SEL_CODE64	0x10
#define SEL_DATA	0x18
#define PTE_PW		0x03		/* present, writable */
#define PTE_LARGE	0x83		/* present, writable, 2 MiB page */

	/* Linked at its physical address: it runs before paging is on. */
	.cfi_sections .debug_frame	/* .eh_frame is discarded at link time */
	.section .multiboot, "a"
	.align 4
	.long MB_MAGIC
	.long MB_FLAGS
	.long -(MB_MAGIC + MB_FLAGS)

	.section .boot, "ax"
	.code32
	.globl _start
	.type _start, @function
_start:
	cli
	cld
	mov %eax, mb_magic
	mov %ebx, mb_info
	lgdt boot_gdt_ptr
	ljmp $SEL_CODE32, $1f
1:	mov $SEL_DATA, %eax
	mov %eax, %ds
	mov %eax, %es
	mov %eax, %ss
	mov %cr4, %eax
	or $0x20, %eax			/* PAE */
	mov %eax, %cr4
	mov $pml4, %eax
	mov %eax, %cr3
	mov $0xc0000080, %ecx		/* EFER */
	rdmsr
	or $0x100, %eax			/* LME */
	wrmsr
	mov %cr0, %eax
	or $0x80000001, %eax		/* PG | PE: long mode (compatibility) */
	mov %eax, %cr0
	ljmp $SEL_CODE64, $start64_low
	.size _start, . - _start

	.code64
start64_low:
	movabs $start64, %rax
	jmp *%rax

	.section .boot.data, "aw"
	.align 8
boot_gdt:
	.quad 0
	.quad 0x00cf9b000000ffff	/* 0x08: flat 32-bit code */
	.quad 0x00af9b000000ffff	/* 0x10: 64-bit code */
	.quad 0x00cf93000000ffff	/* 0x18: flat data */
boot_gdt_end:
boot_gdt_ptr:
	.word boot_gdt_end - boot_gdt - 1
	.long boot_gdt
mb_magic:
	.long 0
mb_info:
	.long 0

	.section .boot.pgt, "aw"
	.align 4096
	.globl pml4
pml4:
	.quad pdpt_low + PTE_PW
	.fill 510, 8, 0
	.quad pdpt_high + PTE_PW	/* 0xffffff8000000000.. */
pdpt_low:				/* 0..4 GiB identity */
	.quad pd + 0x0000 + PTE_PW
	.quad pd + 0x1000 + PTE_PW
	.quad pd + 0x2000 + PTE_PW
	.quad pd + 0x3000 + PTE_PW
	.fill 508, 8, 0
pdpt_high:				/* KERNEL_VMA (slot 510) -> 0..2 GiB */
	.fill 510, 8, 0
	.quad pd + 0x0000 + PTE_PW
	.quad pd + 0x1000 + PTE_PW
pd:
	.set addr, 0
	.rept 2048
	.quad addr + PTE_LARGE
	.set addr, addr + 0x200000
	.endr

	/* The higher half, on the boot CPU's own stack. */
	.section .text.entry, "ax"
	.code64
	.type start64, @function
start64:
	.cfi_startproc
	.cfi_undefined rip	/* outermost frame: gdb's backtrace ends here */
	lea boot_stack_top(%rip), %rsp
	call gdt_load
	xor %ebp, %ebp
	mov $1, %edi		/* BOOT_PROTO_MULTIBOOT */
	mov mb_magic, %esi
	mov mb_info, %edx
	call rt_entry
1:	cli
	hlt
	jmp 1b
	.cfi_endproc
	.size start64, . - start64

	.section .bss
	.align 16
boot_stack:
	.skip 16384
boot_stack_top:
