/* pgdump.c -- enumerate the mappings of a guest address space; see pgdump.h. */
#include <errno.h>
#include <string.h>

#include "arch/x86/pgdump.h"

#define ADDR_MASK	0x000ffffffffff000ULL
#define PERM_W		(1ULL << 1)
#define PERM_U		(1ULL << 2)
#define PERM_NX		(1ULL << 63)

struct dump {
	const struct walk_ctx *w;
	pgdump_fn fn;
	void *opaque;
	unsigned va_bits;	/* 48 or 57 in long mode (sign extension), else 0 */
	struct pg_range cur;	/* the range being merged */
	bool have;
	int ret;
};

static uint64_t canon(const struct dump *d, uint64_t va)
{
	if (d->va_bits && (va & (1ULL << (d->va_bits - 1))))
		va |= ~0ULL << d->va_bits;
	return va;
}

static void emit(struct dump *d, uint64_t va, uint64_t pa, uint64_t size, uint64_t perms)
{
	bool w = perms & PERM_W, u = perms & PERM_U;
	bool nx = (perms & PERM_NX) && (d->w->efer & X86_EFER_NXE);

	if (d->ret)
		return;
	va = canon(d, va);
	if (d->have && d->cur.va + d->cur.size == va && d->cur.pa + d->cur.size == pa &&
	    d->cur.writable == w && d->cur.user == u && d->cur.nx == nx) {
		d->cur.size += size;
		return;
	}
	if (d->have)
		d->ret = d->fn(d->opaque, &d->cur);
	d->cur = (struct pg_range){ va, pa, size, w, u, nx };
	d->have = true;
}

/* W and U must be set at every level, NX at any level makes the page NX. */
static uint64_t combine(uint64_t perms, uint64_t e)
{
	return (perms & e & (PERM_W | PERM_U)) | ((perms | e) & PERM_NX);
}

/*
 * A table of 512 8-byte entries at `level` (1 = page table) mapping 1 << shift
 * bytes per entry; large pages allowed at levels 2 and 3.
 */
static void table64(struct dump *d, uint64_t gpa, int level, unsigned shift, uint64_t va_base,
		    uint64_t perms)
{
	uint64_t e[512];

	if (d->ret || d->w->read_phys(d->w->opaque, gpa, e, sizeof(e)))
		return;
	for (unsigned i = 0; i < 512 && !d->ret; i++) {
		uint64_t va = va_base + ((uint64_t)i << shift), size = 1ULL << shift;
		uint64_t p = combine(perms, e[i]);

		if (!(e[i] & 1))
			continue;
		if (level == 1)
			emit(d, va, e[i] & ADDR_MASK, size, p);
		else if ((e[i] & X86_PTE_PS) && level <= 3)
			emit(d, va, e[i] & ADDR_MASK & ~(size - 1), size, p);
		else
			table64(d, e[i] & ADDR_MASK, level - 1, shift - 9, va, p);
	}
}

static void paging32(struct dump *d)
{
	const struct walk_ctx *w = d->w;
	uint32_t pd[1024], pt[1024];

	if (w->read_phys(w->opaque, w->cr3 & 0xfffff000ULL, pd, sizeof(pd))) {
		d->ret = -EFAULT;
		return;
	}
	for (unsigned i = 0; i < 1024 && !d->ret; i++) {
		uint64_t va = (uint64_t)i << 22;

		if (!(pd[i] & 1))
			continue;
		if ((pd[i] & X86_PTE_PS) && (w->cr4 & X86_CR4_PSE)) {
			/* 4 MiB page; PSE-36 puts physical bits 32.. in entry bits 13.. */
			uint64_t pa = (pd[i] & 0xffc00000ULL) | ((uint64_t)(pd[i] & 0x1fe000) << 19);

			emit(d, va, pa, 1ULL << 22, pd[i]);
			continue;
		}
		if (w->read_phys(w->opaque, pd[i] & 0xfffff000ULL, pt, sizeof(pt)))
			continue;
		for (unsigned j = 0; j < 1024 && !d->ret; j++)
			if (pt[j] & 1)
				emit(d, va + ((uint64_t)j << 12), pt[j] & 0xfffff000ULL, 4096,
				     pd[i] & pt[j]);
	}
}

int pgdump(const struct walk_ctx *w, pgdump_fn fn, void *opaque)
{
	struct dump d = { .w = w, .fn = fn, .opaque = opaque };

	if (!(w->cr0 & X86_CR0_PG)) {
		struct pg_range r = { 0, 0, 1ULL << 32, true, true, false };

		return fn(opaque, &r);
	}
	if (w->efer & X86_EFER_LMA) {
		bool la57 = w->cr4 & X86_CR4_LA57;

		d.va_bits = la57 ? 57 : 48;
		table64(&d, w->cr3 & ADDR_MASK, la57 ? 5 : 4, la57 ? 48 : 39, 0,
			PERM_W | PERM_U);
	} else if (w->cr4 & X86_CR4_PAE) {
		uint64_t pdpte[4];

		if (w->read_phys(w->opaque, w->cr3 & 0xffffffe0ULL, pdpte, sizeof(pdpte)))
			return -EFAULT;
		for (int i = 0; i < 4 && !d.ret; i++)
			if (pdpte[i] & 1)
				table64(&d, pdpte[i] & ADDR_MASK, 2, 21, (uint64_t)i << 30,
					PERM_W | PERM_U);
	} else {
		paging32(&d);
	}
	if (d.have && !d.ret)
		d.ret = fn(opaque, &d.cur);
	return d.ret;
}
