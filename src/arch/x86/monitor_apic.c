/*
 * monitor_apic.c (x86) -- KVM's in-kernel interrupt controllers as the
 * monitor shows them, in QEMU's formats: `info lapic` (QEMU's
 * x86_cpu_dump_local_apic_state: LVTs, timer, SPIV, ICR, ISR/IRR with
 * TMR as "(level)", TPR, PPR) from KVM_GET_LAPIC, and `info pic` /
 * `info ioapic` (QEMU's redirection-table dump, then the two 8259s) from
 * KVM_GET_IRQCHIP.  Also the ranges those devices occupy, for `info mtree`.
 */
#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <string.h>
#include <sys/ioctl.h>

#include "arch/x86/monitor.h"
#include "debug/dbg.h"
#include "gdb/rsp.h"

int arch_kernel_regions(const struct vm *vm, enum io_space sp, struct arch_region *out, int max)
{
	static const struct arch_region mmio[] = {
		{ LAYOUT_IOAPIC, 0x1000, 0, "kvm-ioapic" },
		{ LAYOUT_LAPIC, 0x100000, 4096, "kvm-apic-msi" },	/* QEMU's MSI window */
	};
	static const struct arch_region pio[] = {
		{ 0x20, 2, 0, "kvm-pic" }, { 0x40, 4, 0, "kvm-pit" }, { 0xa0, 2, 0, "kvm-pic" },
		{ 0x4d0, 1, 0, "kvm-elcr" }, { 0x4d1, 1, 0, "kvm-elcr" },
	};
	const struct arch_region *r = sp == IO_MMIO ? mmio : pio;
	int n = sp == IO_MMIO ? 2 : 5;

	if (n > max)
		n = max;
	memcpy(out, r, sizeof(*r) * (size_t)n);
	return n;
}

/* ---- local APIC ---- */

enum {
	APIC_ID = 0x20, APIC_TPR = 0x80, APIC_APR = 0x90, APIC_LDR = 0xd0, APIC_DFR = 0xe0,
	APIC_SPIV = 0xf0, APIC_ISR = 0x100, APIC_TMR = 0x180, APIC_IRR = 0x200,
	APIC_ESR = 0x280, APIC_ICR = 0x300, APIC_ICR2 = 0x310, APIC_LVTT = 0x320,
	APIC_LVTTHMR = 0x330, APIC_LVTPC = 0x340, APIC_LVT0 = 0x350, APIC_LVT1 = 0x360,
	APIC_LVTERR = 0x370, APIC_TMICT = 0x380, APIC_TMCCT = 0x390, APIC_TDCR = 0x3e0,
};

static uint32_t reg(const struct kvm_lapic_state *l, unsigned off)
{
	uint32_t v;

	memcpy(&v, l->regs + off, 4);
	return v;
}

/* Bit i of a 256-bit register (ISR, TMR, IRR: eight 32-bit words 16 bytes apart). */
static bool bit256(const struct kvm_lapic_state *l, unsigned base, unsigned i)
{
	return (reg(l, base + (i / 32) * 16) >> (i % 32)) & 1;
}

static const char *const dm_name[8] = {
	"Fixed", "...", "SMI", "...", "NMI", "INIT", "...", "ExtINT",
};

static void lvt(struct rsp_buf *o, const char *name, uint32_t v, bool timer)
{
	unsigned dm = (v >> 8) & 7;

	rsp_buf_printf(o, "%s\t 0x%08x %s %-5s %-6s %-7s %-12s %-6s", name, v,
		       v & (1u << 13) ? "active-lo" : "active-hi",
		       v & (1u << 15) ? "level" : "edge", v & (1u << 16) ? "masked" : "",
		       v & (1u << 12) ? "pending" : "",
		       !timer ? "" : v & (1u << 17) ? "periodic" :
		       v & (1u << 18) ? "tsc-deadline" : "one-shot", dm_name[dm]);
	if (dm != 4)
		rsp_buf_printf(o, " (vec %u)\n", v & 0xff);
	else
		rsp_buf_puts(o, "\n");
}

static void irq_list(struct rsp_buf *o, const char *name, const struct kvm_lapic_state *l,
		     unsigned base)
{
	bool empty = true;

	rsp_buf_printf(o, "%s\t ", name);
	for (unsigned i = 0; i < 256; i++) {
		if (bit256(l, base, i)) {
			rsp_buf_printf(o, "%u%s ", i, bit256(l, APIC_TMR, i) ? "(level)" : "");
			empty = false;
		}
	}
	rsp_buf_printf(o, "%s\n", empty ? "(none)" : "");
}

static void mask_bits(char *s, unsigned v, int n)
{
	while (n--)
		*s++ = (v >> n) & 1 ? '1' : '0';
	*s = 0;
}

static void icr(struct rsp_buf *o, const struct kvm_lapic_state *l, bool x2apic)
{
	static const char *const sh[4] = { "no-shorthand", "self", "all-self", "all" };
	uint32_t lo = reg(l, APIC_ICR), hi = reg(l, APIC_ICR2), dest;
	unsigned shorthand = (lo >> 18) & 3, dfr = reg(l, APIC_DFR) >> 28;
	bool logical = lo & (1u << 11);
	char m[17];

	rsp_buf_printf(o, "ICR\t 0x%08x %s %s %s %s\n", lo, logical ? "logical" : "physical",
		       lo & (1u << 15) ? "level" : "edge", lo & (1u << 14) ? "assert" : "de-assert",
		       sh[shorthand]);
	rsp_buf_printf(o, "ICR2\t 0x%08x", hi);
	dest = x2apic ? hi : hi >> 24;
	if (shorthand) {
		rsp_buf_puts(o, "\n");
	} else if (!logical) {
		rsp_buf_printf(o, x2apic ? " cpu %u (X2APIC ID)\n" : " cpu %u (APIC ID)\n",
			       x2apic ? dest : dest & 0xf);
	} else if (dfr == 0xf) {
		mask_bits(m, hi >> 24, 8);
		rsp_buf_printf(o, " mask %s (APIC ID)\n", m);
	} else if (dfr == 0) {
		mask_bits(m, x2apic ? dest & 0xffff : dest & 0xf, x2apic ? 16 : 4);
		rsp_buf_printf(o, x2apic ? " cluster %u mask %s (X2APIC ID)\n" :
			       " cluster %u mask %s (APIC ID)\n", x2apic ? dest >> 16 : dest >> 4, m);
	} else {
		rsp_buf_puts(o, "\n");
	}
}

/* QEMU's PPR: the TPR, or the highest in-service vector's class if that is higher. */
static unsigned ppr(const struct kvm_lapic_state *l)
{
	unsigned tpr = reg(l, APIC_TPR) & 0xff, isrv = 0;

	for (unsigned i = 256; i-- > 0;)
		if (bit256(l, APIC_ISR, i)) {
			isrv = i;
			break;
		}
	return (tpr & 0xf0) >= (isrv & 0xf0) ? tpr : isrv & 0xf0;
}

int x86_mon_info_lapic(struct dtarget *t, const char *args, struct rsp_buf *o)
{
	static struct vcpu_state st;	/* a copy: a LAPIC written back would restart its timer */
	const struct kvm_lapic_state *l = &st.lapic;
	struct dcache *c;
	unsigned dcr, div, dfr, ldr;
	bool x2apic;
	int r;

	if (*args)
		return -EINVAL;
	r = dbg_load(t, t->cur_cpu, &c);
	if (r)
		return r;
	memset(&st, 0, sizeof(st));
	r = vcpu_get_state_parts(t->vm->vcpus[t->cur_cpu], &st, VS_LAPIC);
	if (r)
		return r;
	x2apic = c->st.sregs.apic_base & (1ULL << 10);
	rsp_buf_printf(o, "dumping local APIC state for CPU %-2d\n\n", t->cur_cpu);
	lvt(o, "LVT0", reg(l, APIC_LVT0), false);
	lvt(o, "LVT1", reg(l, APIC_LVT1), false);
	lvt(o, "LVTPC", reg(l, APIC_LVTPC), false);
	lvt(o, "LVTERR", reg(l, APIC_LVTERR), false);
	lvt(o, "LVTTHMR", reg(l, APIC_LVTTHMR), false);
	lvt(o, "LVTT", reg(l, APIC_LVTT), true);
	dcr = reg(l, APIC_TDCR) & 0xf;
	div = ((dcr & 8) >> 1) | (dcr & 3);
	rsp_buf_printf(o, "Timer\t DCR=0x%x (divide by %u) initial_count = %u current_count = %u\n",
		       dcr, div == 7 ? 1 : 2u << div, reg(l, APIC_TMICT), reg(l, APIC_TMCCT));
	rsp_buf_printf(o, "SPIV\t 0x%08x APIC %s, focus=%s, spurious vec %u\n", reg(l, APIC_SPIV),
		       reg(l, APIC_SPIV) & (1u << 8) ? "enabled" : "disabled",
		       reg(l, APIC_SPIV) & (1u << 9) ? "on" : "off", reg(l, APIC_SPIV) & 0xff);
	icr(o, l, x2apic);
	rsp_buf_printf(o, "ESR\t 0x%08x\n", reg(l, APIC_ESR));
	irq_list(o, "ISR", l, APIC_ISR);
	irq_list(o, "IRR", l, APIC_IRR);
	dfr = reg(l, APIC_DFR) >> 28;
	ldr = reg(l, APIC_LDR) >> 24;
	rsp_buf_printf(o, "\nAPR 0x%02x TPR 0x%02x DFR 0x%02x LDR 0x%02x", reg(l, APIC_APR) & 0xff,
		       reg(l, APIC_TPR) & 0xff, dfr, ldr);
	if (dfr == 0)
		rsp_buf_printf(o, "(cluster %u: id %u)", ldr >> 4, ldr & 0xf);
	rsp_buf_printf(o, " PPR 0x%02x\n", ppr(l));
	return 0;
}

/* ---- I/O APIC and 8259s ---- */

static int irqchip(struct dtarget *t, unsigned id, struct kvm_irqchip *chip)
{
	memset(chip, 0, sizeof(*chip));
	chip->chip_id = id;
	return ioctl(t->vm->vm_fd, KVM_GET_IRQCHIP, chip) < 0 ? -errno : 0;
}

static void irr_line(struct rsp_buf *o, const char *name, uint32_t bits)
{
	rsp_buf_printf(o, "%-10s ", name);
	if (!bits) {
		rsp_buf_puts(o, "(none)\n");
		return;
	}
	for (unsigned i = 0; i < KVM_IOAPIC_NUM_PINS; i++)
		if (bits & (1u << i))
			rsp_buf_printf(o, "%-2u ", i);
	rsp_buf_puts(o, "\n");
}

int x86_mon_info_ioapic(struct dtarget *t, const char *args, struct rsp_buf *o)
{
	static const char *const delm[8] = {
		"fixed", "lowest", "SMI", "...", "NMI", "INIT", "...", "extINT",
	};
	struct kvm_irqchip chip;
	const struct kvm_ioapic_state *s = &chip.chip.ioapic;
	uint32_t remote_irr = 0;
	int r;

	if (*args)
		return -EINVAL;
	r = irqchip(t, KVM_IRQCHIP_IOAPIC, &chip);
	if (r)
		return r;
	/* 0x11: the version register KVM's I/O APIC gives the guest */
	rsp_buf_printf(o, "ioapic0: ver=0x%x id=0x%02x sel=0x%02x", 0x11, s->id, s->ioregsel);
	if (s->ioregsel >= 0x10)
		rsp_buf_printf(o, " (redir[%u])\n", (s->ioregsel - 0x10) >> 1);
	else
		rsp_buf_puts(o, "\n");
	for (unsigned i = 0; i < KVM_IOAPIC_NUM_PINS; i++) {
		uint64_t e = s->redirtbl[i].bits;
		bool logical = e & (1u << 11), level = e & (1u << 15);

		rsp_buf_printf(o, "  pin %-2u 0x%016" PRIx64 " dest=%" PRIx64 " vec=%-3" PRIu64
			       " %s %-5s %-6s %-6s %s\n", i, e, (e >> 56) & (logical ? 0xff : 0xf),
			       e & 0xff, e & (1u << 13) ? "active-lo" : "active-hi",
			       level ? "level" : "edge", e & (1u << 16) ? "masked" : "",
			       delm[(e >> 8) & 7], logical ? "logical" : "physical");
		if (level && (e & (1u << 14)))
			remote_irr |= 1u << i;
	}
	irr_line(o, "  IRR", s->irr);
	irr_line(o, "  Remote IRR", remote_irr);
	return 0;
}

/* info pic: QEMU's, the I/O APIC and then both 8259s (slave first, as QEMU lists them). */
int x86_mon_info_pic(struct dtarget *t, const char *args, struct rsp_buf *o)
{
	struct kvm_irqchip chip;
	int r = x86_mon_info_ioapic(t, args, o);

	for (unsigned id = 2; !r && id-- > 0;) {
		const struct kvm_pic_state *p = &chip.chip.pic;

		r = irqchip(t, id, &chip);
		if (!r)
			rsp_buf_printf(o, "pic%u: irr=%02x imr=%02x isr=%02x hprio=%u irq_base=%02x "
				       "rr_sel=%u elcr=%02x fnm=%u\n", id, p->irr, p->imr, p->isr,
				       p->priority_add, p->irq_base, p->read_reg_select, p->elcr,
				       p->special_fully_nested_mode);
	}
	return r;
}
