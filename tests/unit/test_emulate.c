/*
 * Unit tests: the fallback emulation of fwait and register popcnt, and the
 * first instructions of functions executed past a software breakpoint
 * (x86_emulate_entry), whose flags are checked against the host CPU's own.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "arch/x86/emulate.h"
#include "arch/x86/regs.h"
#include "test.h"

TEST(fwait)
{
	struct kvm_regs r = { .rax = 5 };
	const uint8_t c[] = { 0x9b, 0x90 };

	CHECK_EQ(x86_emulate(&r, c, sizeof(c), 1, 0), 1);
	CHECK_EQ(r.rax, 5);
}

TEST(popcnt_64_32_16)
{
	struct kvm_regs r = { .rdi = 0xf0f0f0f0f0f0f0f1ULL, .rax = ~0ULL, .rflags = 0x8d7 };
	const uint8_t q[] = { 0xf3, 0x48, 0x0f, 0xb8, 0xc7 };	/* popcnt rax, rdi */
	const uint8_t d[] = { 0xf3, 0x0f, 0xb8, 0xc7 };		/* popcnt eax, edi */
	const uint8_t w[] = { 0x66, 0xf3, 0x0f, 0xb8, 0xc7 };	/* prefix order differs: not ours */
	const uint8_t w2[] = { 0xf3, 0x66, 0x0f, 0xb8, 0xc7 };	/* popcnt ax, di */
	const uint8_t x[] = { 0xf3, 0x4d, 0x0f, 0xb8, 0xc1 };	/* popcnt r8, r9 */
	const uint8_t m[] = { 0xf3, 0x48, 0x0f, 0xb8, 0x07 };	/* popcnt rax, [rdi]: no */

	CHECK_EQ(x86_emulate(&r, q, sizeof(q), 1, 0), 5);
	CHECK_EQ(r.rax, 33);
	CHECK_EQ(r.rflags & 0x8d5, 0);
	r.rax = ~0ULL;
	CHECK_EQ(x86_emulate(&r, d, sizeof(d), 1, 0), 4);
	CHECK_EQ(r.rax, 17);				/* 32-bit result zero-extends */
	CHECK_EQ(x86_emulate(&r, w, sizeof(w), 1, 0), 0);
	r.rax = 0xffff0000ULL;
	CHECK_EQ(x86_emulate(&r, w2, sizeof(w2), 1, 0), 5);
	CHECK_EQ(r.rax, 0xffff0009ULL);			/* 16-bit: upper bits kept */
	r.r9 = 0;
	r.r8 = 7;
	CHECK_EQ(x86_emulate(&r, x, sizeof(x), 1, 0), 5);
	CHECK_EQ(r.r8, 0);
	CHECK(r.rflags & 0x40);				/* ZF: source was zero */
	CHECK_EQ(x86_emulate(&r, m, sizeof(m), 1, 0), 0);
	CHECK_EQ(x86_emulate(&r, q, 3, 1, 0), 0);	/* truncated */
}

TEST(clac_stac)
{
	struct kvm_regs r = { .rflags = 2 };
	const uint8_t stac[] = { 0x0f, 0x01, 0xcb }, clac[] = { 0x0f, 0x01, 0xca };
	const uint8_t other[] = { 0x0f, 0x01, 0xf9 };		/* rdtscp: not ours */

	CHECK_EQ(x86_emulate(&r, stac, 3, 1, 0), 3);
	CHECK_EQ(r.rflags, 2 | (1 << 18));
	CHECK_EQ(x86_emulate(&r, clac, 3, 1, 0), 3);
	CHECK_EQ(r.rflags, 2);
	CHECK_EQ(x86_emulate(&r, other, 3, 1, 0), 0);
}

/* ---- x86_emulate_entry ---- */

static uint64_t size_mask_test(unsigned size)
{
	return size == 8 ? ~0ULL : (1ULL << (size * 8)) - 1;
}

/* A stack of 64 bytes at STACK_VA; writes elsewhere (or with fail set) fail. */
#define STACK_VA	0x7000ULL
static uint8_t stack[64];
static int writes;
static bool fail_writes;

static int stack_write(void *opaque, uint64_t va, const void *buf, size_t len)
{
	(void)opaque;
	if (fail_writes || va < STACK_VA || va + len > STACK_VA + sizeof(stack))
		return -EFAULT;
	memcpy(stack + (va - STACK_VA), buf, len);
	writes++;
	return 0;
}

static int stack_read(void *opaque, uint64_t va, void *buf, size_t len)
{
	(void)opaque;
	if (fail_writes || va < STACK_VA || va + len > STACK_VA + sizeof(stack))
		return -EFAULT;
	memcpy(buf, stack + (va - STACK_VA), len);
	return 0;
}

static const struct x86_mem mem = { stack_read, stack_write, NULL };

static int emu(struct kvm_regs *r, const uint8_t *c, size_t n)
{
	return x86_emulate_entry(r, c, n, &mem);
}

#define EMU(r, ...) ({ const uint8_t c_[] = { __VA_ARGS__ }; emu(r, c_, sizeof(c_)); })

TEST(entry_nops)
{
	struct kvm_regs r, orig;

	memset(&r, 0x5a, sizeof(r));
	orig = r;
	CHECK_EQ(EMU(&r, 0x90), 1);
	CHECK_EQ(EMU(&r, 0x66, 0x90), 2);
	CHECK_EQ(EMU(&r, 0xf3, 0x90), 2);				/* pause */
	CHECK_EQ(EMU(&r, 0x0f, 0x1f, 0x00), 3);				/* nopl (%rax) */
	CHECK_EQ(EMU(&r, 0x0f, 0x1f, 0x40, 0x00), 4);
	CHECK_EQ(EMU(&r, 0x0f, 0x1f, 0x44, 0x00, 0x00), 5);		/* the ftrace nop */
	CHECK_EQ(EMU(&r, 0x66, 0x0f, 0x1f, 0x44, 0x00, 0x00), 6);
	CHECK_EQ(EMU(&r, 0x0f, 0x1f, 0x80, 0, 0, 0, 0), 7);
	CHECK_EQ(EMU(&r, 0x0f, 0x1f, 0x84, 0x00, 0, 0, 0, 0), 8);
	CHECK_EQ(EMU(&r, 0x66, 0x0f, 0x1f, 0x84, 0x00, 0, 0, 0, 0), 9);
	CHECK_EQ(EMU(&r, 0x66, 0x2e, 0x0f, 0x1f, 0x84, 0x00, 0, 0, 0, 0), 10);
	CHECK_EQ(EMU(&r, 0x0f, 0x1f, 0x05, 0, 0, 0, 0), 7);		/* rip-relative */
	CHECK_EQ(EMU(&r, 0x0f, 0x1f, 0x04, 0x25, 0, 0, 0, 0), 8);	/* SIB, no base */
	CHECK_EQ(EMU(&r, 0xf3, 0x0f, 0x1e, 0xfa), 4);			/* endbr64 */
	CHECK_EQ(EMU(&r, 0xf3, 0x0f, 0x1e, 0xfb), 4);			/* endbr32 */
	CHECK(!memcmp(&r, &orig, sizeof(r)));				/* nothing changed */
	CHECK_EQ(writes, 0);
	/* not nops */
	CHECK_EQ(EMU(&r, 0x41, 0x90), 0);				/* xchg %eax,%r8d */
	CHECK_EQ(EMU(&r, 0x0f, 0x1f, 0x48, 0x00), 0);			/* 0f 1f /1 */
	CHECK_EQ(EMU(&r, 0x0f, 0x1f, 0x44, 0x00), 0);			/* truncated */
	CHECK_EQ(EMU(&r, 0x0f, 0x1f), 0);
	CHECK_EQ(EMU(&r, 0xf3, 0x0f, 0x1e, 0xfc), 0);
	CHECK_EQ(EMU(&r, 0xf3, 0x0f, 0x1f, 0x00), 0);
	CHECK_EQ(EMU(&r, 0x67, 0x90), 0);				/* unknown prefix */
	CHECK_EQ(EMU(&r, 0xcc), 0);
	CHECK_EQ(emu(&r, NULL, 0), 0);
	CHECK(!memcmp(&r, &orig, sizeof(r)));
}

TEST(entry_push)
{
	struct kvm_regs r = { .rbp = 0x1122334455667788ULL, .r12 = 0xabcdefULL,
			      .rsp = STACK_VA + 32, .rflags = 0x246 };
	uint64_t v;

	CHECK_EQ(EMU(&r, 0x55), 1);				/* push %rbp */
	CHECK_EQ(r.rsp, STACK_VA + 24);
	memcpy(&v, stack + 24, 8);
	CHECK_EQ(v, 0x1122334455667788ULL);
	CHECK_EQ(EMU(&r, 0x41, 0x54), 2);			/* push %r12 */
	CHECK_EQ(r.rsp, STACK_VA + 16);
	memcpy(&v, stack + 16, 8);
	CHECK_EQ(v, 0xabcdefULL);
	CHECK_EQ(EMU(&r, 0x54), 1);				/* push %rsp: the old value */
	memcpy(&v, stack + 8, 8);
	CHECK_EQ(v, STACK_VA + 16);
	CHECK_EQ(EMU(&r, 0x6a, 0xfe), 2);			/* push $-2 */
	memcpy(&v, stack, 8);
	CHECK_EQ(v, (uint64_t)-2);
	CHECK_EQ(r.rsp, STACK_VA);
	CHECK_EQ(r.rflags, 0x246);				/* push sets no flags */
	/* a failed write leaves everything as it was */
	CHECK_EQ(EMU(&r, 0x55), 0);				/* below the stack */
	CHECK_EQ(r.rsp, STACK_VA);
	r.rsp = STACK_VA + 64;
	fail_writes = true;
	CHECK_EQ(EMU(&r, 0x68, 1, 2, 3, 4), 0);
	CHECK_EQ(r.rsp, STACK_VA + 64);
	fail_writes = false;
	CHECK_EQ(EMU(&r, 0x68, 0x01, 0x02, 0x03, 0x84), 5);	/* push $imm32, sign-extended */
	memcpy(&v, stack + 56, 8);
	CHECK_EQ(v, 0xffffffff84030201ULL);
	CHECK_EQ(EMU(&r, 0x68, 1, 2, 3), 0);			/* truncated */
	CHECK_EQ(EMU(&r, 0x66, 0x55), 0);			/* pushw: not ours */
	CHECK_EQ(x86_emulate_entry(&r, (const uint8_t[]){ 0x55 }, 1, NULL), 0);
}

TEST(entry_mov)
{
	struct kvm_regs r = { .rsp = 0x7ffff000ULL, .rbp = 1, .rdi = 0xffffffff00000005ULL,
			      .rax = ~0ULL, .r9 = 0x123456789ULL, .rflags = 0x8d7 };

	CHECK_EQ(EMU(&r, 0x48, 0x89, 0xe5), 3);			/* mov %rsp,%rbp */
	CHECK_EQ(r.rbp, 0x7ffff000ULL);
	r.rbp = 1;
	CHECK_EQ(EMU(&r, 0x48, 0x8b, 0xec), 3);			/* the other encoding */
	CHECK_EQ(r.rbp, 0x7ffff000ULL);
	CHECK_EQ(EMU(&r, 0x89, 0xf8), 2);			/* mov %edi,%eax: zero-extends */
	CHECK_EQ(r.rax, 5);
	r.rax = ~0ULL;
	CHECK_EQ(EMU(&r, 0x66, 0x89, 0xf8), 3);			/* mov %di,%ax: merges */
	CHECK_EQ(r.rax, 0xffffffffffff0005ULL);
	CHECK_EQ(EMU(&r, 0x4c, 0x89, 0xcb), 3);			/* mov %r9,%rbx */
	CHECK_EQ(r.rbx, 0x123456789ULL);
	CHECK_EQ(EMU(&r, 0x45, 0x89, 0xc8), 3);			/* mov %r9d,%r8d */
	CHECK_EQ(r.r8, 0x23456789ULL);
	CHECK_EQ(EMU(&r, 0xb8, 0x78, 0x56, 0x34, 0x12), 5);	/* mov $0x12345678,%eax */
	CHECK_EQ(r.rax, 0x12345678ULL);
	CHECK_EQ(EMU(&r, 0x49, 0xbb, 1, 2, 3, 4, 5, 6, 7, 8), 10);	/* movabs $..,%r11 */
	CHECK_EQ(r.r11, 0x0807060504030201ULL);
	CHECK_EQ(r.rflags, 0x8d7);				/* mov sets no flags */
	CHECK_EQ(EMU(&r, 0x48, 0x8b), 0);			/* truncated */
	CHECK_EQ(EMU(&r, 0xb8, 1, 2), 0);
}

TEST(entry_mov_memory)
{
	struct kvm_regs r = { .rip = STACK_VA - 0x100, .rbx = STACK_VA + 8, .rcx = 3,
			      .rax = ~0ULL, .rdi = 0x1122334455667788ULL, .rflags = 0x246 };
	uint64_t v;

	for (unsigned i = 0; i < sizeof(stack); i++)
		stack[i] = (uint8_t)(0xa0 + i);
	/* mov 0x10(%rbx),%rax: base + disp8 */
	CHECK_EQ(EMU(&r, 0x48, 0x8b, 0x43, 0x10), 4);
	memcpy(&v, stack + 0x18, 8);
	CHECK_EQ(r.rax, v);
	/* mov (%rbx,%rcx,8),%edx: SIB, 32-bit load zero-extends */
	r.rdx = ~0ULL;
	CHECK_EQ(EMU(&r, 0x8b, 0x14, 0xcb), 3);
	CHECK_EQ(r.rdx, (uint32_t)(stack[0x20] | stack[0x21] << 8 | stack[0x22] << 16 |
				   (uint32_t)stack[0x23] << 24));
	/* mov 0x1f9(%rip),%rax: from the end of the 7-byte instruction */
	CHECK_EQ(EMU(&r, 0x48, 0x8b, 0x05, 0xf9, 0x00, 0x00, 0x00), 7);
	memcpy(&v, stack, 8);					/* rip + 7 + 0xf9 = STACK_VA */
	CHECK_EQ(r.rax, v);
	/* mov %rdi,-0x8(%rbx): a store; 16-bit store with 0x66 */
	CHECK_EQ(EMU(&r, 0x48, 0x89, 0x7b, 0xf8), 4);
	memcpy(&v, stack, 8);
	CHECK_EQ(v, 0x1122334455667788ULL);
	CHECK_EQ(EMU(&r, 0x66, 0x89, 0x3b), 3);			/* mov %di,(%rbx) */
	CHECK_EQ(stack[8] | stack[9] << 8, 0x7788);
	CHECK_EQ(stack[10], 0xa0 + 10);
	/* mov 0x100000(,%rcx,1)... no base (SIB base 5, mod 0): disp32 + index */
	r.rcx = STACK_VA - 0x100000 + 0x30;
	CHECK_EQ(EMU(&r, 0x48, 0x8b, 0x04, 0x0d, 0x00, 0x00, 0x10, 0x00), 8);
	memcpy(&v, stack + 0x30, 8);
	CHECK_EQ(r.rax, v);
	CHECK_EQ(r.rflags, 0x246);
	/* a failed access changes nothing */
	r.rax = 1;
	fail_writes = true;
	CHECK_EQ(EMU(&r, 0x48, 0x8b, 0x43, 0x10), 0);
	CHECK_EQ(r.rax, 1);
	fail_writes = false;
	CHECK_EQ(EMU(&r, 0x64, 0x48, 0x8b, 0x43, 0x10), 0);	/* %fs: not ours */
	CHECK_EQ(EMU(&r, 0x67, 0x48, 0x8b, 0x43, 0x10), 0);	/* 32-bit addressing */
	CHECK_EQ(EMU(&r, 0x48, 0x8b, 0x05, 0xf9, 0x00), 0);	/* truncated */
	CHECK_EQ(x86_emulate_entry(&r, (const uint8_t[]){ 0x48, 0x8b, 0x43, 0x10 }, 4, NULL), 0);
}

/*
 * The host CPU as the oracle for flags: op (add or adc sbb and sub xor cmp,
 * and 8 for test) on size-byte operands, with CF in as given.
 */
#define HOST_OP(insn, sfx, reg_a, reg_b, type)					\
	do {									\
		type a_ = (type)a, b_ = (type)b;				\
		__asm__("push %[f]; popf; " insn sfx " %[b], %[a]; pushf; pop %[f]"	\
			: [a] "+r"(a_), [f] "+r"(f) : [b] "r"(b_) : "cc");	\
		res = (uint64_t)a_;						\
	} while (0)

#define HOST_SIZES(insn)							\
	do {									\
		if (size == 8) HOST_OP(insn, "q", , , uint64_t);		\
		else if (size == 4) HOST_OP(insn, "l", , , uint32_t);		\
		else HOST_OP(insn, "w", , , uint16_t);				\
	} while (0)

static uint64_t host_alu(unsigned op, uint64_t a, uint64_t b, unsigned size, uint64_t *flags)
{
	uint64_t f = *flags, res = 0;

	switch (op) {
	case 0: HOST_SIZES("add"); break;
	case 1: HOST_SIZES("or"); break;
	case 2: HOST_SIZES("adc"); break;
	case 3: HOST_SIZES("sbb"); break;
	case 4: HOST_SIZES("and"); break;
	case 5: HOST_SIZES("sub"); break;
	case 6: HOST_SIZES("xor"); break;
	case 7: HOST_SIZES("cmp"); break;
	default: HOST_SIZES("test"); break;
	}
	*flags = f;
	return res;
}

static uint64_t rnd(void)
{
	static const uint64_t edges[] = { 0, 1, 0x7f, 0x80, 0xff, 0x7fff, 0x8000, 0xffff,
					  0x7fffffff, 0x80000000, 0xffffffff,
					  0x7fffffffffffffffULL, 0x8000000000000000ULL, ~0ULL, 0x10,
					  0xf };
	uint64_t v = ((uint64_t)rand() << 40) ^ ((uint64_t)rand() << 20) ^ (uint64_t)rand();

	return rand() % 3 ? v : edges[rand() % 16];
}

TEST(entry_alu_flags_match_the_cpu)
{
	srand(14);
	for (int it = 0; it < 20000; it++) {
		unsigned op = (unsigned)rand() % 9, size = (unsigned[]){ 2, 4, 8 }[rand() % 3];
		unsigned form = (unsigned)rand() % 3;	/* reg,reg / $imm8 / $imm32 */
		uint64_t a = rnd(), b = rnd(), cf = (uint64_t)rand() & 1;
		struct kvm_regs r = { .rbx = a, .rcx = b, .rflags = 0x202 | cf };
		uint8_t c[8];
		size_t n = 0;
		uint64_t want_f = r.rflags, want, upper;

		if (op == 8)
			form = 0;			/* test: only the register form */
		if (size == 2)
			c[n++] = 0x66;
		if (size == 8)
			c[n++] = 0x48;
		if (form == 0) {
			c[n++] = op == 8 ? 0x85 : (uint8_t)(op << 3 | 1);	/* op %ecx,%ebx */
			c[n++] = 0xcb;
		} else if (form == 1) {
			b = (uint64_t)(int64_t)(int8_t)b;
			c[n++] = 0x83;
			c[n++] = (uint8_t)(0xc3 | op << 3);			/* op $imm8,%ebx */
			c[n++] = (uint8_t)b;
		} else {
			b = size == 2 ? (uint64_t)(int64_t)(int16_t)b : (uint64_t)(int64_t)(int32_t)b;
			c[n++] = 0x81;
			c[n++] = (uint8_t)(0xc3 | op << 3);
			for (unsigned k = 0; k < (size == 2 ? 2u : 4u); k++)
				c[n++] = (uint8_t)(b >> (8 * k));
		}
		want = host_alu(op, a, b, size, &want_f);
		CHECK_EQ(emu(&r, c, n), (int)n);
		/* AF is undefined after logic operations: compare the rest */
		uint64_t mask = X86_RFLAGS_ARITH & ~((op == 1 || op == 4 || op == 6 || op == 8) ?
						     X86_RFLAGS_AF : 0);
		if ((r.rflags & mask) != (want_f & mask)) {
			fprintf(stderr, "  op %u size %u form %u a %#llx b %#llx cf %llu: "
				"flags %#llx, the CPU's %#llx\n", op, size, form,
				(unsigned long long)a, (unsigned long long)b,
				(unsigned long long)cf, (unsigned long long)r.rflags,
				(unsigned long long)want_f);
			CHECK(0);
			return;
		}
		/* the result: written as the CPU writes a register of that size */
		upper = size == 2 ? a & ~0xffffULL : 0;
		if (op == 7 || op == 8)
			CHECK_EQ(r.rbx, a);
		else
			CHECK_EQ(r.rbx, upper | (want & size_mask_test(size)));
	}
}

TEST(entry_prologue_sequence)
{
	/* push %rbp; mov %rsp,%rbp; sub $0x20,%rsp; xor %eax,%eax; and $-16,%rsp */
	struct kvm_regs r = { .rbp = 0xbbbb, .rsp = STACK_VA + 40, .rax = 7, .rflags = 0x2 };

	CHECK_EQ(EMU(&r, 0x55), 1);
	CHECK_EQ(EMU(&r, 0x48, 0x89, 0xe5), 3);
	CHECK_EQ(EMU(&r, 0x48, 0x83, 0xec, 0x20), 4);
	CHECK_EQ(r.rsp, STACK_VA);
	CHECK_EQ(r.rbp, STACK_VA + 32);
	CHECK_EQ(EMU(&r, 0x31, 0xc0), 2);
	CHECK_EQ(r.rax, 0);
	CHECK_EQ(r.rflags & X86_RFLAGS_ARITH, X86_RFLAGS_ZF | X86_RFLAGS_PF);
	CHECK_EQ(EMU(&r, 0x48, 0x81, 0xc4, 0x00, 0x01, 0x00, 0x00), 7);	/* add $0x100,%rsp */
	CHECK_EQ(r.rsp, STACK_VA + 0x100);
	CHECK_EQ(EMU(&r, 0x48, 0x83, 0xe4, 0xf0), 4);
	CHECK_EQ(r.rsp, STACK_VA + 0x100);
	CHECK_EQ(EMU(&r, 0x48, 0x83, 0x2c, 0x24, 0x01), 0);	/* subq $1,(%rsp): memory */
	CHECK_EQ(EMU(&r, 0x48, 0x83, 0xec), 0);			/* truncated */
	CHECK_EQ(EMU(&r, 0xf3, 0x48, 0x89, 0xe5), 0);		/* rep mov: no */
}

TEST_MAIN()
