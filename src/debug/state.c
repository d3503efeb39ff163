/* state.c -- register snapshots per stop, and memory through a vCPU's view. */
#include <errno.h>
#include <linux/kvm.h>
#include <string.h>
#include <sys/ioctl.h>

#include "core/trap_swbp.h"
#include "debug/dbg.h"
#include "core/phys.h"
#include "util.h"

int dbg_load(struct dtarget *t, int cpu, struct dcache **out)
{
	struct dcache *c;
	int r;

	if (cpu < 0 || cpu >= t->vm->ncpus)
		return -EINVAL;
	c = &t->cache[cpu];
	if (!c->valid) {
		/* what gdb shows; debug registers and MP state only on demand */
		memset(&c->st, 0, sizeof(c->st));
		r = vcpu_get_state_parts(t->vm->vcpus[cpu], &c->st, VS_CORE);
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

int dbg_load_full(struct dtarget *t, int cpu, struct dcache **out)
{
	int r = dbg_load(t, cpu, out);

	if (!r && !((*out)->st.parts & VS_EXTRA))
		r = vcpu_get_state_parts(t->vm->vcpus[cpu], &(*out)->st, VS_EXTRA);
	return r;
}

void dbg_to_gdb(const struct dtarget *t, const struct dcache *c, struct x86_gdb_state *g)
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

void dbg_from_gdb(struct dcache *c, const struct x86_gdb_state *g)
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
int dbg_flush(struct dtarget *t)
{
	int ret = 0;

	for (int i = 0; i < t->vm->ncpus; i++) {
		struct dcache *c = &t->cache[i];

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


struct xfer {
	struct vm *vm;
	uint8_t *buf;
	bool write;
	size_t done;		/* bytes moved, a chunk cut short by a fault included */
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
	x->done = off + (size_t)n;
	return n == (long)len ? 0 : -EFAULT;
}

void dbg_invalidate(struct dtarget *t)
{
	for (int i = 0; i < t->vm->ncpus; i++)
		t->cache[i].valid = t->cache[i].dirty = false;
}

int dbg_walk_ctx(struct dtarget *t, int cpu, struct walk_ctx *w)
{
	struct dcache *c;
	int r = dbg_load(t, cpu, &c);

	if (r)
		return r;
	memset(w, 0, sizeof(*w));
	w->cr0 = c->st.sregs.cr0;
	w->cr3 = t->cr3_set ? t->cr3 : c->st.sregs.cr3;
	w->cr4 = c->st.sregs.cr4;
	w->efer = c->st.sregs.efer;
	w->read_phys = read_phys;
	w->opaque = &t->vm->mem;
	if (t->cr3_set)		/* another address space: assume paging is on */
		w->cr0 |= X86_CR0_PG;
	return 0;
}

int dbg_translate(struct dtarget *t, int cpu, uint64_t va, uint64_t *gpa)
{
	struct walk_ctx w;
	struct walk_result res;
	int r;

	if (t->phys) {
		*gpa = va;
		return 0;
	}
	r = dbg_walk_ctx(t, cpu, &w);
	if (!r)
		r = walk_translate(&w, va, &res);
	if (!r)
		*gpa = res.gpa;
	return r;
}

/* Bytes done, or -errno if none.  Stops at the first unmapped or unbacked byte. */
long dbg_xfer(struct dtarget *t, int cpu, uint64_t addr, uint8_t *buf, size_t len, bool write)
{
	struct xfer x = { t->vm, buf, write, 0 };
	struct walk_ctx w;
	size_t done = 0;
	int r;

	if (!len)
		return 0;
	if (t->phys) {
		long n;

		if (addr + len < addr)		/* wraps: do what fits below 2^64 */
			len = -addr;
		n = gaccess_phys(t->vm, addr, buf, len, write);
		if (n > 0) {
			if (write)
				bp_sw_write_through(&t->vm->mem, addr, buf, (size_t)n);
			else
				bp_sw_shadow(addr, buf, (size_t)n);
		}
		return n;
	}
	r = dbg_walk_ctx(t, cpu, &w);
	if (r)
		return r;
	r = walk_range(&w, addr, len, xfer_chunk, &x, &done);
	/* walk_range counts whole chunks only: a read that runs into the end of
	 * RAM inside one (a large page) still returns the bytes before it */
	if (x.done > done)
		done = x.done;
	if (done)
		return (long)done;
	return r ? r : -EFAULT;
}
