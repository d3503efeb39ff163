/*
 * monitor_desc.c (x86) -- descriptor tables and one address's page walk,
 * decoded from guest memory: `info idt` (every gate: vector,
 * selector:offset, type, DPL, present, IST), `info gdt` (every
 * descriptor: base, limit, kind, DPL, present, flags) and `xlate VA`
 * (each paging level's entry: where it is, its value, its flags).  The
 * tables are read at the linear addresses GDTR/IDTR hold, through the
 * vCPU's page tables, like the CPU reads them.
 */
#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <string.h>

#include "arch/x86/monitor.h"
#include "debug/dbg.h"
#include "gdb/rsp.h"

static const char *const gate32[16] = {
	"Reserved", "TSS16-avl", "LDT", "TSS16-busy", "CallGate16", "TaskGate", "IntGate16",
	"TrapGate16", "Reserved", "TSS32-avl", "Reserved", "TSS32-busy", "CallGate32",
	"Reserved", "IntGate32", "TrapGate32",
};
static const char *const gate64[16] = {
	"Reserved", "Reserved", "LDT", "Reserved", "Reserved", "Reserved", "Reserved",
	"Reserved", "Reserved", "TSS64-avl", "Reserved", "TSS64-busy", "CallGate64",
	"Reserved", "IntGate64", "TrapGate64",
};

static uint64_t le(const uint8_t *b, int n)
{
	uint64_t v = 0;

	while (n-- > 0)
		v = (v << 8) | b[n];
	return v;
}

/* The table at [base, base + limit] (inclusive, as GDTR/IDTR hold it), read whole. */
static int read_table(struct dtarget *t, uint64_t base, unsigned limit, uint8_t *buf,
		      size_t cap, size_t *len, struct rsp_buf *o)
{
	long n;

	*len = (size_t)limit + 1 > cap ? cap : (size_t)limit + 1;
	n = dbg_read_as(t, t->cur_cpu, base, buf, *len, false);
	if (n < 0) {
		rsp_buf_printf(o, "cannot read the table at %016" PRIx64 ": %s\n", base,
			       strerror((int)-n));
		return 1;
	}
	*len = (size_t)n;
	return 0;
}

int x86_mon_info_idt(struct dtarget *t, const char *args, struct rsp_buf *o)
{
	static uint8_t buf[4096];
	const struct kvm_sregs *s;
	struct dcache *c;
	size_t len, gsz;
	bool lma, pe;
	int r, empty = 0;

	if (*args)
		return -EINVAL;
	r = dbg_load(t, t->cur_cpu, &c);
	if (r)
		return r;
	s = &c->st.sregs;
	pe = s->cr0 & X86_CR0_PE;
	lma = s->efer & X86_EFER_LMA;
	gsz = !pe ? 4 : lma ? 16 : 8;
	rsp_buf_printf(o, "IDT base=%016llx limit=%04x: %s, %zu-byte entries\n",
		       (unsigned long long)s->idt.base, s->idt.limit,
		       !pe ? "real-mode vector table" : lma ? "64-bit gates" : "32-bit gates", gsz);
	if (read_table(t, s->idt.base, s->idt.limit, buf, sizeof(buf), &len, o))
		return 0;
	for (size_t v = 0; v * gsz + gsz <= len && v < 256; v++) {
		const uint8_t *g = buf + v * gsz;
		uint64_t lo = le(g, gsz < 8 ? 4 : 8), off;
		unsigned type = (unsigned)(lo >> 40) & 15, dpl = (unsigned)(lo >> 45) & 3;
		bool p = (lo >> 47) & 1;

		if (!pe) {
			rsp_buf_printf(o, "  0x%02zx: %04x:%04x\n", v, (unsigned)(lo >> 16) & 0xffff,
				       (unsigned)lo & 0xffff);
			continue;
		}
		if (!p && !lo && (gsz == 8 || !le(g + 8, 8))) {
			empty++;
			continue;
		}
		off = (lo & 0xffff) | ((lo >> 32) & 0xffff0000ULL);
		if (lma)
			off |= le(g + 8, 4) << 32;
		rsp_buf_printf(o, lma ? "  0x%02zx: %04x:%016" PRIx64 " %-10s DPL=%u P=%u IST=%u\n" :
			       "  0x%02zx: %04x:%08" PRIx64 " %-10s DPL=%u P=%u\n", v,
			       (unsigned)(lo >> 16) & 0xffff, off, (lma ? gate64 : gate32)[type], dpl,
			       p, (unsigned)(lo >> 32) & 7);
	}
	if (empty)
		rsp_buf_printf(o, "  (%d empty gates not shown)\n", empty);
	if (len < (size_t)s->idt.limit + 1)
		rsp_buf_printf(o, "  (the table ends unreadable at %016llx)\n",
			       (unsigned long long)(s->idt.base + len));
	return 0;
}

int x86_mon_info_gdt(struct dtarget *t, const char *args, struct rsp_buf *o)
{
	static uint8_t buf[65536];
	const struct kvm_sregs *s;
	struct dcache *c;
	size_t len;
	bool lma;
	int r;

	if (*args)
		return -EINVAL;
	r = dbg_load(t, t->cur_cpu, &c);
	if (r)
		return r;
	s = &c->st.sregs;
	lma = s->efer & X86_EFER_LMA;
	rsp_buf_printf(o, "GDT base=%016llx limit=%04x\n", (unsigned long long)s->gdt.base,
		       s->gdt.limit);
	if (read_table(t, s->gdt.base, s->gdt.limit, buf, sizeof(buf), &len, o))
		return 0;
	for (size_t i = 0; i + 8 <= len; i += 8) {
		uint64_t d = le(buf + i, 8), base, limit;
		unsigned type = (unsigned)(d >> 40) & 15, dpl = (unsigned)(d >> 45) & 3;
		bool sbit = (d >> 44) & 1, p = (d >> 47) & 1, g = (d >> 55) & 1;

		rsp_buf_printf(o, "  0x%04zx: %016" PRIx64, i, d);
		if (!d) {
			rsp_buf_puts(o, " null\n");
			continue;
		}
		base = ((d >> 16) & 0xffffff) | ((d >> 32) & 0xff000000ULL);
		limit = (d & 0xffff) | ((d >> 32) & 0xf0000);
		if (g)
			limit = (limit << 12) | 0xfff;
		if (sbit) {
			bool code = type & 8;

			rsp_buf_printf(o, " %s base=%08" PRIx64 " limit=%08" PRIx64 " DPL=%u P=%u "
				       "%s [%c%c%c]\n", code ? "code" : "data", base, limit, dpl, p,
				       code ? ((d >> 53) & 1 ? "L=1" : (d >> 54) & 1 ? "D=1" : "D=0") :
				       ((d >> 54) & 1 ? "B=1" : "B=0"),
				       type & 4 ? (code ? 'C' : 'E') : '-',
				       type & 2 ? (code ? 'R' : 'W') : '-', type & 1 ? 'A' : '-');
			continue;
		}
		/* a system descriptor: 16 bytes in long mode, the upper half is the base's top */
		if (lma && i + 16 <= len) {
			base |= le(buf + i + 8, 4) << 32;
			i += 8;
		}
		rsp_buf_printf(o, " %s base=%0*" PRIx64 " limit=%08" PRIx64 " DPL=%u P=%u\n",
			       (lma ? gate64 : gate32)[type], lma ? 16 : 8, base, limit, dpl, p);
	}
	return 0;
}

static const char *level_name(int level)
{
	static const char *const names[] = { "", "PTE", "PDE", "PDPTE", "PML4E", "PML5E" };

	return level >= 1 && level <= 5 ? names[level] : "?";
}

static void entry_flags(struct rsp_buf *o, uint64_t e, int level, unsigned size)
{
	static const struct { uint64_t bit; const char *name; } f[] = {
		{ 1ULL << 0, "P" }, { 1ULL << 1, "RW" }, { 1ULL << 2, "US" }, { 1ULL << 3, "PWT" },
		{ 1ULL << 4, "PCD" }, { 1ULL << 5, "A" }, { 1ULL << 6, "D" }, { 1ULL << 7, "PS" },
		{ 1ULL << 8, "G" }, { 1ULL << 63, "NX" },
	};

	for (size_t i = 0; i < sizeof(f) / sizeof(f[0]); i++) {
		if (!(e & f[i].bit) || (f[i].bit == X86_PTE_NX && size == 4))
			continue;
		/* bit 7 of a page-table entry is PAT, not a page size */
		rsp_buf_printf(o, " %s", f[i].bit == X86_PTE_PS && level == 1 ? "PAT" : f[i].name);
	}
	rsp_buf_puts(o, "\n");
}

int x86_mon_xlate(struct dtarget *t, const char *args, struct rsp_buf *o)
{
	struct walk_ctx w;
	struct walk_result res;
	struct walk_trace tr;
	uint64_t va;
	const char *mode;
	int r;

	if (mon_parse_addr(args, &va))
		return -EINVAL;
	r = dbg_walk_ctx(t, t->cur_cpu, &w);
	if (r)
		return r;
	mode = !walk_paging(&w) ? "paging off" : !(w.cr4 & X86_CR4_PAE) ? "32-bit paging" :
	       !(w.efer & X86_EFER_LMA) ? "PAE paging" :
	       (w.cr4 & X86_CR4_LA57) ? "5-level paging" : "4-level paging";
	rsp_buf_printf(o, "xlate %016" PRIx64 ": %s, cr3=%016" PRIx64 "%s\n", va, mode, w.cr3,
		       t->root_set ? " (monitor cr3)" : "");
	r = walk_translate_trace(&w, va, &res, &tr);
	for (int i = 0; i < tr.n; i++) {
		const struct walk_step *s = &tr.step[i];

		rsp_buf_printf(o, "  %-5s[%3u] at %016" PRIx64 ": %0*" PRIx64, level_name(s->level),
			       s->index, s->gpa, (int)s->size * 2, s->entry);
		entry_flags(o, s->entry, s->level, s->size);
	}
	if (r == -EFAULT)
		rsp_buf_printf(o, "  not mapped: %s\n", tr.n && !(tr.step[tr.n - 1].entry & X86_PTE_P) ?
			       "that entry is not present" : "a table is not in RAM");
	else if (r)
		rsp_buf_puts(o, "  no translation: reserved bits set, or the address is not canonical\n");
	else
		rsp_buf_printf(o, "  gpa %016" PRIx64 " (%" PRIu64 " KiB page, %s, %s, %s)\n", res.gpa,
			       res.page_size >> 10, res.writable ? "writable" : "read-only",
			       res.user ? "user" : "supervisor", res.nx ? "no-execute" : "executable");
	return 0;
}
