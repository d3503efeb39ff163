/*
 * gdb_regs.h -- the x86-64 register set as the debug server shows it to GDB:
 * the target description XML, the register table (GDB numbers, sizes and
 * offsets in the 'g' packet) and conversion between a plain C snapshot of
 * the vCPU and the 'g' / 'p' / 'P' byte images.
 *
 * The layout is always the 64-bit one, whatever mode the guest is in: GDB
 * is told i386:x86-64 and 32-bit guests show their registers zero-extended.
 *
 * Numbers (also the XML order, which is what GDB numbers by):
 *   0-15 rax rbx rcx rdx rsi rdi rbp rsp r8-r15   16 rip   17 eflags
 *   18-23 cs ss ds es fs gs   24-31 st0-st7   32-39 fctrl fstat ftag fiseg
 *   fioff foseg fooff fop   40-55 xmm0-15   56 mxcsr   57 fs_base 58 gs_base
 *   59 k_gs_base 60 cr0 61 cr2 62 cr3 63 cr4 64 cr8 65 efer
 *   66-81 ymm0h-ymm15h (only when the guest has AVX)
 * then the feature org.hyve.x86.sysregs (from 66 without AVX, 82 with), not
 * in the 'g' packet (gdb fetches them with 'p'): dr0-dr3 dr6 dr7, gdtr/idtr
 * base and limit, the ldtr and tr selectors, the hidden bases and limits of
 * cs ss ds es, the limits of fs gs, ldtr/tr base and limit (X86_GDB_SYS_*).
 */
#ifndef HYVE_X86_GDB_REGS_H
#define HYVE_X86_GDB_REGS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

enum x86_gdb_regno {
	X86_GDB_RAX = 0, X86_GDB_RBX, X86_GDB_RCX, X86_GDB_RDX,
	X86_GDB_RSI, X86_GDB_RDI, X86_GDB_RBP, X86_GDB_RSP,
	X86_GDB_R8, X86_GDB_R15 = X86_GDB_R8 + 7,
	X86_GDB_RIP = 16, X86_GDB_EFLAGS,
	X86_GDB_CS, X86_GDB_SS, X86_GDB_DS, X86_GDB_ES, X86_GDB_FS, X86_GDB_GS,
	X86_GDB_ST0 = 24,
	X86_GDB_FCTRL = 32, X86_GDB_FSTAT, X86_GDB_FTAG, X86_GDB_FISEG,
	X86_GDB_FIOFF, X86_GDB_FOSEG, X86_GDB_FOOFF, X86_GDB_FOP,
	X86_GDB_XMM0 = 40,
	X86_GDB_MXCSR = 56,
	X86_GDB_FS_BASE = 57, X86_GDB_GS_BASE,
	X86_GDB_K_GS_BASE = 59, X86_GDB_CR0, X86_GDB_CR2, X86_GDB_CR3,
	X86_GDB_CR4, X86_GDB_CR8, X86_GDB_EFER,
	X86_GDB_YMM0H = 66,
	X86_GDB_NREGS_NOAVX = 66,	/* the registers of the 'g' packet */
	X86_GDB_NREGS_AVX = 82,
};

/* org.hyve.x86.sysregs, by index after the 'g' registers (x86_gdb_nregs_g). */
enum x86_gdb_sysreg {
	X86_GDB_SYS_DR0 = 0, X86_GDB_SYS_DR6 = 4, X86_GDB_SYS_DR7,
	X86_GDB_SYS_GDTR_BASE, X86_GDB_SYS_GDTR_LIMIT, X86_GDB_SYS_IDTR_BASE,
	X86_GDB_SYS_IDTR_LIMIT, X86_GDB_SYS_LDTR, X86_GDB_SYS_TR,
	X86_GDB_SYS_CS_BASE, X86_GDB_SYS_TR_LIMIT = X86_GDB_SYS_CS_BASE + 13,
	X86_GDB_NSYSREGS,
};

/* Sizes of the 'g' packet image in bytes (twice that in hex). */
#define X86_GDB_G_SIZE_NOAVX	608
#define X86_GDB_G_SIZE_AVX	864
/* The largest single register (xmm, ymmh). */
#define X86_GDB_REG_MAX		16

/*
 * A snapshot of one vCPU in plain C.  The hypervisor fills it from
 * kvm_regs/kvm_sregs/kvm_fpu/MSRs (and XSAVE for ymmh) and writes it back.
 * Note the GPR order here is GDB's (rbp before rsp), not struct kvm_regs'.
 */
struct x86_gdb_state {
	uint64_t rax, rbx, rcx, rdx, rsi, rdi, rbp, rsp;
	uint64_t r8, r9, r10, r11, r12, r13, r14, r15;
	uint64_t rip, rflags;			/* eflags is 32 bits in the packet */
	uint16_t cs, ss, ds, es, fs, gs;	/* 32 bits in the packet */
	uint64_t fs_base, gs_base, k_gs_base;
	uint64_t cr0, cr2, cr3, cr4, cr8, efer;
	uint8_t st[8][10];			/* ST(0)..ST(7), 80-bit little-endian */
	/* ftag is the full 16-bit tag word (see x86_fpu_tag_full). */
	uint32_t fctrl, fstat, ftag, fiseg, fioff, foseg, fooff, fop;
	uint8_t xmm[16][16];
	uint32_t mxcsr;
	uint8_t ymmh[16][16];			/* upper halves of ymm0-15 */
	/* org.hyve.x86.sysregs */
	uint64_t dr[4], dr6, dr7;
	uint64_t gdtr_base, idtr_base;
	uint32_t gdtr_limit, idtr_limit;	/* 16 bits in the CPU */
	uint16_t ldtr, tr;			/* selectors (read-only) */
	uint64_t cs_base, ss_base, ds_base, es_base;
	uint32_t cs_limit, ss_limit, ds_limit, es_limit, fs_limit, gs_limit;
	uint64_t ldtr_base, tr_base;
	uint32_t ldtr_limit, tr_limit;
	bool has_avx;				/* selects the layout */
};

struct x86_gdb_reg {
	const char *name;
	const char *type;		/* target-description type */
	const char *group;		/* NULL: GDB's default for the type */
	uint16_t bitsize;
	uint16_t offset;		/* in the 'g' packet image */
	/* Where it lives in struct x86_gdb_state, and the field's size. */
	uint16_t state_off;
	uint8_t state_size;
};

/* The target description for the layout (a static NUL-terminated document). */
const char *x86_gdb_target_xml(bool has_avx, size_t *len);

/* All registers gdb numbers; those of the 'g' packet (the rest come by 'p'). */
int x86_gdb_nregs(bool has_avx);
int x86_gdb_nregs_g(bool has_avx);
size_t x86_gdb_g_size(bool has_avx);
/* Is register regno one of the debug registers (state KVM keeps apart)? */
bool x86_gdb_reg_is_dr(unsigned regno, bool has_avx);
/* Table entry for a register number, or NULL if the layout has none. */
const struct x86_gdb_reg *x86_gdb_reg_info(unsigned regno, bool has_avx);
/* Register number by name, or -ENOENT. */
int x86_gdb_reg_find(const char *name, bool has_avx);

/* 'g' image of s (layout by s->has_avx).  Returns its size, or -ENOSPC. */
int x86_gdb_regs_to_g(const struct x86_gdb_state *s, uint8_t *out, size_t cap);
/* Load a 'G' image; len must be the layout's full size.  0 or -EINVAL. */
int x86_gdb_regs_from_g(struct x86_gdb_state *s, const uint8_t *buf, size_t len);
/* One register ('p').  Returns its size in bytes, -EINVAL (no such register) or -ENOSPC. */
int x86_gdb_reg_get(const struct x86_gdb_state *s, unsigned regno, uint8_t *out, size_t cap);
/* One register ('P'); len must be its exact size.  0 or -EINVAL (also for a
 * read-only one: the ldtr and tr selectors). */
int x86_gdb_reg_set(struct x86_gdb_state *s, unsigned regno, const uint8_t *buf, size_t len);

/*
 * FXSAVE (and kvm_fpu) keep an abridged tag byte (1 = valid); GDB wants the
 * full x87 tag word (2 bits per physical register: 0 valid, 1 zero,
 * 2 special, 3 empty), rebuilt from the register contents.  st[] is in
 * stack order, as FXSAVE stores it.
 */
uint16_t x86_fpu_tag_full(uint8_t abridged, uint16_t fsw, const uint8_t st[8][10]);
uint8_t x86_fpu_tag_abridged(uint16_t full);

#endif
