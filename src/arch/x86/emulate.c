/* emulate.c -- fallback execution of a few instructions; see emulate.h. */
#include <string.h>

#include "arch/x86/emulate.h"
#include "arch/x86/regs.h"


/* GPR by number (REX-extended), in the hardware encoding order. */
static __u64 *gpr(struct kvm_regs *r, unsigned n)
{
	__u64 *const t[16] = { &r->rax, &r->rcx, &r->rdx, &r->rbx, &r->rsp, &r->rbp,
				  &r->rsi, &r->rdi, &r->r8, &r->r9, &r->r10, &r->r11,
				  &r->r12, &r->r13, &r->r14, &r->r15 };

	return t[n & 15];
}

static int popcnt(struct kvm_regs *r, const uint8_t *c, size_t len, int long64, int db)
{
	size_t i = 1;		/* past f3 */
	unsigned rex = 0, size;
	int opsize16 = 0;
	uint64_t v;
	uint8_t modrm;

	if (i < len && c[i] == 0x66) {
		opsize16 = 1;
		i++;
	}
	if (long64 && i < len && (c[i] & 0xf0) == 0x40)
		rex = c[i++];
	if (i + 3 > len || c[i] != 0x0f || c[i + 1] != 0xb8)
		return 0;
	modrm = c[i + 2];
	if ((modrm >> 6) != 3)		/* memory forms: not handled */
		return 0;
	/* 0x66 flips the default operand size: 32 in 64-bit and 32-bit code, 16 in 16-bit */
	size = (rex & 8) ? 8 : (long64 || db) ? (opsize16 ? 2 : 4) : (opsize16 ? 4 : 2);
	v = *gpr(r, (modrm & 7) | ((rex & 1) << 3));
	if (size < 8)
		v &= (1ULL << (size * 8)) - 1;
	uint64_t cnt = (uint64_t)__builtin_popcountll(v);
	__u64 *dst = gpr(r, ((modrm >> 3) & 7) | ((rex & 4) << 1));

	if (size == 8 || size == 4)
		*dst = cnt;			/* 32-bit results zero-extend */
	else
		*dst = (*dst & ~0xffffULL) | cnt;
	r->rflags &= ~X86_RFLAGS_ARITH;
	if (!v)
		r->rflags |= X86_RFLAGS_ZF;
	return (int)(i + 3);
}

int x86_emulate(struct kvm_regs *regs, const uint8_t *code, size_t len, int long64, int db)
{
	if (!len)
		return 0;
	if (code[0] == 0x9b)
		return 1;
	if (code[0] == 0xf3)
		return popcnt(regs, code, len, long64, db);
	/* clac / stac: SMAP's AC flag */
	if (len >= 3 && code[0] == 0x0f && code[1] == 0x01 && (code[2] == 0xca || code[2] == 0xcb)) {
		if (code[2] == 0xca)
			regs->rflags &= ~X86_RFLAGS_AC;
		else
			regs->rflags |= X86_RFLAGS_AC;
		return 3;
	}
	return 0;
}

__u64 *x86_gpr(struct kvm_regs *regs, unsigned n)
{
	return gpr(regs, n);
}
