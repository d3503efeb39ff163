/*
 * test_emulate_sys.c -- `lsl` completed in hyve (arch/x86/emulate_sys.c):
 * Linux's per-CPU GDT entry (CPU number in the limit), byte and page
 * granularity, operand sizes, selectors it must refuse (null, past the
 * GDT's limit, DPL below CPL/RPL, a gate), the LDT, and the encodings that
 * are not ours.  The GDT lives in a buffer read through a fake linear reader.
 */
#include <errno.h>

#include "arch/x86/emulate_sys.h"
#include "arch/x86/regs.h"
#include "test.h"

#define GDT_BASE 0xfffffe0000001000ULL

static uint64_t gdt[32];
static uint64_t ldt[4];
static int reads;

static int read_lin(void *opaque, uint64_t lin, void *buf, size_t len)
{
	reads++;
	if (lin >= GDT_BASE && lin + len <= GDT_BASE + sizeof(gdt)) {
		memcpy(buf, (uint8_t *)gdt + (lin - GDT_BASE), len);
		return 0;
	}
	if (lin >= 0x5000 && lin + len <= 0x5000 + sizeof(ldt)) {
		memcpy(buf, (uint8_t *)ldt + (lin - 0x5000), len);
		return 0;
	}
	return -EFAULT;
}

/* A segment descriptor: limit, type (with S), DPL, G. */
static uint64_t desc(uint32_t limit, unsigned type_s, unsigned dpl, int g)
{
	return (limit & 0xffffULL) | ((uint64_t)(limit & 0xf0000) << 32) |
	       ((uint64_t)type_s << 40) | ((uint64_t)dpl << 45) | (1ULL << 47) |
	       ((uint64_t)!!g << 55);
}

/* long mode, CPL 0, GDT as Linux 6.1 lays it out (its per-CPU entry is #28) */
static struct kvm_sregs long_mode(void)
{
	struct kvm_sregs s;

	memset(&s, 0, sizeof(s));
	s.cr0 = X86_CR0_PE | X86_CR0_PG;
	s.efer = X86_EFER_LMA | X86_EFER_LME;
	s.cs.l = 1;
	s.gdt.base = GDT_BASE;
	s.gdt.limit = sizeof(gdt) - 1;
	s.ldt.unusable = 1;
	memset(gdt, 0, sizeof(gdt));
	gdt[2] = desc(0xfffff, 0x1b, 0, 1);		/* kernel code */
	gdt[28] = desc(1 | (0 << 12), 0x15, 3, 0);	/* CPU 1, node 0: data, DPL 3 */
	gdt[10] = desc(0x67, 0x0c, 0, 0);		/* a call gate: never */
	gdt[8] = desc(0x67, 0x09, 0, 0);		/* the 64-bit TSS */
	gdt[12] = desc(0x1234, 0x13, 0, 0);		/* data, DPL 0 */
	return s;
}

TEST(linux_cpu_number)
{
	struct kvm_sregs s = long_mode();
	struct kvm_regs r = { .rax = 28 * 8 + 3, .rflags = 2 };	/* __CPUNODE_SEG */
	const uint8_t lsl[] = { 0x48, 0x0f, 0x03, 0xc0 };	/* lsl rax, eax (Linux's NMI entry) */

	CHECK_EQ(x86_emulate_lsl(&r, &s, lsl, sizeof(lsl), read_lin, NULL), 4);
	CHECK_EQ(r.rax, 1);				/* CPU 1 */
	CHECK(r.rflags & X86_RFLAGS_ZF);
}

TEST(granularity_and_sizes)
{
	struct kvm_sregs s = long_mode();
	struct kvm_regs r = { .rbx = 2 * 8, .rcx = ~0ULL };
	const uint8_t q[] = { 0x48, 0x0f, 0x03, 0xcb };		/* lsl rcx, rbx */
	const uint8_t d[] = { 0x0f, 0x03, 0xcb };		/* lsl ecx, ebx */
	const uint8_t w[] = { 0x66, 0x0f, 0x03, 0xcb };		/* lsl cx, bx */
	const uint8_t x[] = { 0x4d, 0x0f, 0x03, 0xc1 };		/* lsl r8, r9 */

	CHECK_EQ(x86_emulate_lsl(&r, &s, q, sizeof(q), read_lin, NULL), 4);
	CHECK_EQ(r.rcx, 0xffffffffULL);			/* G=1: 4 KiB units */
	r.rcx = ~0ULL;
	CHECK_EQ(x86_emulate_lsl(&r, &s, d, sizeof(d), read_lin, NULL), 3);
	CHECK_EQ(r.rcx, 0xffffffffULL);			/* 32-bit result zero-extends */
	r.rcx = 0xaaaa0000ULL;
	r.rbx = 12 * 8;
	CHECK_EQ(x86_emulate_lsl(&r, &s, w, sizeof(w), read_lin, NULL), 4);
	CHECK_EQ(r.rcx, 0xaaaa1234ULL);			/* 16 bits: the rest kept */
	r.r9 = 12 * 8;
	r.r8 = 0;
	CHECK_EQ(x86_emulate_lsl(&r, &s, x, sizeof(x), read_lin, NULL), 4);
	CHECK_EQ(r.r8, 0x1234);
}

TEST(refused_selectors_clear_zf_and_keep_the_register)
{
	struct kvm_sregs s = long_mode();
	const uint8_t lsl[] = { 0x48, 0x0f, 0x03, 0xc3 };	/* lsl rax, rbx */
	const uint16_t bad[] = {
		0,			/* null */
		3,			/* null with RPL 3 */
		32 * 8,			/* past the GDT's limit */
		10 * 8,			/* a gate */
		12 * 8 + 3,		/* DPL 0 < RPL 3 */
	};

	for (unsigned i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		struct kvm_regs r = { .rax = 0x77, .rbx = bad[i], .rflags = 2 | X86_RFLAGS_ZF };

		CHECK_EQ(x86_emulate_lsl(&r, &s, lsl, sizeof(lsl), read_lin, NULL), 4);
		CHECK_EQ(r.rax, 0x77);
		CHECK(!(r.rflags & X86_RFLAGS_ZF));
	}
	/* the 64-bit TSS is a system descriptor LSL may read */
	struct kvm_regs r = { .rbx = 8 * 8 };

	CHECK_EQ(x86_emulate_lsl(&r, &s, lsl, sizeof(lsl), read_lin, NULL), 4);
	CHECK_EQ(r.rax, 0x67);
	CHECK(r.rflags & X86_RFLAGS_ZF);
	/* at CPL 3 the kernel's DPL-0 data segment is refused */
	s.cs.dpl = 3;
	r.rbx = 12 * 8 + 3;
	r.rax = 5;
	CHECK_EQ(x86_emulate_lsl(&r, &s, lsl, sizeof(lsl), read_lin, NULL), 4);
	CHECK_EQ(r.rax, 5);
	CHECK(!(r.rflags & X86_RFLAGS_ZF));
}

TEST(ldt)
{
	struct kvm_sregs s = long_mode();
	struct kvm_regs r = { .rbx = 1 * 8 + 4 };		/* LDT entry 1 */
	const uint8_t lsl[] = { 0x48, 0x0f, 0x03, 0xc3 };

	ldt[1] = desc(0x4321, 0x13, 0, 0);
	s.ldt.unusable = 0;
	s.ldt.base = 0x5000;
	s.ldt.limit = sizeof(ldt) - 1;
	CHECK_EQ(x86_emulate_lsl(&r, &s, lsl, sizeof(lsl), read_lin, NULL), 4);
	CHECK_EQ(r.rax, 0x4321);
	s.ldt.unusable = 1;
	r.rax = 0;
	CHECK_EQ(x86_emulate_lsl(&r, &s, lsl, sizeof(lsl), read_lin, NULL), 4);
	CHECK_EQ(r.rax, 0);
	CHECK(!(r.rflags & X86_RFLAGS_ZF));
}

TEST(not_ours)
{
	struct kvm_sregs s = long_mode();
	struct kvm_regs r = { .rbx = 28 * 8 };
	const uint8_t mem[] = { 0x48, 0x0f, 0x03, 0x03 };	/* lsl rax, [rbx] */
	const uint8_t lar[] = { 0x48, 0x0f, 0x02, 0xc3 };	/* lar: another instruction */
	const uint8_t lsl[] = { 0x48, 0x0f, 0x03, 0xc3 };

	CHECK_EQ(x86_emulate_lsl(&r, &s, mem, sizeof(mem), read_lin, NULL), 0);
	CHECK_EQ(x86_emulate_lsl(&r, &s, lar, sizeof(lar), read_lin, NULL), 0);
	CHECK_EQ(x86_emulate_lsl(&r, &s, lsl, 3, read_lin, NULL), 0);	/* truncated */
	/* a GDT that cannot be read: not completed (the guest's fate stays KVM's) */
	s.gdt.base = 0x10;
	reads = 0;
	CHECK_EQ(x86_emulate_lsl(&r, &s, lsl, sizeof(lsl), read_lin, NULL), 0);
	CHECK_EQ(reads, 1);
	/* real mode: #UD is the guest's */
	s = long_mode();
	s.cr0 = 0;
	s.efer = 0;
	s.cs.l = 0;
	CHECK_EQ(x86_emulate_lsl(&r, &s, lsl + 1, 3, read_lin, NULL), 0);
}

TEST_MAIN()
