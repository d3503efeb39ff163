/*
 * test_lockrmw.c -- recognising the locked read-modify-writes whose two
 * MMIO halves the trapped-page mechanism serialises (arch/x86/lockrmw.c):
 * the encodings of bpg mode=lock, Linux's atomics and bit operations, xchg
 * with memory (locked without a prefix), and look-alikes that are not.
 */
#include "test.h"
#include "arch/x86/lockrmw.h"

#define RMW(...) ({ static const uint8_t b_[] = { __VA_ARGS__ }; \
		    x86_locked_rmw(b_, sizeof(b_), true); })

TEST(locked_forms)
{
	CHECK(RMW(0xf0, 0x48, 0x0f, 0xc1, 0x05, 0, 0, 0, 0));	/* lock xadd [rip+0], rax */
	CHECK(RMW(0xf0, 0x48, 0x0f, 0xb1, 0x15, 0, 0, 0, 0));	/* lock cmpxchg [rip+0], rdx */
	CHECK(RMW(0xf0, 0x0f, 0xab, 0x07));			/* lock bts [rdi], eax */
	CHECK(RMW(0xf0, 0xff, 0x07));				/* lock inc dword [rdi] */
	CHECK(RMW(0xf0, 0x80, 0x0f, 0x01));			/* lock or byte [rdi], 1 */
	CHECK(RMW(0x66, 0xf0, 0x0f, 0xc1, 0x07));		/* prefixes in any order */
	CHECK(RMW(0x3e, 0xf0, 0x48, 0x0f, 0xc7, 0x0e));		/* ds lock cmpxchg16b [rsi] */
	CHECK(RMW(0x48, 0x87, 0x03));				/* xchg [rbx], rax: locked anyway */
	CHECK(RMW(0x86, 0x07));					/* xchg [rdi], al */
	CHECK(RMW(0x66, 0x87, 0x44, 0x24, 0x08));		/* xchg [rsp+8], ax */
}

TEST(not_locked)
{
	CHECK(!RMW(0x48, 0x0f, 0xc1, 0x07));			/* xadd without lock */
	CHECK(!RMW(0x0f, 0xb1, 0x17));				/* cmpxchg without lock */
	CHECK(!RMW(0x48, 0x87, 0xc3));				/* xchg rbx, rax: registers */
	CHECK(!RMW(0x89, 0x07));				/* mov [rdi], eax */
	CHECK(!RMW(0x8b, 0x07));				/* mov eax, [rdi] */
	CHECK(!RMW(0xff, 0x07));				/* inc dword [rdi] */
	CHECK(!RMW(0xf3, 0x48, 0xa5));				/* rep movsq */
	CHECK(!RMW(0x87));					/* cut short: no ModRM */
}

TEST(rex_only_in_64_bit_code)
{
	static const uint8_t xchg_after_inc[] = { 0x48, 0x87, 0x03 };

	CHECK(x86_locked_rmw(xchg_after_inc, sizeof(xchg_after_inc), true));
	/* in 32-bit code 0x48 is `dec eax`, an instruction of its own */
	CHECK(!x86_locked_rmw(xchg_after_inc, sizeof(xchg_after_inc), false));
	CHECK(!x86_locked_rmw(xchg_after_inc, 0, true));
}

TEST(a_prefix_run_longer_than_an_instruction)
{
	uint8_t b[20];

	memset(b, 0x66, sizeof(b));
	b[16] = 0xf0;				/* past the 15-byte limit: not this instruction's */
	CHECK(!x86_locked_rmw(b, sizeof(b), true));
}

TEST_MAIN()
