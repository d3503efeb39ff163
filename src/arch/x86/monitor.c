/*
 * monitor.c (x86) -- the `monitor` commands only x86 knows: every register
 * with the hidden segment state, the page-table mappings, and translating
 * through another CR3.  Listed in the debug target's table (debug/dbg.h).
 */
#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <string.h>

#include "arch/x86/pgdump.h"
#include "debug/dbg.h"
#include "gdb/rsp.h"
#include "util.h"

static void seg(struct rsp_buf *o, const char *name, const struct kvm_segment *s)
{
	rsp_buf_printf(o, "%-4s %04x base=%016llx limit=%08x type=%x s=%u dpl=%u p=%u db=%u "
		       "l=%u g=%u avl=%u%s\n", name, s->selector, (unsigned long long)s->base,
		       s->limit, s->type, s->s, s->dpl, s->present, s->db, s->l, s->g, s->avl,
		       s->unusable ? " unusable" : "");
}

static int info_registers(struct dtarget *t, const char *args, struct rsp_buf *o)
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

static int info_mem(struct dtarget *t, const char *args, struct rsp_buf *o)
{
	struct walk_ctx w;
	struct mem_out m = { o, 0 };
	int r;

	if (*args)
		return -EINVAL;
	r = dbg_walk_ctx(t, t->cur_cpu, &w);
	if (r)
		return r;
	rsp_buf_printf(o, "vCPU %d, cr3=%llx%s\nvirtual range                     physical"
		       "             size perms\n", t->cur_cpu, (unsigned long long)w.cr3,
		       t->root_set ? " (monitor cr3)" : "");
	r = pgdump(&w, mem_line, &m);
	if (r < 0)
		rsp_buf_printf(o, "page tables unreadable: %s\n", strerror(-r));
	else if (!m.lines)
		rsp_buf_puts(o, "(no mappings)\n");
	return 0;
}

static int cr3(struct dtarget *t, const char *args, struct rsp_buf *o)
{
	uint64_t v;

	if (!strcmp(args, "off")) {
		t->root_set = false;
		rsp_buf_puts(o, "translating through each vCPU's own CR3\n");
		return 0;
	}
	if (!*args || (parse_u64(args, &v) && rsp_parse_hex_u64(args, strlen(args), &v)))
		return -EINVAL;
	t->root_set = true;
	t->root = v;
	rsp_buf_printf(o, "translating through cr3=%llx\n", (unsigned long long)v);
	return 0;
}

const struct mon_cmd arch_mon_cmds[] = {
	{ "info registers", "", "all registers, hidden segment state, gdtr/idtr, debug registers",
	  info_registers },
	{ "info mem", "", "the page-table mappings of the vCPU's address space", info_mem },
	{ "cr3", "VALUE|off", "translate virtual addresses through another CR3", cr3 },
};
const int arch_mon_ncmds = (int)ARRAY_SIZE(arch_mon_cmds);
