/*
 * monitor.c -- `monitor` commands (qRcmd) of the debug server.  Output is
 * text; the session sends it as O packets.  They act on the vCPU the debugger
 * looked at last (its current thread).
 */
#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "boot.h"
#include "debug/dbg.h"
#include "gdb/rsp.h"
#include "arch/x86/pgdump.h"
#include "util.h"

static const char help_text[] =
	"hyve monitor commands (they act on the current thread's vCPU):\n"
	"  help                this list\n"
	"  status              every vCPU: mode, rip, run state; debugger settings\n"
	"  info registers      all registers, hidden segment state, gdtr/idtr, debug registers\n"
	"  info mem            the page-table mappings of the vCPU's address space\n"
	"  phys on|off         memory packets take guest-physical addresses (off: virtual)\n"
	"  cr3 VALUE|off       translate virtual addresses through another CR3\n"
	"  dump FILE           write an ELF core of guest memory (gdb vmlinux FILE)\n"
	"  reset               reset the machine: every vCPU back to its boot state\n"
	"  step-irq on|off     let interrupts in during single steps (default off)\n";

static const char *mode_name(const struct kvm_sregs *s)
{
	if (!(s->cr0 & 1))
		return "real";
	if (s->efer & (1 << 10))
		return s->cs.l ? "long" : "compat";
	return (s->cr0 & (1ULL << 31)) ? "protected+paging" : "protected";
}

static void seg(struct rsp_buf *o, const char *name, const struct kvm_segment *s)
{
	rsp_buf_printf(o, "%-4s %04x base=%016llx limit=%08x type=%x s=%u dpl=%u p=%u db=%u "
		       "l=%u g=%u avl=%u%s\n", name, s->selector, (unsigned long long)s->base,
		       s->limit, s->type, s->s, s->dpl, s->present, s->db, s->l, s->g, s->avl,
		       s->unusable ? " unusable" : "");
}

static int info_registers(struct dtarget *t, struct rsp_buf *o)
{
	struct dcache *c;
	int r = dbg_load_full(t, t->cur_cpu, &c);
	const struct kvm_regs *g;
	const struct kvm_sregs *s;
	const struct kvm_debugregs *d;

	if (r)
		return r;
	g = &c->st.regs;
	s = &c->st.sregs;
	d = &c->st.dregs;
	rsp_buf_printf(o, "vCPU %d (%s mode)\n", t->cur_cpu, mode_name(s));
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

struct mem_out {
	struct rsp_buf *o;
	int lines;
};

static int mem_line(void *opaque, const struct pg_range *r)
{
	struct mem_out *m = opaque;

	if (++m->lines > 4096) {
		rsp_buf_puts(m->o, "... (more mappings not shown)\n");
		return 1;
	}
	/* inclusive end: the top mapping ends at 2^64 */
	rsp_buf_printf(m->o, "%016" PRIx64 "-%016" PRIx64 " %016" PRIx64 " %10" PRIx64 " %s %s%s\n",
		       r->va, r->va + (r->size - 1), r->pa, r->size, r->writable ? "rw" : "ro",
		       r->user ? "user" : "sup ", r->nx ? " nx" : "");
	return 0;
}

static int info_mem(struct dtarget *t, struct rsp_buf *o)
{
	struct walk_ctx w;
	struct mem_out m = { o, 0 };
	int r = dbg_walk_ctx(t, t->cur_cpu, &w);

	if (r)
		return r;
	rsp_buf_printf(o, "vCPU %d, cr3=%llx%s\nvirtual range                     physical"
		       "             size perms\n", t->cur_cpu, (unsigned long long)w.cr3,
		       t->cr3_set ? " (monitor cr3)" : "");
	r = x86_pgdump(&w, mem_line, &m);
	if (r < 0)
		rsp_buf_printf(o, "page tables unreadable: %s\n", strerror(-r));
	else if (!m.lines)
		rsp_buf_puts(o, "(no mappings)\n");
	return 0;
}

static int status(struct dtarget *t, struct rsp_buf *o)
{
	for (int i = 0; i < t->vm->ncpus; i++) {
		struct dcache *c;

		if (dbg_load_full(t, i, &c) == 0)
			rsp_buf_printf(o, "vCPU %d: %s mode, rip=%016llx, %s\n", i,
				       mode_name(&c->st.sregs),
				       (unsigned long long)c->st.regs.rip,
				       c->st.mp.mp_state == KVM_MP_STATE_RUNNABLE ? "runnable" :
				       c->st.mp.mp_state == KVM_MP_STATE_HALTED ? "halted" :
				       "waiting for INIT/SIPI");
	}
	rsp_buf_printf(o, "memory: %s addresses%s; step-irq %s; %llu MiB RAM\n",
		       t->phys ? "physical" : "virtual", t->cr3_set ? " (monitor cr3)" : "",
		       t->step_irq ? "on" : "off",
		       (unsigned long long)(t->vm->mem.size >> 20));
	if (t->pending_exit >= 0)
		rsp_buf_printf(o, "the guest ended the machine (exit status %d on detach)\n",
			       t->pending_exit);
	return 0;
}

static int on_off(const char *arg, bool *out)
{
	if (!strcmp(arg, "on") || !strcmp(arg, "1"))
		*out = true;
	else if (!strcmp(arg, "off") || !strcmp(arg, "0"))
		*out = false;
	else
		return -EINVAL;
	return 0;
}

int dbg_monitor(struct dtarget *t, const char *cmd, struct rsp_buf *o)
{
	char err[256];
	bool b;

	while (*cmd == ' ')
		cmd++;
	if (!strcmp(cmd, "help") || !*cmd) {
		rsp_buf_puts(o, help_text);
		return 0;
	}
	if (!strcmp(cmd, "status"))
		return status(t, o);
	if (!strcmp(cmd, "info registers"))
		return info_registers(t, o);
	if (!strcmp(cmd, "info mem"))
		return info_mem(t, o);
	if (!strncmp(cmd, "phys ", 5)) {
		if (on_off(cmd + 5, &b))
			return -EINVAL;
		t->phys = b;
		rsp_buf_printf(o, "memory packets now take %s addresses\n",
			       b ? "guest-physical" : "guest-virtual");
		return 0;
	}
	if (!strncmp(cmd, "step-irq ", 9)) {
		if (on_off(cmd + 9, &b))
			return -EINVAL;
		t->step_irq = b;
		vcpu_set_step_irq(t->vm, b);
		rsp_buf_printf(o, "step-irq %s\n", b ? "on" : "off");
		return 0;
	}
	if (!strncmp(cmd, "cr3 ", 4)) {
		uint64_t v;

		if (!strcmp(cmd + 4, "off")) {
			t->cr3_set = false;
			rsp_buf_puts(o, "translating through each vCPU's own CR3\n");
			return 0;
		}
		if (parse_u64(cmd + 4, &v) && rsp_parse_hex_u64(cmd + 4, strlen(cmd + 4), &v))
			return -EINVAL;
		t->cr3_set = true;
		t->cr3 = v;
		rsp_buf_printf(o, "translating through cr3=%llx\n", (unsigned long long)v);
		return 0;
	}
	if (!strncmp(cmd, "dump ", 5)) {
		int r = dbg_coredump(t, cmd + 5, err, sizeof(err));

		if (r)
			rsp_buf_printf(o, "dump failed: %s\n", err);
		else
			rsp_buf_printf(o, "wrote %s\n", cmd + 5);
		return 0;
	}
	if (!strcmp(cmd, "reset")) {
		int r = boot_reset(t->vm);

		if (r)
			rsp_buf_printf(o, "reset failed: %s\n", strerror(-r));
		else
			rsp_buf_puts(o, "machine reset: every vCPU is at its boot state\n");
		dbg_invalidate(t);
		memset(t->pending, 0, sizeof(t->pending));	/* no hit survives a reset */
		return 0;
	}
	return -ENOENT;
}
