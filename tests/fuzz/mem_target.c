/*
 * mem_target.c -- the fuzzers' in-memory machine (see mem_target.h).
 * Memory goes through the real page walker and registers through the real
 * GDB register layout, so the fuzzer drives that code with whatever page
 * tables and control registers the debugger writes.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "gdb/ax.h"
#include "gdb/rsp.h"
#include "mem_target.h"
#include "arch/x86/walk.h"

/* A broken contract between the session and its target: make it a crash. */
#define MT_ASSERT(cond)							\
	do {								\
		if (!(cond)) {						\
			fprintf(stderr, "mem_target: %s:%d: %s\n", __FILE__, \
				__LINE__, #cond);			\
			abort();					\
		}							\
	} while (0)

static struct mem_target *M(void *t)
{
	return t;
}

/* Every op but ncpus/target_xml/stop/resume: the machine must be stopped. */
static void check_stopped(const struct mem_target *m)
{
	MT_ASSERT(!m->running);
	MT_ASSERT(m->kills == 0);
}

static void check_cpu(const struct mem_target *m, int cpu)
{
	MT_ASSERT(cpu >= 0 && cpu < m->ncpus);
}

/* ---- physical memory ---- */

static bool phys_ok(uint64_t gpa)
{
	return gpa < MT_RAM_SIZE && !(gpa >= MT_HOLE && gpa < MT_HOLE + 0x1000);
}

/* Bytes backed from gpa on (at most len), stopping at the first fault. */
static size_t phys_span(uint64_t gpa, size_t len)
{
	size_t n = 0;

	while (n < len && gpa + n >= gpa && phys_ok(gpa + n))
		n++;
	return n;
}

/* The page walker's reader: the raw RAM, int3 bytes and all, as KVM's. */
static int walk_read(void *opaque, uint64_t gpa, void *buf, size_t len)
{
	struct mem_target *m = opaque;

	if (phys_span(gpa, len) != len)
		return -EFAULT;
	memcpy(buf, m->ram + gpa, len);
	return 0;
}

/* Debugger access to [gpa, gpa + len) of RAM (all backed): int3 bytes hidden. */
static void phys_rw(struct mem_target *m, uint64_t gpa, uint8_t *buf, size_t len, bool write)
{
	if (write) {
		memcpy(m->ram + gpa, buf, len);
		memcpy(m->mirror + gpa, buf, len);
	} else {
		memcpy(buf, m->ram + gpa, len);
	}
	for (int i = 0; i < m->nsw; i++) {
		uint64_t a = m->sw[i].gpa;

		if (a < gpa || a - gpa >= len)
			continue;
		if (write) {
			m->sw[i].orig = buf[a - gpa];
			m->ram[a] = 0xcc;
		} else {
			buf[a - gpa] = m->sw[i].orig;
		}
	}
}

static void walk_ctx_of(struct mem_target *m, int cpu, struct walk_ctx *w)
{
	const struct x86_gdb_state *c = &m->cpu[cpu];

	memset(w, 0, sizeof(*w));
	w->cr0 = c->cr0;
	w->cr3 = m->cr3_set ? m->cr3 : c->cr3;
	w->cr4 = c->cr4;
	w->efer = c->efer;
	w->read_phys = walk_read;
	w->opaque = m;
	if (m->cr3_set)
		w->cr0 |= X86_CR0_PG;
}

struct xfer {
	struct mem_target *m;
	uint8_t *buf;
	bool write;
	size_t done;		/* a chunk cut short by a fault included */
};

static int xfer_chunk(void *opaque, uint64_t off, uint64_t gpa, size_t len)
{
	struct xfer *x = opaque;
	size_t n = phys_span(gpa, len);

	if (n)
		phys_rw(x->m, gpa, x->buf + off, n, x->write);
	x->done = off + n;
	return n == len ? 0 : -EFAULT;
}

static long xfer(struct mem_target *m, int cpu, uint64_t addr, uint8_t *buf, size_t len,
		 bool write)
{
	struct xfer x = { m, buf, write, 0 };
	struct walk_ctx w;
	size_t done = 0;
	int r;

	check_stopped(m);
	check_cpu(m, cpu);
	/* The session's buffers are one packet: it must never ask for more. */
	MT_ASSERT(len <= RSP_PACKET_SIZE);
	if (!len)
		return 0;
	if (m->phys) {
		size_t n = phys_span(addr, len);

		if (!n)
			return -EFAULT;
		phys_rw(m, addr, buf, n, write);
		return (long)n;
	}
	walk_ctx_of(m, cpu, &w);
	r = walk_range(&w, addr, len, xfer_chunk, &x, &done);
	MT_ASSERT(done <= len && x.done <= len);
	/* as the hypervisor: the bytes of a chunk before the fault count too */
	if (x.done > done)
		done = x.done;
	if (done)
		return (long)done;
	return r ? r : -EFAULT;
}

static int translate(struct mem_target *m, uint64_t va, uint64_t *gpa)
{
	struct walk_ctx w;
	struct walk_result res;
	int r;

	if (m->phys) {
		*gpa = va;
		return 0;
	}
	walk_ctx_of(m, 0, &w);
	r = walk_translate(&w, va, &res);
	if (!r)
		*gpa = res.gpa;
	return r;
}

/* ---- ops ---- */

static int t_ncpus(void *t)
{
	return M(t)->ncpus;
}

static const char *t_target_xml(void *t, size_t *len)
{
	return x86_gdb_target_xml(false, len);
}

static int t_read_regs(void *t, int cpu, uint8_t *buf, size_t cap)
{
	check_stopped(M(t));
	check_cpu(M(t), cpu);
	return x86_gdb_regs_to_g(&M(t)->cpu[cpu], buf, cap);
}

static int t_write_regs(void *t, int cpu, const uint8_t *buf, size_t len)
{
	check_stopped(M(t));
	check_cpu(M(t), cpu);
	return x86_gdb_regs_from_g(&M(t)->cpu[cpu], buf, len);
}

static int t_read_reg(void *t, int cpu, int regno, uint8_t *buf, size_t cap)
{
	check_stopped(M(t));
	check_cpu(M(t), cpu);
	if (regno < 0 || regno >= x86_gdb_nregs(false))
		return -ENOENT;
	return x86_gdb_reg_get(&M(t)->cpu[cpu], (unsigned)regno, buf, cap);
}

static int t_write_reg(void *t, int cpu, int regno, const uint8_t *buf, size_t len)
{
	check_stopped(M(t));
	check_cpu(M(t), cpu);
	if (regno < 0 || regno >= x86_gdb_nregs(false))
		return -ENOENT;
	return x86_gdb_reg_set(&M(t)->cpu[cpu], (unsigned)regno, buf, len);
}

static long t_read_mem(void *t, int cpu, uint64_t addr, uint8_t *buf, size_t len)
{
	return xfer(M(t), cpu, addr, buf, len, false);
}

static long t_write_mem(void *t, int cpu, uint64_t addr, const uint8_t *buf, size_t len)
{
	return xfer(M(t), cpu, addr, (uint8_t *)buf, len, true);
}

static int t_resume(void *t, const enum gdb_resume *actions)
{
	struct mem_target *m = t;

	check_stopped(m);
	m->resumes++;
	for (int i = 0; i < m->ncpus; i++) {
		MT_ASSERT(actions[i] >= GDB_STAY && actions[i] <= GDB_RANGE);
		/* set_range() comes just before a resume that range-steps */
		if (actions[i] == GDB_RANGE)
			MT_ASSERT(m->range_start[i] < m->range_end[i]);
		m->actions[i] = actions[i];
	}
	memset(m->range_start, 0, sizeof(m->range_start));
	memset(m->range_end, 0, sizeof(m->range_end));
	m->running = true;
	return 0;
}

static int t_set_range(void *t, int cpu, uint64_t start, uint64_t end)
{
	struct mem_target *m = t;

	check_stopped(m);
	if (cpu < 0 || cpu >= m->ncpus || start >= end)
		return -EINVAL;
	m->range_start[cpu] = start;
	m->range_end[cpu] = end;
	return 0;
}

static int t_stop(void *t)
{
	struct mem_target *m = t;

	MT_ASSERT(m->kills == 0);
	m->stops++;
	if (!m->stop_pending) {
		memset(&m->stop, 0, sizeof(m->stop));
		m->stop.kind = GDB_STOP_INTERRUPT;
	}
	m->stop_pending = true;
	if (m->stop_sync)
		mt_complete_stop(m);
	return 0;
}

static int t_stop_info(void *t, struct gdb_stop *out)
{
	*out = M(t)->stop;
	return 0;
}

static int sw_break(struct mem_target *m, bool insert, uint64_t va)
{
	uint64_t gpa;
	int i, r;

	for (i = 0; i < m->nsw && m->sw[i].va != va; i++)
		;
	if (!insert) {
		if (i == m->nsw)
			return -ENOENT;
		gpa = m->sw[i].gpa;
		uint8_t orig = m->sw[i].orig;

		m->sw[i] = m->sw[--m->nsw];
		for (i = 0; i < m->nsw; i++)
			if (m->sw[i].gpa == gpa)
				return 0;	/* another address maps there: keep the int3 */
		m->ram[gpa] = orig;
		return 0;
	}
	if (i < m->nsw)
		return 0;
	if (m->nsw == MT_MAX_SWBP)
		return -ENOSPC;
	r = translate(m, va, &gpa);
	if (r)
		return r;
	if (!phys_ok(gpa))
		return -EFAULT;
	m->sw[m->nsw].va = va;
	m->sw[m->nsw].gpa = gpa;
	m->sw[m->nsw].orig = m->ram[gpa];
	for (i = 0; i < m->nsw; i++)
		if (m->sw[i].gpa == gpa)
			m->sw[m->nsw].orig = m->sw[i].orig;
	m->nsw++;
	m->ram[gpa] = 0xcc;
	return 0;
}

static int hw_break(struct mem_target *m, bool insert, uint64_t va)
{
	int i, free_i = -1;

	for (i = 0; i < MT_HW_SLOTS; i++) {
		if (m->hw_used[i] && m->hw[i] == va)
			break;
		if (!m->hw_used[i] && free_i < 0)
			free_i = i;
	}
	if (!insert) {
		if (i == MT_HW_SLOTS)
			return -ENOENT;
		m->hw_used[i] = false;
		return 0;
	}
	if (i < MT_HW_SLOTS)
		return 0;
	if (free_i < 0)
		return -ENOSPC;
	m->hw_used[free_i] = true;
	m->hw[free_i] = va;
	return 0;
}

static int count_chunk(void *opaque, uint64_t off, uint64_t gpa, size_t len)
{
	int *n = opaque;

	if (phys_span(gpa, len) != len)
		return -EFAULT;
	return ++*n > 8 ? -E2BIG : 0;
}

static int watchpoint(struct mem_target *m, bool insert, enum gdb_bp_type type, uint64_t va,
		      uint64_t len)
{
	struct walk_ctx w;
	size_t done;
	int i, n = 0, r;

	for (i = 0; i < m->nwatch; i++)
		if (m->watch[i].type == type && m->watch[i].va == va && m->watch[i].len == len)
			break;
	if (!insert) {
		if (i == m->nwatch)
			return -ENOENT;
		m->watch[i] = m->watch[--m->nwatch];
		return 0;
	}
	if (!len || len > 4 * 4096)
		return -EINVAL;
	if (i < m->nwatch)
		return 0;
	if (m->nwatch == MT_MAX_WATCH)
		return -ENOSPC;
	if (m->phys) {
		if (phys_span(va, (size_t)len) != len)
			return -EFAULT;
	} else {
		walk_ctx_of(m, 0, &w);
		r = walk_range(&w, va, (size_t)len, count_chunk, &n, &done);
		if (r)
			return r;
	}
	m->watch[m->nwatch].type = type;
	m->watch[m->nwatch].va = va;
	m->watch[m->nwatch].len = len;
	m->nwatch++;
	return 0;
}

static int t_breakpoint(void *t, bool insert, enum gdb_bp_type type, uint64_t addr,
			uint64_t kind)
{
	struct mem_target *m = t;

	check_stopped(m);
	switch (type) {
	case GDB_BP_SW:
		return sw_break(m, insert, addr);
	case GDB_BP_HW:
		return hw_break(m, insert, addr);
	case GDB_WP_WRITE:
	case GDB_WP_READ:
	case GDB_WP_ACCESS:
		return watchpoint(m, insert, type, addr, kind);
	}
	abort();	/* the parser lets through types 0-4 only */
}

/* Conditions and commands: every expression was checked by the session; taken and freed. */
static int t_bp_opts(void *t, enum gdb_bp_type type, uint64_t addr, uint64_t kind,
		     struct ax_bp_opts *o)
{
	struct mem_target *m = t;

	check_stopped(m);
	for (unsigned i = 0; i < o->nconds; i++)
		if (ax_check(o->conds[i].code, o->conds[i].len, NULL))
			abort();	/* the session must not pass on what ax_check refuses */
	for (unsigned i = 0; i < o->ncmds; i++)
		if (ax_check(o->cmds[i].code, o->cmds[i].len, NULL))
			abort();
	ax_bp_opts_free(o);
	return 0;
}

static void remove_all(struct mem_target *m)
{
	while (m->nsw)
		sw_break(m, false, m->sw[0].va);
	m->nwatch = 0;
	memset(m->hw_used, 0, sizeof(m->hw_used));
}

static void t_detach(void *t)
{
	struct mem_target *m = t;

	MT_ASSERT(m->kills == 0);
	m->detaches++;
	remove_all(m);
	m->phys = false;
	m->cr3_set = false;
	m->stop_pending = false;
	m->running = true;
}

static void t_kill(void *t)
{
	struct mem_target *m = t;

	MT_ASSERT(m->kills == 0);
	remove_all(m);
	m->kills++;
}

static int on_off(const char *arg, bool *out)
{
	if (!strcmp(arg, "on"))
		*out = true;
	else if (!strcmp(arg, "off"))
		*out = false;
	else
		return -EINVAL;
	return 0;
}

static int t_monitor(void *t, const char *cmd, struct rsp_buf *out)
{
	struct mem_target *m = t;
	uint64_t v;
	bool b;

	check_stopped(m);
	MT_ASSERT(strlen(cmd) < 4096);
	if (!strcmp(cmd, "help"))
		return rsp_buf_puts(out, "  phys on|off  cr3 VALUE|off  status\n");
	if (!strcmp(cmd, "status"))
		return rsp_buf_printf(out, "%d vCPUs, %d breakpoints, %d watchpoints, %s\n",
				      m->ncpus, m->nsw, m->nwatch, m->phys ? "phys" : "virt");
	if (!strncmp(cmd, "phys ", 5)) {
		if (on_off(cmd + 5, &b))
			return -EINVAL;
		m->phys = b;
		return rsp_buf_printf(out, "phys %s\n", b ? "on" : "off");
	}
	if (!strcmp(cmd, "cr3 off")) {
		m->cr3_set = false;
		return 0;
	}
	if (!strncmp(cmd, "cr3 ", 4)) {
		if (rsp_parse_hex_u64(cmd + 4, strlen(cmd + 4), &v))
			return -EINVAL;
		m->cr3_set = true;
		m->cr3 = v;
		return rsp_buf_printf(out, "cr3=%llx\n", (unsigned long long)v);
	}
	return -ENOENT;
}

static int t_phys_mode(void *t, int set)
{
	struct mem_target *m = t;

	check_stopped(m);
	MT_ASSERT(set >= -1 && set <= 1);
	if (set >= 0)
		m->phys = set;
	return m->phys;
}

static int t_thread_extra(void *t, int cpu, char *buf, size_t cap)
{
	struct mem_target *m = t;
	const struct x86_gdb_state *c;

	check_stopped(m);
	check_cpu(m, cpu);
	c = &m->cpu[cpu];
	return snprintf(buf, cap, "%s", !(c->cr0 & 1) ? "real mode" :
			(c->efer & X86_EFER_LMA) ? "long mode" : "protected mode");
}

const struct gdb_target_ops mem_target_ops = {
	.ncpus = t_ncpus,
	.target_xml = t_target_xml,
	.read_regs = t_read_regs,
	.write_regs = t_write_regs,
	.read_reg = t_read_reg,
	.write_reg = t_write_reg,
	.read_mem = t_read_mem,
	.write_mem = t_write_mem,
	.phys_mode = t_phys_mode,
	.resume = t_resume,
	.set_range = t_set_range,
	.stop = t_stop,
	.stop_info = t_stop_info,
	.breakpoint = t_breakpoint,
	.bp_opts = t_bp_opts,
	.detach = t_detach,
	.kill = t_kill,
	.monitor = t_monitor,
	.thread_extra = t_thread_extra,
};

/* ---- set-up ---- */

static void put64(uint8_t *p, uint64_t v)
{
	for (int i = 0; i < 8; i++)
		p[i] = (uint8_t)(v >> (8 * i));
}

/* The template RAM: page tables, a code pattern, the rest a counter. */
static void build_ram(uint8_t *ram)
{
	const uint64_t pdpt = MT_PML4 + 0x1000, pd = pdpt + 0x1000, pt = pd + 0x1000;
	const uint64_t hi_pdpt = pt + 0x1000, hi_pd = hi_pdpt + 0x1000;
	const uint64_t rw = X86_PTE_P | X86_PTE_RW;

	for (unsigned i = 0; i < MT_RAM_SIZE; i++)
		ram[i] = (uint8_t)(i * 7 + (i >> 8));
	memset(ram + MT_PML4, 0, 6 * 0x1000);
	put64(ram + MT_PML4, pdpt | rw);
	put64(ram + pdpt, pd | rw);
	put64(ram + pd, pt | rw);
	for (uint64_t a = 0; a < MT_RAM_SIZE; a += 0x1000)
		put64(ram + pt + (a >> 12) * 8, a | rw);
	/* 0xffffffff80000000: PML4[511] -> PDPT[510] -> one 2 MiB page at PA 0 */
	put64(ram + MT_PML4 + 511 * 8, hi_pdpt | rw);
	put64(ram + hi_pdpt + 510 * 8, hi_pd | rw);
	put64(ram + hi_pd, 0 | rw | X86_PTE_PS);
	/* "code": nops and a jump back, for breakpoints to land on */
	memset(ram + MT_CODE, 0x90, 0x100);
	ram[MT_CODE + 0xfe] = 0xeb;
	ram[MT_CODE + 0xff] = 0x00;
}

static void init_cpu(struct x86_gdb_state *c, int i)
{
	memset(c, 0, sizeof(*c));
	c->rip = MT_CODE;
	c->rsp = 0x20000;
	c->rflags = 2;
	c->fctrl = 0x37f;
	c->ftag = 0xffff;
	c->mxcsr = 0x1f80;
	c->rax = 0x1111 * (uint64_t)(i + 1);
	switch (i) {
	case 1:		/* flat 32-bit protected mode */
		c->cr0 = 0x11;
		c->cs = 0x08;
		c->ds = c->ss = c->es = 0x10;
		break;
	case 2:		/* real mode */
		c->cr0 = 0x10;
		c->rip = 0x7c00;
		break;
	default:	/* long mode, 4-level paging */
		c->cr0 = 0x80000011;
		c->cr3 = MT_PML4;
		c->cr4 = X86_CR4_PAE;
		c->efer = X86_EFER_LME | X86_EFER_LMA | X86_EFER_NXE;
		c->cs = 0x08;
		c->ds = c->ss = 0x10;
		break;
	}
}

int mt_init(struct mem_target *m, int ncpus, bool stop_sync)
{
	static uint8_t *template;
	uint8_t *ram = m->ram, *mirror = m->mirror;

	if (!template) {
		template = malloc(MT_RAM_SIZE);
		if (!template)
			return -ENOMEM;
		build_ram(template);
	}
	if (!ram)
		ram = malloc(MT_RAM_SIZE);
	if (!mirror)
		mirror = malloc(MT_RAM_SIZE);
	if (!ram || !mirror) {
		free(ram);
		free(mirror);
		return -ENOMEM;
	}
	memset(m, 0, sizeof(*m));
	m->ram = ram;
	m->mirror = mirror;
	memcpy(m->ram, template, MT_RAM_SIZE);
	memcpy(m->mirror, template, MT_RAM_SIZE);
	if (ncpus < 1)
		ncpus = 1;
	if (ncpus > MT_MAX_CPUS)
		ncpus = MT_MAX_CPUS;
	m->ncpus = ncpus;
	for (int i = 0; i < ncpus; i++)
		init_cpu(&m->cpu[i], i);
	m->stop_sync = stop_sync;
	m->running = true;
	return 0;
}

void mt_free(struct mem_target *m)
{
	free(m->ram);
	free(m->mirror);
	m->ram = m->mirror = NULL;
}

void mt_complete_stop(struct mem_target *m)
{
	m->stop_pending = false;
	m->running = false;
	if (m->notify)
		m->notify(m->notify_arg);
}

void mt_hit(struct mem_target *m, enum gdb_stop_kind kind, int cpu, uint64_t addr, int code)
{
	memset(&m->stop, 0, sizeof(m->stop));
	m->stop.kind = kind;
	m->stop.cpu = cpu;
	m->stop.addr = addr;
	m->stop.code = code;
	m->stop_pending = false;
	m->running = false;
	if (m->notify)
		m->notify(m->notify_arg);
}

void mt_check_clean(const struct mem_target *m)
{
	MT_ASSERT(m->nsw == 0);
	MT_ASSERT(m->nwatch == 0);
	/* not one int3 byte (nor any other change) the debugger cannot see */
	MT_ASSERT(memcmp(m->ram, m->mirror, MT_RAM_SIZE) == 0);
}
