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

/* ---- the first instruction of a function, under a software breakpoint ---- */

/* Bytes of a ModRM operand (the ModRM byte, SIB, displacement): 0 if truncated. */
static size_t modrm_len(const uint8_t *c, size_t len)
{
	size_t n = 1;
	uint8_t mod, rm;

	if (!len)
		return 0;
	mod = c[0] >> 6;
	rm = c[0] & 7;
	if (mod != 3 && rm == 4) {		/* SIB */
		if (len < 2)
			return 0;
		if (mod == 0 && (c[1] & 7) == 5)
			n += 4;			/* no base: disp32 */
		n++;
	} else if (mod == 0 && rm == 5) {
		n += 4;				/* rip-relative disp32 */
	}
	n += mod == 1 ? 1 : mod == 2 ? 4 : 0;
	return n <= len ? n : 0;
}

static uint64_t size_mask(unsigned size)
{
	return size == 8 ? ~0ULL : (1ULL << (size * 8)) - 1;
}

/* Write a result of `size` bytes to a register as the CPU does: 32 zero-extends, 16 merges. */
static void put_reg(__u64 *dst, uint64_t v, unsigned size)
{
	if (size == 2)
		*dst = (*dst & ~0xffffULL) | (v & 0xffff);
	else
		*dst = v & size_mask(size);
}

/*
 * The eight classic ALU operations (add or adc sbb and sub xor cmp, as
 * numbered in opcode bits 5:3) on `size`-byte operands, with the flags the
 * CPU sets.  *write is false for cmp.
 */
static uint64_t alu(unsigned op, uint64_t a, uint64_t b, unsigned size, __u64 *rflags,
		    bool *write)
{
	const uint64_t m = size_mask(size), sign = 1ULL << (size * 8 - 1);
	uint64_t cin = (op == 2 || op == 3) ? (*rflags & X86_RFLAGS_CF) : 0;
	uint64_t r, f = 0;
	bool sub = op == 3 || op == 5 || op == 7;

	a &= m;
	b &= m;
	*write = op != 7;
	switch (op) {
	case 1: r = a | b; break;
	case 4: r = a & b; break;
	case 6: r = a ^ b; break;
	default:
		r = (sub ? a - b - cin : a + b + cin) & m;
		/* carry/borrow out of the top bit, computed without overflowing 64 bits */
		if (sub ? (b > a || (cin && b == a)) : (r < a || (cin && r == a)))
			f |= X86_RFLAGS_CF;
		if (sub ? ((a ^ b) & (a ^ r) & sign) : (~(a ^ b) & (a ^ r) & sign))
			f |= X86_RFLAGS_OF;
		if ((a ^ b ^ r) & 0x10)
			f |= X86_RFLAGS_AF;
		break;
	}
	r &= m;
	if (!r)
		f |= X86_RFLAGS_ZF;
	if (r & sign)
		f |= X86_RFLAGS_SF;
	if (!(__builtin_popcount((unsigned)(r & 0xff)) & 1))
		f |= X86_RFLAGS_PF;
	/* logic operations clear CF, OF and (left undefined by the manual) AF */
	*rflags = (*rflags & ~X86_RFLAGS_ARITH) | f;
	return r;
}

/*
 * The address of a ModRM memory operand at c[0..len) (mod != 3), 64-bit
 * addressing: *ea, and the bytes of ModRM, SIB and displacement (0:
 * truncated).  at is the ModRM byte's address: rip-relative operands count
 * from the end of the operand, which ends the instruction (no immediate).
 */
static size_t modrm_ea(struct kvm_regs *r, const uint8_t *c, size_t len, unsigned rex,
		       uint64_t at, uint64_t *ea)
{
	size_t n = modrm_len(c, len);
	uint8_t mod = c[0] >> 6, rm = c[0] & 7;
	int64_t disp = 0;
	size_t dpos = 1;
	uint64_t a = 0;

	if (!n)
		return 0;
	if (rm == 4) {				/* SIB */
		uint8_t sib = c[1];
		unsigned idx = ((sib >> 3) & 7) | ((rex & 2) << 2);
		unsigned base = (sib & 7) | ((rex & 1) << 3);

		dpos = 2;
		if (idx != 4)			/* 4 without REX.X: no index */
			a += *gpr(r, idx) << (sib >> 6);
		if (!(mod == 0 && (sib & 7) == 5))
			a += *gpr(r, base);
	} else if (mod == 0 && rm == 5) {
		a = at + n;			/* rip-relative */
	} else {
		a = *gpr(r, rm | ((rex & 1) << 3));
	}
	if (mod == 1)
		disp = (int8_t)c[dpos];
	else if (mod == 2 || (mod == 0 && (rm == 5 || (rm == 4 && (c[1] & 7) == 5))))
		disp = (int32_t)(c[dpos] | c[dpos + 1] << 8 | c[dpos + 2] << 16 |
				 (uint32_t)c[dpos + 3] << 24);
	*ea = a + (uint64_t)disp;
	return n;
}

int x86_emulate_entry(struct kvm_regs *regs, const uint8_t *code, size_t len,
		      const struct x86_mem *mem)
{
	void *opaque = mem ? mem->opaque : NULL;
	bool opsize16 = false, rep = false;
	unsigned rex = 0, size;
	size_t i = 0, n;
	uint8_t op;

	/* prefixes: operand size, CS (the long nops), REP (endbr, pause); then REX */
	for (; i < len && i < 4; i++) {
		if (code[i] == 0x66)
			opsize16 = true;
		else if (code[i] == 0xf3)
			rep = true;
		else if (code[i] != 0x2e)
			break;
	}
	if (i < len && (code[i] & 0xf0) == 0x40)
		rex = code[i++];
	if (i >= len)
		return 0;
	op = code[i++];
	size = (rex & 8) ? 8 : opsize16 ? 2 : 4;

	/* nop, xchg %eax,%eax's encoding (not with REX.B: that is xchg %r8), pause */
	if (op == 0x90 && !(rex & 1))
		return (int)i;
	if (op == 0x0f && i < len) {
		uint8_t op2 = code[i++];

		/* endbr64 / endbr32: no-ops to a CPU without CET tracking at this point */
		if (rep && op2 == 0x1e && i < len && (code[i] == 0xfa || code[i] == 0xfb))
			return (int)i + 1;
		/* nopw/nopl with a memory operand (0f 1f /0), the 5-byte ftrace nop included */
		if (op2 == 0x1f && !rep && i < len && ((code[i] >> 3) & 7) == 0 &&
		    (n = modrm_len(code + i, len - i)))
			return (int)(i + n);
		return 0;
	}
	if (rep)
		return 0;

	/* push %reg (64-bit: 16-bit pushes are left alone) */
	if (op >= 0x50 && op <= 0x57 && !opsize16) {
		uint64_t v = *gpr(regs, (op & 7) | ((rex & 1) << 3)), sp = regs->rsp - 8;

		if (!mem || mem->write(opaque, sp, &v, 8))
			return 0;
		regs->rsp = sp;
		return (int)i;
	}
	/* push $imm8 / $imm32, sign-extended */
	if ((op == 0x6a || op == 0x68) && !opsize16) {
		size_t isz = op == 0x6a ? 1 : 4;
		uint64_t v, sp = regs->rsp - 8;

		if (i + isz > len)
			return 0;
		v = isz == 1 ? (uint64_t)(int64_t)(int8_t)code[i] :
		    (uint64_t)(int64_t)(int32_t)(code[i] | code[i + 1] << 8 |
						 code[i + 2] << 16 | (uint32_t)code[i + 3] << 24);
		if (!mem || mem->write(opaque, sp, &v, 8))
			return 0;
		regs->rsp = sp;
		return (int)(i + isz);
	}
	/* mov $imm32, %r32 (zero-extends) and movabs $imm64, %r64 */
	if (op >= 0xb8 && op <= 0xbf && !opsize16) {
		size_t isz = (rex & 8) ? 8 : 4;
		uint64_t v = 0;

		if (i + isz > len)
			return 0;
		for (size_t k = 0; k < isz; k++)
			v |= (uint64_t)code[i + k] << (8 * k);
		*gpr(regs, (op & 7) | ((rex & 1) << 3)) = v;
		return (int)(i + isz);
	}
	/* mov between a register and memory, through mem (no segment override was taken) */
	if ((op == 0x89 || op == 0x8b) && i < len && (code[i] >> 6) != 3) {
		__u64 *reg = gpr(regs, ((code[i] >> 3) & 7) | ((rex & 4) << 1));
		uint64_t ea, v = 0;
		size_t m = modrm_ea(regs, code + i, len - i, rex, regs->rip + i, &ea);

		if (!m || !mem)
			return 0;
		if (op == 0x89) {
			v = *reg;
			if (mem->write(opaque, ea, &v, size))
				return 0;
		} else {
			if (mem->read(opaque, ea, &v, size))
				return 0;
			put_reg(reg, v, size);
		}
		return (int)(i + m);
	}
	/* the rest: register forms only (ModRM mod == 3), 16/32/64-bit operands */
	if (i >= len || (code[i] >> 6) != 3)
		return 0;
	uint8_t modrm = code[i++];
	__u64 *rm = gpr(regs, (modrm & 7) | ((rex & 1) << 3));
	__u64 *reg = gpr(regs, ((modrm >> 3) & 7) | ((rex & 4) << 1));
	bool w;

	switch (op) {
	case 0x89:				/* mov %reg, %rm */
		put_reg(rm, *reg, size);
		return (int)i;
	case 0x8b:				/* mov %rm, %reg */
		put_reg(reg, *rm, size);
		return (int)i;
	case 0x85: {				/* test */
		alu(4, *rm, *reg, size, &regs->rflags, &w);
		return (int)i;
	}
	case 0x81:				/* ALU $imm32, %rm (imm16 with 0x66) */
	case 0x83: {				/* ALU $imm8, %rm */
		size_t isz = op == 0x83 ? 1 : size == 2 ? 2 : 4;
		uint64_t imm;

		if (i + isz > len)
			return 0;
		imm = isz == 1 ? (uint64_t)(int64_t)(int8_t)code[i] :
		      isz == 2 ? (uint64_t)(int64_t)(int16_t)(code[i] | code[i + 1] << 8) :
		      (uint64_t)(int64_t)(int32_t)(code[i] | code[i + 1] << 8 |
						   code[i + 2] << 16 | (uint32_t)code[i + 3] << 24);
		uint64_t r = alu((modrm >> 3) & 7, *rm, imm, size, &regs->rflags, &w);

		if (w)
			put_reg(rm, r, size);
		return (int)(i + isz);
	}
	default:
		break;
	}
	/* ALU %reg, %rm (opcode 8k+1) and %rm, %reg (8k+3), k = add or adc sbb and sub xor cmp */
	if (op < 0x40 && ((op & 7) == 1 || (op & 7) == 3)) {
		bool to_reg = (op & 7) == 3;
		__u64 *dst = to_reg ? reg : rm, *src = to_reg ? rm : reg;
		uint64_t r = alu(op >> 3, *dst, *src, size, &regs->rflags, &w);

		if (w)
			put_reg(dst, r, size);
		return (int)i;
	}
	return 0;
}
