/* emulate_sys.c -- system instructions completed in hyve; see emulate_sys.h. */
#include <string.h>

#include "arch/x86/emulate.h"
#include "arch/x86/emulate_sys.h"
#include "arch/x86/regs.h"

/*
 * May LSL read this descriptor's limit?  Code and data segments (conforming
 * code at any privilege, the others when CPL and RPL are both at most DPL),
 * and outside long mode the TSSs and the LDT; in long mode the LDT and the
 * 64-bit TSSs.  Gates never.
 */
static int visible(uint32_t hi, unsigned cpl, unsigned rpl, int long_mode)
{
	unsigned type = (hi >> 8) & 0xf, s = (hi >> 12) & 1, dpl = (hi >> 13) & 3;

	if (s) {
		if ((type & 0xc) == 0xc)	/* conforming code */
			return 1;
		return cpl <= dpl && rpl <= dpl;
	}
	if (long_mode) {
		if (type != 0x2 && type != 0x9 && type != 0xb)
			return 0;
	} else if (type != 0x1 && type != 0x2 && type != 0x3 && type != 0x9 && type != 0xb) {
		return 0;
	}
	return cpl <= dpl && rpl <= dpl;
}

int x86_emulate_lsl(struct kvm_regs *regs, const struct kvm_sregs *s, const uint8_t *code,
		    size_t len, x86_read_lin_fn read_lin, void *opaque)
{
	int long64 = (s->efer & X86_EFER_LMA) && s->cs.l;
	int long_mode = (s->efer & X86_EFER_LMA) != 0;
	unsigned rex = 0, size, cpl = s->cs.dpl;
	int opsize16 = 0;
	size_t i = 0;
	uint64_t table, tlimit;
	uint32_t desc[2], limit;
	uint16_t sel;
	uint8_t modrm;

	if (i < len && code[i] == 0x66) {
		opsize16 = 1;
		i++;
	}
	if (long64 && i < len && (code[i] & 0xf0) == 0x40)
		rex = code[i++];
	if (i + 3 > len || code[i] != 0x0f || code[i + 1] != 0x03)
		return 0;
	modrm = code[i + 2];
	if ((modrm >> 6) != 3)		/* a selector in memory: not handled */
		return 0;
	if (!(s->cr0 & X86_CR0_PE))	/* #UD in real mode: the guest's to take */
		return 0;
	size = (rex & 8) ? 8 : (long64 || s->cs.db) ? (opsize16 ? 2 : 4) : (opsize16 ? 4 : 2);
	sel = (uint16_t)*x86_gpr(regs, (modrm & 7) | ((rex & 1) << 3));
	regs->rflags &= ~X86_RFLAGS_ZF;
	if ((sel & ~3u) == 0)		/* the null selector */
		return (int)(i + 3);
	table = (sel & 4) ? s->ldt.base : s->gdt.base;
	tlimit = (sel & 4) ? s->ldt.limit : s->gdt.limit;
	if ((sel & 4) && s->ldt.unusable)
		return (int)(i + 3);
	if ((uint64_t)(sel & ~7u) + 7 > tlimit)
		return (int)(i + 3);
	if (read_lin(opaque, table + (sel & ~7u), desc, sizeof(desc)))
		return 0;
	if (!visible(desc[1], cpl, sel & 3, long_mode))
		return (int)(i + 3);
	limit = (desc[0] & 0xffff) | (desc[1] & 0xf0000);
	if (desc[1] & (1u << 23))	/* G: 4 KiB units */
		limit = (limit << 12) | 0xfff;
	__u64 *dst = x86_gpr(regs, ((modrm >> 3) & 7) | ((rex & 4) << 1));

	if (size == 2)
		*dst = (*dst & ~0xffffULL) | (limit & 0xffff);
	else
		*dst = limit;			/* 32- and 64-bit forms zero-extend */
	regs->rflags |= X86_RFLAGS_ZF;
	return (int)(i + 3);
}
