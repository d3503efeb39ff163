/* state.c -- register snapshots per stop, and memory through a vCPU's view. */
#include <errno.h>
#include <string.h>

#include "core/gmem.h"
#include "core/phys.h"
#include "core/trap_swbp.h"
#include "debug/dbg.h"
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
		r = vcpu_get_state_parts(t->vm->vcpus[cpu], &c->st, arch_gdb_state_parts(t->vm));
		if (r)
			return r;
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
		}
		c->valid = c->dirty = false;
	}
	return ret;
}

void dbg_invalidate(struct dtarget *t)
{
	for (int i = 0; i < t->vm->ncpus; i++)
		t->cache[i].valid = t->cache[i].dirty = false;
}

static int read_phys(void *opaque, uint64_t gpa, void *buf, size_t len)
{
	return gmem_read(opaque, gpa, buf, len);
}

int dbg_walk_ctx(struct dtarget *t, int cpu, struct walk_ctx *w)
{
	struct dcache *c;
	int r = dbg_load(t, cpu, &c);

	if (r)
		return r;
	memset(w, 0, sizeof(*w));
	arch_walk_ctx(&c->st, t->root_set ? &t->root : NULL, w);
	w->read_phys = read_phys;
	w->opaque = &t->vm->mem;
	return 0;
}

/*
 * An address the vCPU cannot translate yet -- its paging is off, and the
 * address is above 4 GiB -- but a segment hyve loaded covers: where the
 * loader put it.  Bytes of the segment from va on (0: none), *gpa set.  This
 * lets `break start_kernel` work from the first instruction, before the
 * kernel has turned paging on.  Once paging is on, the vCPU's page tables
 * decide alone (a kernel frees and unmaps parts of its image later).
 */
static uint64_t boot_seg(const struct vm *vm, uint64_t va, uint64_t *gpa)
{
	for (int i = 0; i < vm->nboot_segs; i++) {
		const struct vm_segment *s = &vm->boot_segs[i];

		if (va >= s->va && va - s->va < s->len) {
			*gpa = s->gpa + (va - s->va);
			return s->len - (va - s->va);
		}
	}
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
	if (r)
		return r;
	if (!walk_covers(&w, va))
		return boot_seg(t->vm, va, gpa) ? 0 : -EFAULT;
	r = walk_translate(&w, va, &res);
	if (!r)
		*gpa = res.gpa;
	return r;
}

/*
 * Guest-physical bytes, with our breakpoint bytes invisible: reads see the
 * originals, writes over a breakpoint update the saved original.  Bytes
 * done, or -EFAULT if none.
 */
static long phys_xfer(struct vm *vm, uint64_t gpa, uint8_t *buf, size_t len, bool write)
{
	long n = phys_access(vm, gpa, buf, len, write);

	if (n > 0) {
		if (write)
			trap_swbp_write_through(&vm->swbp, gpa, buf, (size_t)n);
		else
			trap_swbp_shadow(&vm->swbp, gpa, buf, (size_t)n);
	}
	return n;
}

struct xfer {
	struct vm *vm;
	uint8_t *buf;
	bool write;
	size_t done;		/* bytes moved, a chunk cut short by a fault included */
};

static int xfer_chunk(void *opaque, uint64_t off, uint64_t gpa, size_t len)
{
	struct xfer *x = opaque;
	long n = phys_xfer(x->vm, gpa, x->buf + off, len, x->write);

	if (n <= 0)
		return -EFAULT;
	x->done = off + (size_t)n;
	return n == (long)len ? 0 : -EFAULT;
}

void dbg_walk_ctx_of(struct vm *vm, const struct vcpu_state *st, struct walk_ctx *w)
{
	memset(w, 0, sizeof(*w));
	arch_walk_ctx(st, NULL, w);
	w->read_phys = read_phys;
	w->opaque = &vm->mem;
}

long dbg_mem_xfer(struct vm *vm, const struct walk_ctx *w, uint64_t addr, uint8_t *buf,
		  size_t len, bool write)
{
	struct xfer x = { vm, buf, write, 0 };
	size_t done = 0;
	int r;

	if (!len)
		return 0;
	if (!w) {
		if (addr + len < addr)		/* wraps: do what fits below 2^64 */
			len = -addr;
		return phys_xfer(vm, addr, buf, len, write);
	}
	r = walk_range(w, addr, len, xfer_chunk, &x, &done);
	/* walk_range counts whole chunks only: a read that runs into the end of
	 * RAM inside one (a large page) still returns the bytes before it */
	if (x.done > done)
		done = x.done;
	if (done)
		return (long)done;
	return r ? r : -EFAULT;
}

/* Bytes done, or -errno if none.  Stops at the first unmapped or unbacked byte. */
long dbg_xfer(struct dtarget *t, int cpu, uint64_t addr, uint8_t *buf, size_t len, bool write)
{
	struct walk_ctx w;
	int r;

	if (t->phys || !len)
		return dbg_mem_xfer(t->vm, NULL, addr, buf, len, write);
	r = dbg_walk_ctx(t, cpu, &w);
	if (r)
		return r;
	if (!walk_covers(&w, addr)) {
		/* not an address for the vCPU yet: where the loader put it, if it did */
		uint64_t gpa, n = boot_seg(t->vm, addr, &gpa);

		return n ? phys_xfer(t->vm, gpa, buf, MIN(n, len), write) : -EFAULT;
	}
	return dbg_mem_xfer(t->vm, &w, addr, buf, len, write);
}

long dbg_read_as(struct dtarget *t, int cpu, uint64_t addr, uint8_t *buf, size_t len, bool phys)
{
	bool saved = t->phys;
	long n;

	t->phys = phys;
	n = dbg_xfer(t, cpu, addr, buf, len, false);
	t->phys = saved;
	return n;
}
