/*
 * monitor_regs.c (x86) -- a vCPU's registers as the monitor prints them:
 * `info registers` in QEMU's format (x86_cpu_dump_state, as QEMU 7.2
 * prints it for a KVM vCPU: tools look for "SMM=" in it), `info state`
 * with hyve's own fuller view of the hidden segment state, and `info
 * events` (what KVM_GET_VCPU_EVENTS says is pending or being injected).
 */
#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <string.h>

#include "arch/x86/monitor.h"
#include "debug/dbg.h"
#include "gdb/rsp.h"

/* QEMU's segment flags word (the descriptor's high dword bits 8-23) from KVM's fields. */
static uint32_t qemu_seg_flags(const struct kvm_segment *s)
{
	return (uint32_t)s->type << 8 | (uint32_t)s->s << 12 | (uint32_t)s->dpl << 13 |
	       (uint32_t)(s->present && !s->unusable) << 15 | (uint32_t)s->avl << 20 |
	       (uint32_t)s->l << 21 | (uint32_t)s->db << 22 | (uint32_t)s->g << 23;
}

static const char *const sys_type[2][16] = {
	{ "Reserved", "TSS16-avl", "LDT", "TSS16-busy", "CallGate16", "TaskGate",
	  "IntGate16", "TrapGate16", "Reserved", "TSS32-avl", "Reserved", "TSS32-busy",
	  "CallGate32", "Reserved", "IntGate32", "TrapGate32" },
	{ "<hiword>", "Reserved", "LDT", "Reserved", "Reserved", "Reserved", "Reserved",
	  "Reserved", "Reserved", "TSS64-avl", "Reserved", "TSS64-busy", "CallGate64",
	  "Reserved", "IntGate64", "TrapGate64" },
};

static void qseg(struct rsp_buf *o, const char *name, const struct kvm_segment *s, bool cs64,
		 bool pe, bool lma)
{
	uint32_t flags = qemu_seg_flags(s);

	if (cs64)
		rsp_buf_printf(o, "%-3s=%04x %016llx %08x %08x", name, s->selector,
			       (unsigned long long)s->base, s->limit, flags);
	else
		rsp_buf_printf(o, "%-3s=%04x %08x %08x %08x", name, s->selector,
			       (uint32_t)s->base, s->limit, flags);
	if (pe && (flags & (1u << 15))) {
		rsp_buf_printf(o, " DPL=%u ", s->dpl);
		if (s->s && (s->type & 8))
			rsp_buf_printf(o, "%s [%c%c%c]", s->l ? "CS64" : s->db ? "CS32" : "CS16",
				       s->type & 4 ? 'C' : '-', s->type & 2 ? 'R' : '-',
				       s->type & 1 ? 'A' : '-');
		else if (s->s)
			rsp_buf_printf(o, "%s [%c%c%c]", s->db || lma ? "DS  " : "DS16",
				       s->type & 4 ? 'E' : '-', s->type & 2 ? 'W' : '-',
				       s->type & 1 ? 'A' : '-');
		else
			rsp_buf_puts(o, sys_type[lma][s->type & 15]);
	}
	rsp_buf_puts(o, "\n");
}

static uint64_t le64(const uint8_t *b)
{
	uint64_t v = 0;

	for (int i = 8; i-- > 0;)
		v = (v << 8) | b[i];
	return v;
}

static void qemu_dump(struct rsp_buf *o, const struct vcpu_state *st, bool has_avx)
{
	const struct kvm_regs *g = &st->regs;
	const struct kvm_sregs *s = &st->sregs;
	const struct kvm_fpu *f = &st->fpu;
	const struct kvm_debugregs *d = &st->dregs;
	bool pe = s->cr0 & X86_CR0_PE, lma = s->efer & X86_EFER_LMA, cs64 = lma && s->cs.l;
	uint32_t fl = (uint32_t)g->rflags;
	unsigned cpl = !pe ? 0 : (fl & (1u << 17)) ? 3 : s->ss.dpl;
	char flags[8];

	snprintf(flags, sizeof(flags), "%c%c%c%c%c%c%c", fl & (1u << 10) ? 'D' : '-',
		 fl & X86_RFLAGS_OF ? 'O' : '-', fl & X86_RFLAGS_SF ? 'S' : '-',
		 fl & X86_RFLAGS_ZF ? 'Z' : '-', fl & X86_RFLAGS_AF ? 'A' : '-',
		 fl & X86_RFLAGS_PF ? 'P' : '-', fl & X86_RFLAGS_CF ? 'C' : '-');
	if (cs64) {
		rsp_buf_printf(o, "RAX=%016llx RBX=%016llx RCX=%016llx RDX=%016llx\n"
			       "RSI=%016llx RDI=%016llx RBP=%016llx RSP=%016llx\n"
			       "R8 =%016llx R9 =%016llx R10=%016llx R11=%016llx\n"
			       "R12=%016llx R13=%016llx R14=%016llx R15=%016llx\n"
			       "RIP=%016llx RFL=%08x", g->rax, g->rbx, g->rcx, g->rdx, g->rsi,
			       g->rdi, g->rbp, g->rsp, g->r8, g->r9, g->r10, g->r11, g->r12,
			       g->r13, g->r14, g->r15, g->rip, fl);
	} else {
		rsp_buf_printf(o, "EAX=%08x EBX=%08x ECX=%08x EDX=%08x\n"
			       "ESI=%08x EDI=%08x EBP=%08x ESP=%08x\nEIP=%08x EFL=%08x",
			       (uint32_t)g->rax, (uint32_t)g->rbx, (uint32_t)g->rcx,
			       (uint32_t)g->rdx, (uint32_t)g->rsi, (uint32_t)g->rdi,
			       (uint32_t)g->rbp, (uint32_t)g->rsp, (uint32_t)g->rip, fl);
	}
	rsp_buf_printf(o, " [%s] CPL=%u II=%u A20=1 SMM=%u HLT=%u\n", flags, cpl,
		       st->events.interrupt.shadow ? 1 : 0, st->events.smi.smm ? 1 : 0,
		       st->mp.mp_state == KVM_MP_STATE_HALTED);
	qseg(o, "ES", &s->es, cs64, pe, lma);
	qseg(o, "CS", &s->cs, cs64, pe, lma);
	qseg(o, "SS", &s->ss, cs64, pe, lma);
	qseg(o, "DS", &s->ds, cs64, pe, lma);
	qseg(o, "FS", &s->fs, cs64, pe, lma);
	qseg(o, "GS", &s->gs, cs64, pe, lma);
	qseg(o, "LDT", &s->ldt, cs64, pe, lma);
	qseg(o, "TR", &s->tr, cs64, pe, lma);
	if (lma) {
		rsp_buf_printf(o, "GDT=     %016llx %08x\nIDT=     %016llx %08x\n"
			       "CR0=%08x CR2=%016llx CR3=%016llx CR4=%08x\n",
			       (unsigned long long)s->gdt.base, s->gdt.limit,
			       (unsigned long long)s->idt.base, s->idt.limit, (uint32_t)s->cr0,
			       s->cr2, s->cr3, (uint32_t)s->cr4);
	} else {
		rsp_buf_printf(o, "GDT=     %08x %08x\nIDT=     %08x %08x\n"
			       "CR0=%08x CR2=%08x CR3=%08x CR4=%08x\n", (uint32_t)s->gdt.base,
			       s->gdt.limit, (uint32_t)s->idt.base, s->idt.limit,
			       (uint32_t)s->cr0, (uint32_t)s->cr2, (uint32_t)s->cr3,
			       (uint32_t)s->cr4);
	}
	for (int i = 0; i < 4; i++)
		rsp_buf_printf(o, "DR%d=%016llx ", i, d->db[i]);
	rsp_buf_printf(o, "\nDR6=%016llx DR7=%016llx\nEFER=%016llx\n", d->dr6, d->dr7, s->efer);
	rsp_buf_printf(o, "FCW=%04x FSW=%04x [ST=%u] FTW=%02x MXCSR=%08x\n", f->fcw, f->fsw,
		       (f->fsw >> 11) & 7, f->ftwx, f->mxcsr);
	/* FPRi as QEMU shows a KVM vCPU's: KVM's fpr[i] (FXSAVE's stack order) as is */
	for (unsigned i = 0; i < 8; i++) {
		const uint8_t *r = f->fpr[i];

		rsp_buf_printf(o, "FPR%u=%016" PRIx64 " %04x%s", i, le64(r),
			       (unsigned)(r[8] | r[9] << 8), i & 1 ? "\n" : " ");
	}
	for (int i = 0; i < (cs64 ? 16 : 8); i++) {
		if (has_avx)
			rsp_buf_printf(o, "YMM%02d=%016" PRIx64 " %016" PRIx64 " %016" PRIx64
				       " %016" PRIx64 "\n", i, le64(st->ymmh[i] + 8),
				       le64(st->ymmh[i]), le64(f->xmm[i] + 8), le64(f->xmm[i]));
		else
			rsp_buf_printf(o, "XMM%02d=%016" PRIx64 " %016" PRIx64 "%s", i,
				       le64(f->xmm[i] + 8), le64(f->xmm[i]), i & 1 ? "\n" : " ");
	}
}

/* info registers [-a]: the current vCPU, or every one, as QEMU's "CPU#N" blocks. */
int x86_mon_info_registers(struct dtarget *t, const char *args, struct rsp_buf *o)
{
	bool all = !strcmp(args, "-a");

	if (*args && !all)
		return -EINVAL;
	for (int i = 0; i < t->vm->ncpus; i++) {
		struct dcache *c;
		int r;

		if (!all && i != t->cur_cpu)
			continue;
		r = dbg_load_full(t, i, &c);
		if (r)
			return r;
		rsp_buf_printf(o, "\nCPU#%d\n", i);
		qemu_dump(o, &c->st, t->vm->arch.has_avx && (c->st.parts & VS_VECTOR));
	}
	return 0;
}

static void seg(struct rsp_buf *o, const char *name, const struct kvm_segment *s)
{
	rsp_buf_printf(o, "%-4s %04x base=%016llx limit=%08x type=%x s=%u dpl=%u p=%u db=%u "
		       "l=%u g=%u avl=%u%s\n", name, s->selector, (unsigned long long)s->base,
		       s->limit, s->type, s->s, s->dpl, s->present, s->db, s->l, s->g, s->avl,
		       s->unusable ? " unusable" : "");
}

/* info state: hyve's own dump, every field of KVM's view spelt out. */
int x86_mon_info_state(struct dtarget *t, const char *args, struct rsp_buf *o)
{
	struct dcache *c;
	const struct kvm_regs *g;
	const struct kvm_sregs *s;
	const struct kvm_debugregs *d;
	int r;

	if (*args)
		return -EINVAL;
	r = dbg_load_full(t, t->cur_cpu, &c);
	if (r)
		return r;
	g = &c->st.regs;
	s = &c->st.sregs;
	d = &c->st.dregs;
	rsp_buf_printf(o, "vCPU %d (%s mode)\n", t->cur_cpu, arch_mode_name(&c->st));
	rsp_buf_printf(o, "rax=%016llx rbx=%016llx rcx=%016llx rdx=%016llx\n"
		       "rsi=%016llx rdi=%016llx rbp=%016llx rsp=%016llx\n"
		       "r8 =%016llx r9 =%016llx r10=%016llx r11=%016llx\n"
		       "r12=%016llx r13=%016llx r14=%016llx r15=%016llx\n"
		       "rip=%016llx rflags=%016llx\n",
		       g->rax, g->rbx, g->rcx, g->rdx, g->rsi, g->rdi, g->rbp, g->rsp,
		       g->r8, g->r9, g->r10, g->r11, g->r12, g->r13, g->r14, g->r15,
		       g->rip, g->rflags);
	seg(o, "cs", &s->cs);
	seg(o, "ss", &s->ss);
	seg(o, "ds", &s->ds);
	seg(o, "es", &s->es);
	seg(o, "fs", &s->fs);
	seg(o, "gs", &s->gs);
	seg(o, "ldt", &s->ldt);
	seg(o, "tr", &s->tr);
	rsp_buf_printf(o, "gdtr base=%016llx limit=%04x\nidtr base=%016llx limit=%04x\n",
		       (unsigned long long)s->gdt.base, s->gdt.limit,
		       (unsigned long long)s->idt.base, s->idt.limit);
	rsp_buf_printf(o, "cr0=%016llx cr2=%016llx cr3=%016llx cr4=%016llx cr8=%016llx\n"
		       "efer=%016llx apic_base=%016llx kernel_gs_base=%016llx\n",
		       s->cr0, s->cr2, s->cr3, s->cr4, s->cr8, s->efer, s->apic_base,
		       (unsigned long long)c->st.kernel_gs_base);
	rsp_buf_printf(o, "dr0=%016llx dr1=%016llx dr2=%016llx dr3=%016llx\n"
		       "dr6=%016llx dr7=%016llx\n", d->db[0], d->db[1], d->db[2], d->db[3],
		       d->dr6, d->dr7);
	rsp_buf_printf(o, "fcw=%04x fsw=%04x mxcsr=%08x mp_state=%u\n", c->st.fpu.fcw,
		       c->st.fpu.fsw, c->st.fpu.mxcsr, c->st.mp.mp_state);
	return 0;
}

/* info events: the vCPU's pending and injected exception, interrupt, NMI, SMI. */
int x86_mon_info_events(struct dtarget *t, const char *args, struct rsp_buf *o)
{
	const struct kvm_vcpu_events *e;
	struct dcache *c;
	int r;

	if (*args)
		return -EINVAL;
	r = dbg_load_full(t, t->cur_cpu, &c);
	if (r)
		return r;
	e = &c->st.events;
	rsp_buf_printf(o, "vCPU %d events\n", t->cur_cpu);
	rsp_buf_printf(o, "exception: injected=%u pending=%u nr=%u", e->exception.injected,
		       e->exception.pending, e->exception.nr);
	if (e->exception.has_error_code)
		rsp_buf_printf(o, " error_code=%#x", e->exception.error_code);
	rsp_buf_puts(o, "\n");
	rsp_buf_printf(o, "interrupt: injected=%u nr=%u soft=%u shadow=%u\n",
		       e->interrupt.injected, e->interrupt.nr, e->interrupt.soft,
		       e->interrupt.shadow);
	rsp_buf_printf(o, "nmi: injected=%u pending=%u masked=%u\n", e->nmi.injected,
		       e->nmi.pending, e->nmi.masked);
	rsp_buf_printf(o, "smi: smm=%u pending=%u inside_nmi=%u\n", e->smi.smm, e->smi.pending,
		       e->smi.smm_inside_nmi);
	rsp_buf_printf(o, "sipi_vector=%#x\n", e->sipi_vector);
	return 0;
}
