/* breaks.c -- breakpoints (software by GPA, hardware DR0-3) and watchpoints. */
#include <errno.h>
#include <linux/kvm.h>
#include <string.h>

#include "core/trap_swbp.h"
#include "debug/dbg.h"
#include "core/trap_page.h"

/* Hand the breakpoint settings to every vCPU (attached: int3 traps to us). */
void dbg_apply_debug(struct dtarget *t, bool attached)
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

static bool real_mode(struct dtarget *t)
{
	struct dcache *c;

	return dbg_load(t, t->cur_cpu, &c) == 0 && !(c->st.sregs.cr0 & 1);
}

static int free_slot(struct dtarget *t)
{
	for (int i = 0; i < HW_SLOTS; i++)
		if (!t->hw_used[i])
			return i;
	return -1;
}

int dbg_sw_break(struct dtarget *t, bool insert, uint64_t va)
{
	uint64_t gpa;
	int i, r;

	for (i = 0; i < t->nsw && t->sw[i].va != va; i++)
		;
	if (!insert) {
		if (i == t->nsw)
			return -ENOENT;
		int hw = t->sw[i].hw_slot;

		r = 0;
		if (hw >= 0)
			t->hw_used[hw] = t->hw_for_sw[hw] = false;
		else
			r = bp_sw_remove(&t->vm->mem, t->sw[i].gpa);
		t->sw[i] = t->sw[--t->nsw];
		return r;
	}
	if (i < t->nsw)
		return 0;		/* already there: Z0 is idempotent */
	if (t->nsw == MAX_SWBP)
		return -ENOSPC;
	/*
	 * In real mode a KVM that emulates ring 0 runs int3 through the guest's
	 * IVT even with KVM_GUESTDBG_USE_SW_BP: use a free debug register there.
	 */
	int slot = real_mode(t) ? free_slot(t) : -1;

	if (slot >= 0) {
		t->hw_used[slot] = t->hw_for_sw[slot] = true;
		t->hw_addr[slot] = va;
		t->sw[t->nsw++] = (struct swbp_map){ va, ~0ULL, slot };
		return 0;
	}
	r = dbg_translate(t, t->cur_cpu, va, &gpa);
	if (r)
		return r;
	r = bp_sw_insert(&t->vm->mem, gpa);
	if (r)
		return r;
	t->sw[t->nsw++] = (struct swbp_map){ va, gpa, -1 };
	return 0;
}

int dbg_hw_break(struct dtarget *t, bool insert, uint64_t va)
{
	int i;

	for (i = 0; i < HW_SLOTS; i++)
		if (t->hw_used[i] && !t->hw_for_sw[i] && t->hw_addr[i] == va)
			break;
	if (!insert) {
		if (i == HW_SLOTS)
			return -ENOENT;
		t->hw_used[i] = false;
		return 0;
	}
	if (i < HW_SLOTS)
		return 0;
	i = free_slot(t);
	if (i < 0)
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

int dbg_watchpoint(struct dtarget *t, bool insert, enum gdb_bp_type type, uint64_t va,
		      uint64_t len)
{
	struct pieces ps = { .n = 0 };
	struct walk_ctx w;
	size_t done = 0;
	int r;

	if (!insert)
		return watch_del(t->vm, (enum watch_type)type, va, len);
	if (!len || len > 4 * 4096)
		return -EINVAL;
	if (t->phys) {
		ps.p[0] = (struct watch_piece){ va, len, 0 };
		ps.n = 1;
		return watch_add(t->vm, (enum watch_type)type, va, len, ps.p, ps.n);
	}
	r = dbg_walk_ctx(t, t->cur_cpu, &w);
	if (r)
		return r;
	r = walk_range(&w, va, len, collect_piece, &ps, &done);
	if (r)
		return r;
	return watch_add(t->vm, (enum watch_type)type, va, len, ps.p, ps.n);
}

void dbg_remove_all(struct dtarget *t)
{
	watch_clear(t->vm);
	bp_sw_remove_all(&t->vm->mem);
	t->nsw = 0;
	memset(t->hw_used, 0, sizeof(t->hw_used));
	memset(t->hw_for_sw, 0, sizeof(t->hw_for_sw));
}

