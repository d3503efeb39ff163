/*
 * test_step_irq.c -- steps that would not end (arch/x86/step.c): which
 * instructions a single step must let interrupts into (hlt, and sti right
 * before a hlt, with prefixes; nothing else, nothing read past the bytes
 * given), and the sti hyve does itself (IF set, pc past it, the shadow;
 * only with IF=0 and where it would not fault).
 */
#include "arch/x86/regs.h"
#include "arch/x86/vcpu.h"
#include "debug/arch.h"
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

static void long_mode(struct vcpu_state *st, uint64_t rip, uint64_t rflags)
{
	memset(st, 0, sizeof(*st));
	st->parts = VS_CORE | VS_EXTRA;
	st->sregs.cr0 = X86_CR0_PE | X86_CR0_PG;
	st->sregs.efer = X86_EFER_LME | X86_EFER_LMA;
	st->sregs.cs.l = 1;
	st->regs.rip = rip;
	st->regs.rflags = rflags;
}

TEST(emulated_sti)
{
	static const uint8_t sti_hlt[] = { 0xfb, 0xf4 }, cs_sti[] = { 0x2e, 0xfb }, nop[] = { 0x90 };
	struct vcpu_state st;

	long_mode(&st, 0xffffffff8018e29d, 0x2);
	CHECK(arch_emulate_step(&st, sti_hlt, sizeof(sti_hlt)));
	CHECK_EQ(st.regs.rip, 0xffffffff8018e29e);
	CHECK_EQ(st.regs.rflags, 0x202);
	CHECK_EQ(st.events.interrupt.shadow, KVM_X86_SHADOW_INT_STI);
	CHECK(st.events.flags & KVM_VCPUEVENT_VALID_SHADOW);
	CHECK(st.set_events);

	long_mode(&st, 0x1000, 0x2);
	CHECK(arch_emulate_step(&st, cs_sti, sizeof(cs_sti)));	/* with a prefix: 2 bytes */
	CHECK_EQ(st.regs.rip, 0x1002);

	long_mode(&st, 0x1000, 0x202);		/* IF already 1: no shadow, KVM steps it */
	CHECK(!arch_emulate_step(&st, sti_hlt, sizeof(sti_hlt)));
	CHECK_EQ(st.regs.rip, 0x1000);
	long_mode(&st, 0x1000, 0x2);
	CHECK(!arch_emulate_step(&st, nop, sizeof(nop)));
	CHECK(!arch_emulate_step(&st, sti_hlt, 0));
	st.parts = VS_CORE;			/* no events read: cannot set the shadow */
	CHECK(!arch_emulate_step(&st, sti_hlt, sizeof(sti_hlt)));
	CHECK(!st.set_events);

	long_mode(&st, 0x1000, 0x2);		/* CPL 3, IOPL 0: the real sti faults */
	st.sregs.cs.selector = 0x33;
	CHECK(!arch_emulate_step(&st, sti_hlt, sizeof(sti_hlt)));
	st.regs.rflags = 0x3002;		/* IOPL 3: allowed */
	CHECK(arch_emulate_step(&st, sti_hlt, sizeof(sti_hlt)));

	/* real mode: IP wraps at 64 KiB; 32-bit code: at 4 GiB */
	memset(&st, 0, sizeof(st));
	st.parts = VS_CORE | VS_EXTRA;
	st.regs.rip = 0xffff;
	st.regs.rflags = 0x2;
	CHECK(arch_emulate_step(&st, sti_hlt, sizeof(sti_hlt)));
	CHECK_EQ(st.regs.rip, 0);
	memset(&st, 0, sizeof(st));
	st.parts = VS_CORE | VS_EXTRA;
	st.sregs.cr0 = X86_CR0_PE;
	st.sregs.cs.db = 1;
	st.regs.rip = 0xffffffff;
	st.regs.rflags = 0x2;
	CHECK(arch_emulate_step(&st, sti_hlt, sizeof(sti_hlt)));
	CHECK_EQ(st.regs.rip, 0);
}

TEST_MAIN()
