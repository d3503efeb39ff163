/* x86_vcpu.c -- x86 vCPU set-up and register dumps. */
#include <errno.h>
#include <linux/kvm.h>
#include <stdio.h>
#include <string.h>
#include <sys/ioctl.h>

#include "loader/loader.h"
#include "arch/x86/platform.h"
#include "util.h"
#include "core/vcpu.h"
#include "core/vm.h"
#include "arch/x86/x86_vcpu.h"

#define APIC_LVT_LINT0	0x350
#define APIC_LVT_LINT1	0x360
#define APIC_MODE_NMI	0x4
#define APIC_MODE_EXTINT 0x7

#define CR0_PE	(1ULL << 0)
#define CR0_MP	(1ULL << 1)
#define CR0_ET	(1ULL << 4)
#define CR0_NE	(1ULL << 5)
#define CR0_WP	(1ULL << 16)
#define CR0_PG	(1ULL << 31)
#define CR4_PAE	(1ULL << 5)
#define CR4_OSFXSR (1ULL << 9)
#define CR4_OSXMMEXCPT (1ULL << 10)
#define EFER_LME (1ULL << 8)
#define EFER_LMA (1ULL << 10)

static void set_lvt(struct kvm_lapic_state *l, unsigned reg, unsigned mode)
{
	uint32_t v;

	memcpy(&v, &l->regs[reg], 4);
	v = (v & ~0x700u & ~(1u << 16)) | (mode << 8);	/* delivery mode, unmasked */
	memcpy(&l->regs[reg], &v, 4);
}

int x86_vcpu_init(struct vcpu *v)
{
	struct kvm_lapic_state l;

	if (ioctl(v->fd, KVM_GET_LAPIC, &l) < 0)
		return -errno;
	set_lvt(&l, APIC_LVT_LINT0, APIC_MODE_EXTINT);
	set_lvt(&l, APIC_LVT_LINT1, APIC_MODE_NMI);
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
		sr->cr0 = CR0_PE | CR0_ET;
		sr->cr4 = 0;
		sr->efer = 0;
		break;
	case BOOT_LONG64:
		flat_seg(&sr->cs, BOOT_SEL_CODE64, 0xb, true);
		flat_seg(&sr->ds, BOOT_SEL_DATA, 0x3, false);
		sr->es = sr->fs = sr->gs = sr->ss = sr->ds;
		sr->cr0 = CR0_PE | CR0_MP | CR0_ET | CR0_NE | CR0_WP | CR0_PG;
		sr->cr4 = CR4_PAE | CR4_OSFXSR | CR4_OSXMMEXCPT;
		sr->cr3 = bs->cr3;
		sr->efer = EFER_LME | EFER_LMA;
		break;
	}
}

int x86_vcpu_boot(struct vcpu *v, const struct boot_state *bs)
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

/* Linear address of rip: translate through the guest's paging when it is on. */
static bool code_bytes(struct vcpu *v, const struct kvm_sregs *sr, uint64_t rip,
		       uint8_t *out, unsigned n)
{
	uint64_t lin = (sr->efer & EFER_LMA) ? rip : sr->cs.base + rip;
	uint64_t gpa = lin;
	const uint8_t *p;

	if (sr->cr0 & CR0_PG) {
		struct kvm_translation t = { .linear_address = lin };

		if (ioctl(v->fd, KVM_TRANSLATE, &t) < 0 || !t.valid)
			return false;
		gpa = t.physical_address;
	}
	p = gmem_ptr(&v->vm->mem, gpa, n);
	if (!p)
		return false;
	memcpy(out, p, n);
	return true;
}

void vcpu_dump(struct vcpu *v)
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
	if (code_bytes(v, &sr, r.rip, code, sizeof(code))) {
		fprintf(stderr, "  code at rip:");
		for (unsigned i = 0; i < sizeof(code); i++)
			fprintf(stderr, " %02x", code[i]);
		fprintf(stderr, "\n");
	} else {
		fprintf(stderr, "  code at rip: (not in guest RAM)\n");
	}
}
