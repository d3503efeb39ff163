/*
 * regs.h -- every x86 register bit and number hyve uses, in one place:
 * control registers, EFER, RFLAGS, the debug registers DR6/DR7, MSRs,
 * exception vectors, page-table entry bits and the breakpoint opcode.
 * Constants only (no types, no includes beyond stdint), so any file may
 * include it.  Names follow the SDM.
 */
#ifndef HYVE_X86_REGS_H
#define HYVE_X86_REGS_H

#include <stdint.h>

/* CR0 */
#define X86_CR0_PE	(1ULL << 0)
#define X86_CR0_MP	(1ULL << 1)
#define X86_CR0_ET	(1ULL << 4)
#define X86_CR0_NE	(1ULL << 5)
#define X86_CR0_WP	(1ULL << 16)
#define X86_CR0_PG	(1ULL << 31)

/* CR4 */
#define X86_CR4_PSE	(1ULL << 4)
#define X86_CR4_PAE	(1ULL << 5)
#define X86_CR4_OSFXSR	(1ULL << 9)
#define X86_CR4_OSXMMEXCPT (1ULL << 10)
#define X86_CR4_LA57	(1ULL << 12)

/* EFER (MSR 0xc0000080) */
#define X86_EFER_LME	(1ULL << 8)
#define X86_EFER_LMA	(1ULL << 10)
#define X86_EFER_NXE	(1ULL << 11)

/* RFLAGS */
#define X86_RFLAGS_CF	(1ULL << 0)
#define X86_RFLAGS_FIXED (1ULL << 1)	/* always reads as one */
#define X86_RFLAGS_PF	(1ULL << 2)
#define X86_RFLAGS_AF	(1ULL << 4)
#define X86_RFLAGS_ZF	(1ULL << 6)
#define X86_RFLAGS_SF	(1ULL << 7)
#define X86_RFLAGS_TF	(1ULL << 8)
#define X86_RFLAGS_IF	(1ULL << 9)
#define X86_RFLAGS_IOPL_SHIFT 12
#define X86_RFLAGS_OF	(1ULL << 11)
#define X86_RFLAGS_RF	(1ULL << 16)	/* resume: the next instruction's breakpoint is skipped */
#define X86_RFLAGS_AC	(1ULL << 18)
#define X86_RFLAGS_ARITH (X86_RFLAGS_CF | X86_RFLAGS_PF | X86_RFLAGS_AF | X86_RFLAGS_ZF | \
			  X86_RFLAGS_SF | X86_RFLAGS_OF)

/* x87 and SSE control at power-on and reset (SDM vol. 3, table 9-1) */
#define X86_FCW_RESET	0x37f
#define X86_MXCSR_RESET	0x1f80

/* DR6: which condition hit */
#define X86_DR6_B(i)	(1ULL << (i))	/* breakpoint i (0-3) matched */
#define X86_DR6_B_ALL	0xfULL
#define X86_DR6_BS	(1ULL << 14)	/* single step */

/* DR7: per slot i an enable bit and a 4-bit R/W + LEN field */
#define X86_DR7_L(i)	(1ULL << ((i) * 2))		/* local enable */
#define X86_DR7_LE	(1ULL << 8)
#define X86_DR7_GE	(1ULL << 9)
#define X86_DR7_FIXED	(1ULL << 10)			/* reserved, reads as one */
#define X86_DR7_RW_SHIFT(i) (16 + (i) * 4)
#define X86_DR7_LEN_SHIFT(i) (18 + (i) * 4)
#define X86_DR7_RW_EXEC	0ULL	/* instruction fetch */
#define X86_DR7_RW_WRITE 1ULL	/* data writes */
#define X86_DR7_RW_RDWR	3ULL	/* data reads or writes */
#define X86_DR_SLOTS	4

/* MSRs */
#define X86_MSR_EFER		0xc0000080u
#define X86_MSR_FS_BASE		0xc0000100u
#define X86_MSR_GS_BASE		0xc0000101u
#define X86_MSR_KERNEL_GS_BASE	0xc0000102u

/* Exception vectors */
#define X86_VEC_DB	1	/* debug: single step, debug-register hits */
#define X86_VEC_BP	3	/* breakpoint: int3 */
#define X86_VEC_UD	6	/* invalid opcode */

/* The one-byte breakpoint instruction, int3. */
#define X86_INT3	0xcc

/* Page-table entry bits. */
#define X86_PTE_P	(1ULL << 0)
#define X86_PTE_RW	(1ULL << 1)
#define X86_PTE_US	(1ULL << 2)
#define X86_PTE_PS	(1ULL << 7)
#define X86_PTE_NX	(1ULL << 63)

/* LAPIC register offsets, and local-vector-table delivery modes. */
#define X86_APIC_LVT_LINT0	0x350
#define X86_APIC_LVT_LINT1	0x360
#define X86_APIC_MODE_NMI	0x4
#define X86_APIC_MODE_EXTINT	0x7

#endif
