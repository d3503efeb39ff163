/*
 * test_step_irq.c -- which instructions a single step must let interrupts
 * into (arch/x86/step.c): hlt, and sti right before a hlt, with prefixes;
 * nothing else, and nothing read past the bytes given.
 */
#include "arch/x86/vcpu.h"
#include "test.h"

#define WAITS(...) ({ static const uint8_t c_[] = { __VA_ARGS__ }; \
		      x86_insn_waits_irq(c_, sizeof(c_)); })

TEST(waits_for_an_interrupt)
{
	CHECK(WAITS(0xf4));			/* hlt */
	CHECK(WAITS(0xf4, 0xeb, 0xfc));		/* hlt; jmp . */
	CHECK(WAITS(0xfb, 0xf4));		/* sti; hlt: the shadow carries the step over it */
	CHECK(WAITS(0xfb, 0xf4, 0xe9, 0, 0, 0, 0));
	CHECK(WAITS(0x3e, 0xf4));		/* a prefix before hlt */
	CHECK(WAITS(0xfb, 0x2e, 0xf4));		/* sti; cs hlt */
	CHECK(WAITS(0x48, 0xf4));		/* REX (long mode) */
}

TEST(does_not_wait)
{
	CHECK(!WAITS(0xfb));			/* sti, what follows unknown */
	CHECK(!WAITS(0xfb, 0x90));		/* sti; nop */
	CHECK(!WAITS(0xfb, 0x90, 0xf4));	/* sti; nop; hlt: the hlt is a step of its own */
	CHECK(!WAITS(0xfa, 0xf4));		/* cli; hlt: the cli first */
	CHECK(!WAITS(0x90));
	CHECK(!WAITS(0xb0, 0xf4));		/* mov al, 0xf4 */
	CHECK(!WAITS(0x66, 0x66));		/* only prefixes */
	CHECK(!x86_insn_waits_irq((const uint8_t *)"\xf4", 0));	/* nothing read */
	CHECK(!WAITS(0x0f, 0x01, 0xc9));	/* mwait: not recognised */
}

TEST_MAIN()
