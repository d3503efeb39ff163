/* Unit tests: the fallback emulation of fwait and register popcnt. */
#include "arch/x86/emulate.h"
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

TEST_MAIN()
