/* vcpu.c (x86) -- x86 vCPU set-up, boot registers, and register dumps. */
#include <errno.h>
#include <linux/kvm.h>
#include <stdio.h>
#include <string.h>
#include <sys/ioctl.h>

#include "core/gmem.h"
#include "arch/x86/cpuid.h"
#include "arch/x86/platform.h"
#include "arch/x86/regs.h"
#include "arch/x86/vcpu.h"
#include "core/vcpu.h"
#include "core/vm.h"
#include "loader/loader.h"
#include "util.h"

static void set_lvt(struct kvm_lapic_state *l, unsigned reg, unsigned mode)
{
	uint32_t v;

	memcpy(&v, &l->regs[reg], 4);
	v = (v & ~0x700u & ~(1u << 16)) | (mode << 8);	/* delivery mode, unmasked */
	memcpy(&l->regs[reg], &v, 4);
}

/*
 * The x87/SSE control words at their power-on values (FCW 0x37f, MXCSR 0x1f80:
 * every exception masked, round to nearest).  Not every KVM sets them: on some
 * a fresh vCPU reads MXCSR 0, which unmasks every SSE exception.  And on some
 * (Linux 6.1's kvm-amd, seen in tests/svm) KVM_SET_FPU leaves MXCSR as it was,
 * while the XSAVE image, whose SSE component is still in its init state, says
 * 0x1f80: there the control words go in through the XSAVE image, with the x87
 * and SSE components marked as holding state, and MXCSR is read and written
 * through it from then on (state.c).
 */
#define XSAVE_MXCSR_OFF		24	/* bytes into the legacy (FXSAVE) area */
#define XSAVE_XSTATE_BV_OFF	512
#define XSAVE_X87_SSE		0x3ULL

static bool fpu_at_reset(struct vcpu *v, int *err)
{
	struct kvm_fpu f;

	*err = ioctl(v->fd, KVM_GET_FPU, &f) < 0 ? -errno : 0;
	return !*err && f.mxcsr == X86_MXCSR_RESET && f.fcw == X86_FCW_RESET;
}

static int fpu_reset_xsave(struct vcpu *v)
{
	struct kvm_xsave xs;
	uint8_t *p = (uint8_t *)xs.region;
	uint32_t mxcsr = X86_MXCSR_RESET;
	uint16_t fcw = X86_FCW_RESET;
	uint64_t bv;

	if (ioctl(v->fd, KVM_GET_XSAVE, &xs) < 0)
		return -errno;
	memcpy(p, &fcw, sizeof(fcw));
	memcpy(p + XSAVE_MXCSR_OFF, &mxcsr, sizeof(mxcsr));
	memcpy(&bv, p + XSAVE_XSTATE_BV_OFF, sizeof(bv));
	bv |= XSAVE_X87_SSE;
	memcpy(p + XSAVE_XSTATE_BV_OFF, &bv, sizeof(bv));
	return ioctl(v->fd, KVM_SET_XSAVE, &xs) < 0 ? -errno : 0;
}

static int fpu_reset(struct vcpu *v)
{
	struct kvm_fpu f;
	int r;

	if (fpu_at_reset(v, &r) || r)
		return r;
	if (ioctl(v->fd, KVM_GET_FPU, &f) < 0)
		return -errno;
	f.mxcsr = X86_MXCSR_RESET;
	f.fcw = X86_FCW_RESET;
	if (ioctl(v->fd, KVM_SET_FPU, &f) < 0)
		return -errno;
	if (fpu_at_reset(v, &r) || r)
		return r;
	/* this KVM's KVM_SET_FPU/KVM_GET_FPU miss MXCSR: state.c takes it by XSAVE */
	v->vm->arch.mxcsr_via_xsave = true;
	r = fpu_reset_xsave(v);
	if (r)
		return r;
	return 0;
}

/* CPUID, the FPU's reset state, and the LAPIC's LINT0 = ExtINT (the PIC), LINT1 = NMI. */
int arch_vcpu_init(struct vm *vm, struct vcpu *v)
{
	struct kvm_lapic_state l;
	int r = cpuid_set_vcpu(vm, v->fd, v->id);

	if (!r)
		r = fpu_reset(v);
	if (r)
		return r;
	if (ioctl(v->fd, KVM_GET_LAPIC, &l) < 0)
		return -errno;
	set_lvt(&l, X86_APIC_LVT_LINT0, X86_APIC_MODE_EXTINT);
	set_lvt(&l, X86_APIC_LVT_LINT1, X86_APIC_MODE_NMI);
	if (ioctl(v->fd, KVM_SET_LAPIC, &l) < 0)
		return -errno;
	return 0;
}

static void flat_seg(struct kvm_segment *s, uint16_t sel, uint8_t type, bool code64)
{
	memset(s, 0, sizeof(*s));
	s->selector = sel;
	s->base = 0;
	s->limit = 0xffffffff;
	s->type = type;
	s->present = 1;
	s->s = 1;
	s->g = 1;
	s->l = code64;
	s->db = !code64;
}

void x86_boot_regs(const struct boot_state *bs, struct kvm_sregs *sr, struct kvm_regs *r)
{
	memset(r, 0, sizeof(*r));
	r->rflags = 2;
	r->rip = bs->rip;
	r->rsp = bs->rsp;
	r->rax = bs->rax;
	r->rbx = bs->rbx;
	r->rcx = bs->rcx;
	r->rdx = bs->rdx;
	r->rsi = bs->rsi;
	r->rdi = bs->rdi;
	r->rbp = bs->rbp;

	if (bs->gdt_limit) {
		sr->gdt.base = bs->gdt_base;
		sr->gdt.limit = bs->gdt_limit;
	}
	switch (bs->mode) {
	case BOOT_REAL16:
		/* keep KVM's reset state (real mode) except where the entry is */
		sr->cs.selector = bs->cs;
		sr->cs.base = bs->cs_base;
		break;
	case BOOT_PROT32:
		flat_seg(&sr->cs, BOOT_SEL_CODE32, 0xb, false);
		flat_seg(&sr->ds, BOOT_SEL_DATA, 0x3, false);
		sr->es = sr->fs = sr->gs = sr->ss = sr->ds;
		sr->cr0 = X86_CR0_PE | X86_CR0_ET;
		sr->cr4 = 0;
		sr->efer = 0;
		break;
	case BOOT_LONG64:
		flat_seg(&sr->cs, BOOT_SEL_CODE64, 0xb, true);
		flat_seg(&sr->ds, BOOT_SEL_DATA, 0x3, false);
		sr->es = sr->fs = sr->gs = sr->ss = sr->ds;
		sr->cr0 = X86_CR0_PE | X86_CR0_MP | X86_CR0_ET | X86_CR0_NE | X86_CR0_WP |
			  X86_CR0_PG;
		sr->cr4 = X86_CR4_PAE | X86_CR4_OSFXSR | X86_CR4_OSXMMEXCPT;
		sr->cr3 = bs->cr3;
		sr->efer = X86_EFER_LME | X86_EFER_LMA;
		break;
	}
}

int arch_vcpu_boot(struct vcpu *v, const struct boot_state *bs)
{
	struct kvm_sregs sr;
	struct kvm_regs r;

	if (ioctl(v->fd, KVM_GET_SREGS, &sr) < 0)
		return -errno;
	x86_boot_regs(bs, &sr, &r);
	if (ioctl(v->fd, KVM_SET_SREGS, &sr) < 0 || ioctl(v->fd, KVM_SET_REGS, &r) < 0)
		return -errno;
	return 0;
}

static void dump_seg(const char *name, const struct kvm_segment *s)
{
	fprintf(stderr, "  %-3s sel=%04x base=%016llx limit=%08x type=%x dpl=%u p=%u db=%u l=%u g=%u\n",
		name, s->selector, (unsigned long long)s->base, s->limit, s->type, s->dpl,
		s->present, s->db, s->l, s->g);
}

bool x86_long64(const struct kvm_sregs *s)
{
	return (s->efer & X86_EFER_LMA) && s->cs.l;
}

uint64_t x86_rip_gpa(struct vcpu *v, const struct kvm_regs *r, const struct kvm_sregs *s)
{
	uint64_t lin = (s->efer & X86_EFER_LMA) ? r->rip : s->cs.base + r->rip;
	struct kvm_translation t = { .linear_address = lin };

	if (!(s->cr0 & X86_CR0_PG))
		return lin;
	if (ioctl(v->fd, KVM_TRANSLATE, &t) < 0 || !t.valid)
		return ~0ULL;
	return t.physical_address;
}

void arch_vcpu_dump(struct vcpu *v)
{
	struct kvm_regs r;
	struct kvm_sregs sr;
	uint8_t code[16];

	if (ioctl(v->fd, KVM_GET_REGS, &r) < 0 || ioctl(v->fd, KVM_GET_SREGS, &sr) < 0) {
		fprintf(stderr, "  (cannot read vCPU %d registers: %s)\n", v->id, strerror(errno));
		return;
	}
	fprintf(stderr, "vCPU %d registers:\n"
		"  rax=%016llx rbx=%016llx rcx=%016llx rdx=%016llx\n"
		"  rsi=%016llx rdi=%016llx rbp=%016llx rsp=%016llx\n"
		"  r8 =%016llx r9 =%016llx r10=%016llx r11=%016llx\n"
		"  r12=%016llx r13=%016llx r14=%016llx r15=%016llx\n"
		"  rip=%016llx rflags=%016llx\n"
		"  cr0=%016llx cr2=%016llx cr3=%016llx cr4=%016llx efer=%016llx\n",
		v->id, r.rax, r.rbx, r.rcx, r.rdx, r.rsi, r.rdi, r.rbp, r.rsp,
		r.r8, r.r9, r.r10, r.r11, r.r12, r.r13, r.r14, r.r15, r.rip, r.rflags,
		sr.cr0, sr.cr2, sr.cr3, sr.cr4, sr.efer);
	dump_seg("cs", &sr.cs);
	dump_seg("ss", &sr.ss);
	dump_seg("ds", &sr.ds);
	fprintf(stderr, "  gdt=%016llx/%04x idt=%016llx/%04x\n",
		(unsigned long long)sr.gdt.base, sr.gdt.limit,
		(unsigned long long)sr.idt.base, sr.idt.limit);
	const uint8_t *p = gmem_ptr(&v->vm->mem, x86_rip_gpa(v, &r, &sr), sizeof(code));

	if (p) {
		memcpy(code, p, sizeof(code));
		fprintf(stderr, "  code at rip:");
		for (unsigned i = 0; i < sizeof(code); i++)
			fprintf(stderr, " %02x", code[i]);
		fprintf(stderr, "\n");
	} else {
		fprintf(stderr, "  code at rip: (not in guest RAM)\n");
	}
}
