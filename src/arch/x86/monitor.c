/*
 * monitor.c (x86) -- the table of the `monitor` commands only x86 knows
 * (listed in the debug target's, debug/dbg.h; the other files are named in
 * monitor.h), and the address-space ones: `info mem` in QEMU's format,
 * `info mappings` with hyve's detail, translating through another CR3.
 */
#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <string.h>

#include "arch/x86/monitor.h"
#include "arch/x86/pgdump.h"
#include "debug/dbg.h"
#include "gdb/rsp.h"
#include "util.h"

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

static int info_mappings(struct dtarget *t, const char *args, struct rsp_buf *o)
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

/*
 * QEMU's `info mem` (its mem_print): ranges of contiguous virtual addresses
 * with the same user/write permission, whatever they map to; the end is
 * exclusive and, like QEMU's, not sign-extended (a range up to the top of
 * a 48-bit space ends at 0001000000000000); the size, like QEMU's, is.
 */
struct qmem {
	struct rsp_buf *o;
	uint64_t mask;		/* the virtual-address bits (48 or 57; 32 outside long mode) */
	unsigned vbits;
	uint64_t start, end;	/* the range being merged, in unextended addresses */
	bool user, writable, have;
};

static uint64_t sext(const struct qmem *q, uint64_t a)
{
	/* outside long mode addresses are 32 bits and never extended */
	return q->vbits > 32 && (a & (1ULL << (q->vbits - 1))) ? a | ~q->mask : a;
}

static void qmem_flush(struct qmem *q)
{
	if (q->have)
		rsp_buf_printf(q->o, "%016" PRIx64 "-%016" PRIx64 " %016" PRIx64 " %cr%c\n",
			       sext(q, q->start), sext(q, q->end), sext(q, q->end - q->start),
			       q->user ? 'u' : '-', q->writable ? 'w' : '-');
	q->have = false;
}

static int qmem_range(void *opaque, const struct pg_range *r)
{
	struct qmem *q = opaque;
	uint64_t va = r->va & q->mask;

	if (q->have && q->end == va && q->user == r->user && q->writable == r->writable) {
		q->end += r->size;
		return 0;
	}
	qmem_flush(q);
	*q = (struct qmem){ q->o, q->mask, q->vbits, va, va + r->size, r->user, r->writable, true };
	return 0;
}

static int info_mem(struct dtarget *t, const char *args, struct rsp_buf *o)
{
	struct walk_ctx w;
	struct qmem q = { .o = o };
	int r;

	if (*args)
		return -EINVAL;
	r = dbg_walk_ctx(t, t->cur_cpu, &w);
	if (r)
		return r;
	if (!walk_paging(&w)) {
		rsp_buf_puts(o, "PG disabled\n");
		return 0;
	}
	q.vbits = !(w.efer & X86_EFER_LMA) ? 32 : (w.cr4 & X86_CR4_LA57) ? 57 : 48;
	q.mask = (1ULL << q.vbits) - 1;
	r = pgdump(&w, qmem_range, &q);
	qmem_flush(&q);
	if (r < 0)
		rsp_buf_printf(o, "page tables unreadable: %s\n", strerror(-r));
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
	{ "info registers", "[-a]", "QEMU: the vCPU's (-a: every vCPU's) registers",
	  x86_mon_info_registers },
	{ "info mem", "", "QEMU: the mapped virtual ranges and their permissions", info_mem },
	{ "info lapic", "", "QEMU: the vCPU's local APIC (LVTs, timer, ISR/IRR, TPR)",
	  x86_mon_info_lapic },
	{ "info pic", "", "QEMU: the I/O APIC's redirection table, then the 8259s",
	  x86_mon_info_pic },
	{ "info state", "", "all registers, hidden segment state, gdtr/idtr, debug registers",
	  x86_mon_info_state },
	{ "info mappings", "", "the page-table mappings: virtual, physical, size, permissions",
	  info_mappings },
	{ "info events", "", "pending and injected exception, interrupt, NMI, SMI (KVM's view)",
	  x86_mon_info_events },
	{ "info idt", "", "the interrupt descriptor table, gate by gate", x86_mon_info_idt },
	{ "info gdt", "", "the global descriptor table, decoded", x86_mon_info_gdt },
	{ "info ioapic", "", "the I/O APIC's redirection table (as in QEMU's info pic)",
	  x86_mon_info_ioapic },
	{ "xlate", "VA", "the page walk of one address: every level's entry and flags",
	  x86_mon_xlate },
	{ "cr3", "VALUE|off", "translate virtual addresses through another CR3", cr3 },
};
const int arch_mon_ncmds = (int)ARRAY_SIZE(arch_mon_cmds);
