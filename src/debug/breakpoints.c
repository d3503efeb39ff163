/*
 * breakpoints.c -- policy: the debugger's Z/z packets, put onto the trap
 * mechanisms.  Z0 by guest-physical address (core/trap_swbp.c), or in a
 * debug register where the mode or the host needs it (arch_swbp_mode); Z1
 * in the debug registers (arch_hw_breaks); Z2-Z4 by trapped pages
 * (core/trap_page.c).  Where neither int3 nor the debug registers stop a
 * guest (arch_breaks_by_page), Z0 and Z1 trap the page of the instruction
 * too (TRAP_WATCH_EXEC): a fetch at it is the hit.
 */
#include <errno.h>
#include <linux/kvm.h>
#include <string.h>

#include "core/trap_page.h"
#include "core/trap_swbp.h"
#include "debug/dbg.h"
#include "util.h"

void dbg_apply_debug(struct dtarget *t, bool attached)
{
	struct kvm_guest_debug dbg;

	memset(&dbg, 0, sizeof(dbg));
	if (attached)
		dbg.control = KVM_GUESTDBG_ENABLE | KVM_GUESTDBG_USE_SW_BP;
	arch_hw_breaks(&dbg, t->hw_addr, t->hw_used);
	vcpu_set_debug(t->vm, &dbg);
}

bool dbg_break_at(const struct dtarget *t, uint64_t va, bool hw)
{
	for (int i = 0; i < t->nsw; i++)
		if (t->sw[i].va == va && (hw || !t->sw[i].z1))
			return true;
	for (int i = 0; hw && i < ARCH_HW_SLOTS; i++)
		if (t->hw_used[i] && t->hw_addr[i] == va)
			return true;
	return false;
}

bool dbg_slot_is_sw(const struct dtarget *t, unsigned slots)
{
	for (int i = 0; i < ARCH_HW_SLOTS; i++)
		if ((slots & (1u << i)) && t->hw_for_sw[i])
			return true;
	return false;
}

static enum arch_swbp_mode swbp_mode(struct dtarget *t)
{
	struct dcache *c;

	if (arch_breaks_by_page(t->vm))
		return ARCH_SWBP_PAGE;		/* the host's alone: no state needed */
	return dbg_load(t, t->cur_cpu, &c) ? ARCH_SWBP_MEM : arch_swbp_mode(t->vm, &c->st);
}

static int free_slot(struct dtarget *t)
{
	for (int i = 0; i < ARCH_HW_SLOTS; i++)
		if (!t->hw_used[i])
			return i;
	return -1;
}

/* The entry for a Z0 (or, z1, a page-trapped Z1) at va: its index, or t->nsw. */
static int find_sw(const struct dtarget *t, uint64_t va, bool z1)
{
	int i;

	for (i = 0; i < t->nsw && (t->sw[i].va != va || t->sw[i].z1 != z1); i++)
		;
	return i;
}

/* Take entry i out of the mechanism that does it, and out of the list. */
static int remove_sw(struct dtarget *t, int i)
{
	const struct swbp_map *m = &t->sw[i];
	int r = 0;

	if (m->hw_slot >= 0)
		t->hw_used[m->hw_slot] = t->hw_for_sw[m->hw_slot] = false;
	else if (m->page)
		r = trap_page_del(&t->vm->traps, TRAP_WATCH_EXEC, m->va, 1);
	else
		r = trap_swbp_remove(&t->vm->swbp, m->gpa);
	t->sw[i] = t->sw[--t->nsw];
	return r;
}

/*
 * A breakpoint (z1: a Z1) at va by hiding the page of its instruction: the
 * slot re-layout runs now (the machine is stopped).  Every instruction the
 * guest then runs from that page exits and is stepped (slow on a hot page).
 */
static int page_break(struct dtarget *t, uint64_t va, bool z1)
{
	struct trap_piece p;
	uint64_t gpa;
	int r;

	if (t->nsw == MAX_SWBP)
		return -ENOSPC;
	if (!t->said_page) {
		t->said_page = true;	/* once per machine, when it first matters */
		log_info("neither int3 nor the debug registers stop a guest on this host: "
			 "breakpoints trap the pages of their instructions (every instruction "
			 "run from such a page exits: slow where the guest is busy)");
	}
	r = dbg_translate(t, t->cur_cpu, va, &gpa);
	if (r)
		return r;
	p = (struct trap_piece){ gpa, 1, 0 };
	r = trap_page_add(&t->vm->traps, TRAP_WATCH_EXEC, va, 1, &p, 1);
	if (r)
		return r;
	t->sw[t->nsw++] = (struct swbp_map){ va, gpa, -1, true, z1 };
	return 0;
}

int dbg_sw_break(struct dtarget *t, bool insert, uint64_t va)
{
	uint64_t gpa;
	int i, r;

	i = find_sw(t, va, false);
	if (!insert)
		return i == t->nsw ? -ENOENT : remove_sw(t, i);
	if (i < t->nsw)
		return 0;		/* already there: Z0 is idempotent */
	if (t->nsw == MAX_SWBP)
		return -ENOSPC;
	enum arch_swbp_mode mode = swbp_mode(t);

	if (mode == ARCH_SWBP_PAGE)
		return page_break(t, va, false);
	int slot = mode == ARCH_SWBP_MEM ? -1 : free_slot(t);

	if (mode == ARCH_SWBP_HW_ONLY && !t->said_hw_only) {
		t->said_hw_only = true;	/* once per machine, when it first matters */
		log_info("the host's KVM gives a guest's int3 to the guest even when asked to "
			 "trap it: software breakpoints use the debug registers (four at most)");
	}
	if (slot < 0 && mode == ARCH_SWBP_HW_ONLY)
		return -ENOSPC;		/* a byte would only reach the guest */
	if (slot >= 0) {
		t->hw_used[slot] = t->hw_for_sw[slot] = true;
		t->hw_addr[slot] = va;
		t->sw[t->nsw++] = (struct swbp_map){ va, ~0ULL, slot, false, false };
		return 0;
	}
	r = dbg_translate(t, t->cur_cpu, va, &gpa);
	if (r)
		return r;
	r = trap_swbp_insert(&t->vm->swbp, gpa);
	if (r)
		return r;
	t->sw[t->nsw++] = (struct swbp_map){ va, gpa, -1, false, false };
	return 0;
}

int dbg_hw_break(struct dtarget *t, bool insert, uint64_t va)
{
	int i;

	if (arch_breaks_by_page(t->vm)) {
		i = find_sw(t, va, true);
		if (!insert)
			return i == t->nsw ? -ENOENT : remove_sw(t, i);
		return i < t->nsw ? 0 : page_break(t, va, true);
	}

	for (i = 0; i < ARCH_HW_SLOTS; i++)
		if (t->hw_used[i] && !t->hw_for_sw[i] && t->hw_addr[i] == va)
			break;
	if (!insert) {
		if (i == ARCH_HW_SLOTS)
			return -ENOENT;
		t->hw_used[i] = false;
		return 0;
	}
	if (i < ARCH_HW_SLOTS)
		return 0;
	i = free_slot(t);
	if (i < 0)
		return -ENOSPC;
	t->hw_used[i] = true;
	t->hw_addr[i] = va;
	return 0;
}

/* Z2/Z3/Z4 to the trap mechanism's kinds. */
static enum trap_watch_type watch_type(enum gdb_bp_type type)
{
	switch (type) {
	case GDB_WP_WRITE:
		return TRAP_WATCH_WRITE;
	case GDB_WP_READ:
		return TRAP_WATCH_READ;
	default:
		return TRAP_WATCH_ACCESS;
	}
}

struct pieces {
	struct trap_piece p[TRAP_PAGE_MAX_PIECES];
	int n;
};

static int collect_piece(void *opaque, uint64_t off, uint64_t gpa, size_t len)
{
	struct pieces *ps = opaque;

	if (ps->n == TRAP_PAGE_MAX_PIECES)
		return -E2BIG;
	ps->p[ps->n++] = (struct trap_piece){ gpa, len, off };
	return 0;
}

int dbg_watchpoint(struct dtarget *t, bool insert, enum gdb_bp_type type, uint64_t va,
		   uint64_t len)
{
	enum trap_watch_type wt = watch_type(type);
	struct pieces ps = { .n = 0 };
	struct walk_ctx w;
	size_t done = 0;
	int r;

	if (!insert)
		return trap_page_del(&t->vm->traps, wt, va, len);
	if (!len || len > 4 * TRAP_PAGE_SIZE)
		return -EINVAL;
	if (t->phys) {
		ps.p[0] = (struct trap_piece){ va, len, 0 };
		ps.n = 1;
		return trap_page_add(&t->vm->traps, wt, va, len, ps.p, ps.n);
	}
	r = dbg_walk_ctx(t, t->cur_cpu, &w);
	if (r)
		return r;
	r = walk_range(&w, va, len, collect_piece, &ps, &done);
	if (r)
		return r;
	return trap_page_add(&t->vm->traps, wt, va, len, ps.p, ps.n);
}

bool dbg_remove_for_detach(struct dtarget *t)
{
	bool left = false;

	trap_page_clear_data(&t->vm->traps);	/* page-trap breakpoints: below */
	for (int i = t->nsw - 1; i >= 0; i--) {
		if (cond_persistent(&t->conds, t->sw[i].z1 ? GDB_BP_HW : GDB_BP_SW, t->sw[i].va))
			left = true;
		else
			remove_sw(t, i);
	}
	for (int i = 0; i < ARCH_HW_SLOTS; i++) {
		if (!t->hw_used[i] || t->hw_for_sw[i])
			continue;
		if (cond_persistent(&t->conds, GDB_BP_HW, t->hw_addr[i]))
			left = true;
		else
			t->hw_used[i] = false;
	}
	cond_clear(&t->conds, true);
	return left;
}

void dbg_remove_all(struct dtarget *t)
{
	trap_page_clear(&t->vm->traps);
	trap_swbp_remove_all(&t->vm->swbp);
	t->nsw = 0;
	memset(t->hw_used, 0, sizeof(t->hw_used));
	memset(t->hw_for_sw, 0, sizeof(t->hw_for_sw));
}
