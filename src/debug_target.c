/*
 * debug_target.c -- the gdb_target_ops of the real machine (see target.h).
 *
 * Runs on the event thread.  Register state is fetched from KVM once per stop
 * per vCPU, served from the cache, and written back (only if changed) just
 * before the vCPUs are released.
 */
#include <errno.h>
#include <linux/kvm.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>

#include "breakpoint.h"
#include "cpuid.h"
#include "debug_target.h"
#include "event.h"
#include "gaccess.h"
#include "gdb/rsp.h"
#include "gdb/server.h"
#include "gdb_regs.h"
#include "util.h"
#include "vcpu.h"
#include "vm.h"
#include "walk.h"
#include "watch.h"

struct cache {
	bool valid, dirty;
	struct vcpu_state st;
	uint8_t ymmh[16][16];
};

#define HW_SLOTS	4
#define MAX_SWBP	4096

struct swbp_map {
	uint64_t va, gpa;
};

struct dtarget {
	struct vm *vm;
	uint64_t hw_addr[HW_SLOTS];
	bool hw_used[HW_SLOTS];
	struct swbp_map *sw;		/* where each Z0 address went */
	int nsw;
	bool has_avx;
	bool step_irq;			/* let interrupts in during single steps */
	int last_cpu;			/* the vCPU the debugger last resumed */
	struct cache cache[VM_MAX_CPUS];
};

static struct dtarget *T(void *t)
{
	return t;
}

static int load(struct dtarget *t, int cpu, struct cache **out)
{
	struct cache *c;
	int r;

	if (cpu < 0 || cpu >= t->vm->ncpus)
		return -EINVAL;
	c = &t->cache[cpu];
	if (!c->valid) {
		r = vcpu_get_state(t->vm->vcpus[cpu], &c->st);
		if (r)
			return r;
		memset(c->ymmh, 0, sizeof(c->ymmh));
		if (t->has_avx) {
			struct kvm_xsave xs;

			/* the AVX state lives at byte 576 of the standard XSAVE layout */
			if (ioctl(t->vm->vcpus[cpu]->fd, KVM_GET_XSAVE, &xs) == 0)
				memcpy(c->ymmh, (uint8_t *)xs.region + 576, sizeof(c->ymmh));
		}
		c->valid = true;
		c->dirty = false;
	}
	*out = c;
	return 0;
}

static void to_gdb(const struct dtarget *t, const struct cache *c, struct x86_gdb_state *g)
{
	const struct kvm_regs *r = &c->st.regs;
	const struct kvm_sregs *s = &c->st.sregs;
	const struct kvm_fpu *f = &c->st.fpu;

	memset(g, 0, sizeof(*g));
	g->rax = r->rax; g->rbx = r->rbx; g->rcx = r->rcx; g->rdx = r->rdx;
	g->rsi = r->rsi; g->rdi = r->rdi; g->rbp = r->rbp; g->rsp = r->rsp;
	g->r8 = r->r8; g->r9 = r->r9; g->r10 = r->r10; g->r11 = r->r11;
	g->r12 = r->r12; g->r13 = r->r13; g->r14 = r->r14; g->r15 = r->r15;
	g->rip = r->rip;
	g->rflags = r->rflags;
	g->cs = s->cs.selector; g->ss = s->ss.selector; g->ds = s->ds.selector;
	g->es = s->es.selector; g->fs = s->fs.selector; g->gs = s->gs.selector;
	g->fs_base = s->fs.base;
	g->gs_base = s->gs.base;
	g->k_gs_base = c->st.kernel_gs_base;
	g->cr0 = s->cr0; g->cr2 = s->cr2; g->cr3 = s->cr3; g->cr4 = s->cr4;
	g->cr8 = s->cr8; g->efer = s->efer;
	for (int i = 0; i < 8; i++)
		memcpy(g->st[i], f->fpr[i], 10);
	g->fctrl = f->fcw;
	g->fstat = f->fsw;
	g->ftag = x86_fpu_tag_full(f->ftwx, f->fsw, g->st);
	g->fioff = (uint32_t)f->last_ip;
	g->fooff = (uint32_t)f->last_dp;
	g->fop = f->last_opcode;
	memcpy(g->xmm, f->xmm, sizeof(g->xmm));
	g->mxcsr = f->mxcsr;
	memcpy(g->ymmh, c->ymmh, sizeof(g->ymmh));
	g->has_avx = t->has_avx;
}

static void from_gdb(struct cache *c, const struct x86_gdb_state *g)
{
	struct kvm_regs *r = &c->st.regs;
	struct kvm_sregs *s = &c->st.sregs;
	struct kvm_fpu *f = &c->st.fpu;

	r->rax = g->rax; r->rbx = g->rbx; r->rcx = g->rcx; r->rdx = g->rdx;
	r->rsi = g->rsi; r->rdi = g->rdi; r->rbp = g->rbp; r->rsp = g->rsp;
	r->r8 = g->r8; r->r9 = g->r9; r->r10 = g->r10; r->r11 = g->r11;
	r->r12 = g->r12; r->r13 = g->r13; r->r14 = g->r14; r->r15 = g->r15;
	r->rip = g->rip;
	r->rflags = g->rflags | 2;	/* bit 1 is always set */
	s->cs.selector = g->cs; s->ss.selector = g->ss; s->ds.selector = g->ds;
	s->es.selector = g->es; s->fs.selector = g->fs; s->gs.selector = g->gs;
	s->fs.base = g->fs_base;
	s->gs.base = g->gs_base;
	c->st.kernel_gs_base = g->k_gs_base;
	s->cr0 = g->cr0; s->cr2 = g->cr2; s->cr3 = g->cr3; s->cr4 = g->cr4;
	s->cr8 = g->cr8; s->efer = g->efer;
	for (int i = 0; i < 8; i++)
		memcpy(f->fpr[i], g->st[i], 10);
	f->fcw = (uint16_t)g->fctrl;
	f->fsw = (uint16_t)g->fstat;
	f->ftwx = x86_fpu_tag_abridged((uint16_t)g->ftag);
	f->last_ip = g->fioff;
	f->last_dp = g->fooff;
	f->last_opcode = (uint16_t)g->fop;
	memcpy(f->xmm, g->xmm, sizeof(f->xmm));
	f->mxcsr = g->mxcsr;
	memcpy(c->ymmh, g->ymmh, sizeof(c->ymmh));
}

/* Write back what the debugger changed, forget every snapshot. */
static int flush(struct dtarget *t)
{
	int ret = 0;

	for (int i = 0; i < t->vm->ncpus; i++) {
		struct cache *c = &t->cache[i];

		if (c->valid && c->dirty) {
			int r = vcpu_set_state(t->vm->vcpus[i], &c->st);

			if (r) {
				log_err("debug server: cannot write vCPU %d registers: %s", i,
					strerror(-r));
				ret = r;
			}
			if (t->has_avx) {
				struct kvm_xsave xs;
				int fd = t->vm->vcpus[i]->fd;

				if (ioctl(fd, KVM_GET_XSAVE, &xs) == 0) {
					memcpy((uint8_t *)xs.region + 576, c->ymmh, sizeof(c->ymmh));
					ioctl(fd, KVM_SET_XSAVE, &xs);
				}
			}
		}
		c->valid = c->dirty = false;
	}
	return ret;
}

static int t_ncpus(void *t)
{
	return T(t)->vm->ncpus;
}

static const char *t_target_xml(void *t, size_t *len)
{
	return x86_gdb_target_xml(T(t)->has_avx, len);
}

static int t_read_regs(void *tp, int cpu, uint8_t *buf, size_t cap)
{
	struct dtarget *t = tp;
	struct x86_gdb_state g;
	struct cache *c;
	int r = load(t, cpu, &c);

	if (r)
		return r;
	to_gdb(t, c, &g);
	return x86_gdb_regs_to_g(&g, buf, cap);
}

static int t_write_regs(void *tp, int cpu, const uint8_t *buf, size_t len)
{
	struct dtarget *t = tp;
	struct x86_gdb_state g;
	struct cache *c;
	int r = load(t, cpu, &c);

	if (r)
		return r;
	to_gdb(t, c, &g);
	r = x86_gdb_regs_from_g(&g, buf, len);
	if (r)
		return r;
	from_gdb(c, &g);
	c->dirty = true;
	return 0;
}

static int t_read_reg(void *tp, int cpu, int regno, uint8_t *buf, size_t cap)
{
	struct dtarget *t = tp;
	struct x86_gdb_state g;
	struct cache *c;
	int r;

	if (regno < 0 || regno >= x86_gdb_nregs(t->has_avx))
		return -ENOENT;
	r = load(t, cpu, &c);
	if (r)
		return r;
	to_gdb(t, c, &g);
	return x86_gdb_reg_get(&g, (unsigned)regno, buf, cap);
}

static int t_write_reg(void *tp, int cpu, int regno, const uint8_t *buf, size_t len)
{
	struct dtarget *t = tp;
	struct x86_gdb_state g;
	struct cache *c;
	int r;

	if (regno < 0 || regno >= x86_gdb_nregs(t->has_avx))
		return -ENOENT;
	r = load(t, cpu, &c);
	if (r)
		return r;
	to_gdb(t, c, &g);
	r = x86_gdb_reg_set(&g, (unsigned)regno, buf, len);
	if (r)
		return r;
	from_gdb(c, &g);
	c->dirty = true;
	return 0;
}

/* ---- memory ---- */

struct xfer {
	struct vm *vm;
	uint8_t *buf;
	bool write;
};

static int read_phys(void *opaque, uint64_t gpa, void *buf, size_t len)
{
	return gmem_read(opaque, gpa, buf, len);
}

static int xfer_chunk(void *opaque, uint64_t off, uint64_t gpa, size_t len)
{
	struct xfer *x = opaque;
	long n = gaccess_phys(x->vm, gpa, x->buf + off, len, x->write);

	if (n <= 0)
		return -EFAULT;
	/* our int3 bytes are invisible to the debugger */
	if (x->write)
		bp_sw_write_through(&x->vm->mem, gpa, x->buf + off, (size_t)n);
	else
		bp_sw_shadow(gpa, x->buf + off, (size_t)n);
	return n == (long)len ? 0 : -EFAULT;
}

/* Bytes done, or -errno if none.  Stops at the first unmapped or unbacked byte. */
static long xfer(struct dtarget *t, int cpu, uint64_t addr, uint8_t *buf, size_t len,
		 bool write)
{
	struct xfer x = { t->vm, buf, write };
	struct walk_ctx w;
	struct cache *c;
	size_t done = 0;
	int r;

	if (!len)
		return 0;
	r = load(t, cpu, &c);
	if (r)
		return r;
	memset(&w, 0, sizeof(w));
	w.cr0 = c->st.sregs.cr0;
	w.cr3 = c->st.sregs.cr3;
	w.cr4 = c->st.sregs.cr4;
	w.efer = c->st.sregs.efer;
	w.read_phys = read_phys;
	w.opaque = &t->vm->mem;
	r = walk_range(&w, addr, len, xfer_chunk, &x, &done);
	if (done)
		return (long)done;
	return r ? r : -EFAULT;
}

static long t_read_mem(void *t, int cpu, uint64_t addr, uint8_t *buf, size_t len)
{
	return xfer(T(t), cpu, addr, buf, len, false);
}

static long t_write_mem(void *t, int cpu, uint64_t addr, const uint8_t *buf, size_t len)
{
	return xfer(T(t), cpu, addr, (uint8_t *)buf, len, true);
}

/* ---- run control ---- */

static void stopped_on_event_thread(void *opaque)
{
	gdb_server_stopped();
}

/* Called by the vCPU layer when every vCPU is parked (any thread). */
static void all_parked(void *opaque)
{
	event_call(stopped_on_event_thread, opaque);
}

/* Hand the breakpoint settings to every vCPU (attached: int3 traps to us). */
static void apply_debug(struct dtarget *t, bool attached)
{
	struct kvm_guest_debug dbg;

	memset(&dbg, 0, sizeof(dbg));
	if (attached)
		dbg.control = KVM_GUESTDBG_ENABLE | KVM_GUESTDBG_USE_SW_BP;
	for (int i = 0; i < HW_SLOTS; i++) {
		if (!t->hw_used[i])
			continue;
		dbg.control |= KVM_GUESTDBG_ENABLE | KVM_GUESTDBG_USE_HW_BP;
		dbg.arch.debugreg[i] = t->hw_addr[i];
		/* Li enable, R/W=00 (execute), LEN=00; bit 10 is reserved-one, GE */
		dbg.arch.debugreg[7] |= (1ULL << (i * 2)) | (1ULL << 9) | (1ULL << 10);
	}
	vcpu_set_debug(t->vm, &dbg);
}

static int translate(struct dtarget *t, int cpu, uint64_t va, uint64_t *gpa)
{
	struct walk_ctx w;
	struct walk_result res;
	struct cache *c;
	int r = load(t, cpu, &c);

	if (r)
		return r;
	memset(&w, 0, sizeof(w));
	w.cr0 = c->st.sregs.cr0;
	w.cr3 = c->st.sregs.cr3;
	w.cr4 = c->st.sregs.cr4;
	w.efer = c->st.sregs.efer;
	w.read_phys = read_phys;
	w.opaque = &t->vm->mem;
	r = walk_translate(&w, va, &res);
	if (!r)
		*gpa = res.gpa;
	return r;
}

static int sw_break(struct dtarget *t, bool insert, uint64_t va)
{
	uint64_t gpa;
	int i, r;

	for (i = 0; i < t->nsw && t->sw[i].va != va; i++)
		;
	if (!insert) {
		if (i == t->nsw)
			return -ENOENT;
		r = bp_sw_remove(&t->vm->mem, t->sw[i].gpa);
		t->sw[i] = t->sw[--t->nsw];
		return r;
	}
	if (i < t->nsw)
		return 0;		/* already there: Z0 is idempotent */
	if (t->nsw == MAX_SWBP)
		return -ENOSPC;
	r = translate(t, t->last_cpu, va, &gpa);
	if (r)
		return r;
	r = bp_sw_insert(&t->vm->mem, gpa);
	if (r)
		return r;
	t->sw[t->nsw++] = (struct swbp_map){ va, gpa };
	return 0;
}

static int hw_break(struct dtarget *t, bool insert, uint64_t va)
{
	int i;

	for (i = 0; i < HW_SLOTS; i++)
		if (t->hw_used[i] && t->hw_addr[i] == va)
			break;
	if (!insert) {
		if (i == HW_SLOTS)
			return -ENOENT;
		t->hw_used[i] = false;
		return 0;
	}
	if (i < HW_SLOTS)
		return 0;
	for (i = 0; i < HW_SLOTS && t->hw_used[i]; i++)
		;
	if (i == HW_SLOTS)
		return -ENOSPC;
	t->hw_used[i] = true;
	t->hw_addr[i] = va;
	return 0;
}

struct pieces {
	struct watch_piece p[8];
	int n;
};

static int collect_piece(void *opaque, uint64_t off, uint64_t gpa, size_t len)
{
	struct pieces *ps = opaque;

	if (ps->n == 8)
		return -E2BIG;
	ps->p[ps->n++] = (struct watch_piece){ gpa, len, off };
	return 0;
}

static int watchpoint(struct dtarget *t, bool insert, enum gdb_bp_type type, uint64_t va,
		      uint64_t len)
{
	struct pieces ps = { .n = 0 };
	struct walk_ctx w;
	struct cache *c;
	size_t done = 0;
	int r;

	if (!insert)
		return watch_del(t->vm, (enum watch_type)type, va, len);
	if (!len || len > 4 * 4096)
		return -EINVAL;
	r = load(t, t->last_cpu, &c);
	if (r)
		return r;
	memset(&w, 0, sizeof(w));
	w.cr0 = c->st.sregs.cr0;
	w.cr3 = c->st.sregs.cr3;
	w.cr4 = c->st.sregs.cr4;
	w.efer = c->st.sregs.efer;
	w.read_phys = read_phys;
	w.opaque = &t->vm->mem;
	r = walk_range(&w, va, len, collect_piece, &ps, &done);
	if (r)
		return r;
	return watch_add(t->vm, (enum watch_type)type, va, len, ps.p, ps.n);
}

static void remove_all(struct dtarget *t)
{
	watch_clear(t->vm);
	bp_sw_remove_all(&t->vm->mem);
	t->nsw = 0;
	memset(t->hw_used, 0, sizeof(t->hw_used));
}

static int t_resume(void *tp, const enum gdb_resume *actions)
{
	struct dtarget *t = tp;
	enum vcpu_action act[VM_MAX_CPUS];
	int r = flush(t);

	for (int i = 0; i < t->vm->ncpus; i++) {
		act[i] = actions[i] == GDB_CONT ? VCPU_RUN :
			 actions[i] == GDB_STEP ? VCPU_STEP : VCPU_STAY;
		if (actions[i] != GDB_STAY)
			t->last_cpu = i;
	}
	apply_debug(t, true);
	vcpu_resume(t->vm, act);
	return r;
}

static int t_stop(void *tp)
{
	return vcpu_request_stop_all(T(tp)->vm);
}

static int t_stop_info(void *tp, struct gdb_stop *out)
{
	struct dtarget *t = tp;
	struct vcpu *best = NULL;

	memset(out, 0, sizeof(*out));
	for (int i = 0; i < t->vm->ncpus; i++) {
		struct vcpu *v = t->vm->vcpus[i];

		if (v->stop_reason != STOP_NONE && (!best || v->stop_seq < best->stop_seq))
			best = v;
	}
	if (!best) {
		/* an interrupt: report the vCPU the debugger was running */
		out->kind = GDB_STOP_INTERRUPT;
		out->cpu = t->last_cpu;
		return 0;
	}
	out->cpu = best->id;
	switch (best->stop_reason) {
	case STOP_STEP:
		out->kind = GDB_STOP_STEP;
		break;
	case STOP_BREAK:
		out->kind = GDB_STOP_SWBREAK;
		break;
	case STOP_WATCH:
		out->kind = best->watch_type == WATCH_WRITE ? GDB_STOP_WATCH :
			    best->watch_type == WATCH_READ ? GDB_STOP_RWATCH : GDB_STOP_AWATCH;
		out->addr = best->watch_addr;
		break;
	default:
		if (best->debug_arch.exception == 3)
			out->kind = GDB_STOP_SWBREAK;
		else if (best->debug_arch.dr6 & 0xf)
			out->kind = GDB_STOP_HWBREAK;
		else
			out->kind = GDB_STOP_TRAP;
		break;
	}
	return 0;
}

static int t_breakpoint(void *tp, bool insert, enum gdb_bp_type type, uint64_t addr,
			uint64_t kind)
{
	struct dtarget *t = tp;
	int r;

	switch (type) {
	case GDB_BP_SW:
		r = sw_break(t, insert, addr);
		break;
	case GDB_BP_HW:
		r = hw_break(t, insert, addr);
		break;
	case GDB_WP_WRITE:
	case GDB_WP_READ:
	case GDB_WP_ACCESS:
		return watchpoint(t, insert, type, addr, kind);
	default:
		return -EOPNOTSUPP;
	}
	if (!r)
		apply_debug(t, true);
	return r;
}

static void t_detach(void *tp)
{
	struct dtarget *t = tp;
	enum vcpu_action act[VM_MAX_CPUS];

	flush(t);
	remove_all(t);
	for (int i = 0; i < t->vm->ncpus; i++)
		act[i] = VCPU_RUN;
	apply_debug(t, false);
	vcpu_resume(t->vm, act);
}

static void t_kill(void *tp)
{
	remove_all(T(tp));
	vm_request_exit(T(tp)->vm, EXIT_POWEROFF, "killed by the debugger");
}

static int t_monitor(void *tp, const char *cmd, struct rsp_buf *out)
{
	struct dtarget *t = tp;

	if (!strcmp(cmd, "help")) {
		rsp_buf_puts(out, "hyve monitor commands:\n"
			     "  help              this list\n"
			     "  status            vCPUs and their state\n"
			     "  step-irq on|off   let interrupts in during single steps (default off)\n");
		return 0;
	}
	if (!strcmp(cmd, "status")) {
		for (int i = 0; i < t->vm->ncpus; i++) {
			struct cache *c;

			if (load(t, i, &c) == 0)
				rsp_buf_printf(out, "vCPU %d: rip=0x%llx cr0=0x%llx %s\n", i,
					       (unsigned long long)c->st.regs.rip,
					       (unsigned long long)c->st.sregs.cr0,
					       c->st.mp.mp_state == KVM_MP_STATE_RUNNABLE ?
					       "runnable" : "halted/waiting");
		}
		rsp_buf_printf(out, "step-irq %s\n", t->step_irq ? "on" : "off");
		return 0;
	}
	if (!strcmp(cmd, "step-irq on") || !strcmp(cmd, "step-irq off")) {
		t->step_irq = !strcmp(cmd, "step-irq on");
		vcpu_set_step_irq(t->vm, t->step_irq);
		rsp_buf_printf(out, "step-irq %s\n", t->step_irq ? "on" : "off");
		return 0;
	}
	return -ENOENT;
}

static int t_thread_extra(void *tp, int cpu, char *buf, size_t cap)
{
	struct dtarget *t = tp;
	struct cache *c;

	if (load(t, cpu, &c))
		return -EINVAL;
	snprintf(buf, cap, "%s", !(c->st.sregs.cr0 & 1) ? "real mode" :
		 (c->st.sregs.efer & (1 << 10)) ? "long mode" : "protected mode");
	return 0;
}

const struct gdb_target_ops debug_target_ops = {
	.ncpus = t_ncpus,
	.target_xml = t_target_xml,
	.read_regs = t_read_regs,
	.write_regs = t_write_regs,
	.read_reg = t_read_reg,
	.write_reg = t_write_reg,
	.read_mem = t_read_mem,
	.write_mem = t_write_mem,
	.resume = t_resume,
	.stop = t_stop,
	.stop_info = t_stop_info,
	.breakpoint = t_breakpoint,
	.detach = t_detach,
	.kill = t_kill,
	.monitor = t_monitor,
	.thread_extra = t_thread_extra,
};

void *debug_target_new(struct vm *vm)
{
	struct dtarget *t = calloc(1, sizeof(*t));

	if (!t)
		return NULL;
	t->vm = vm;
	t->sw = calloc(MAX_SWBP, sizeof(*t->sw));
	if (!t->sw) {
		free(t);
		return NULL;
	}
	t->has_avx = cpuid_has_avx(vm->cpuid);
	vcpu_set_stop_notify(vm, all_parked, t);
	return t;
}

void debug_target_free(void *tp)
{
	struct dtarget *t = tp;

	if (t)
		free(t->sw);
	free(t);
}
