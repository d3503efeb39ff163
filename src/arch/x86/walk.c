/*
 * walk.c -- the x86 guest page-table walker (see walk.h).  Follows the SDM's
 * paging chapter for the four modes; reserved-bit checks cover what a
 * debugger can trip over: bits above MAXPHYADDR, PS where no large page
 * exists, large-page address bits that must be zero, and XD without NXE.
 */
#include <errno.h>

#include "arch/x86/walk.h"

#define PAGE_4K		0x1000ULL
#define LOW32		0xffffffffULL

static unsigned max_phys_bits(const struct walk_ctx *w)
{
	unsigned m = w->maxphyaddr ? w->maxphyaddr : 52;

	if (m < 32)
		m = 32;
	if (m > 52)
		m = 52;
	return m;
}

/* Bits [hi:lo] set. */
static uint64_t bits(unsigned hi, unsigned lo)
{
	return (hi >= 63 ? ~0ULL : ((1ULL << (hi + 1)) - 1)) & ~((1ULL << lo) - 1);
}

/* Read a little-endian table entry of size 4 or 8. */
static int read_entry(const struct walk_ctx *w, uint64_t gpa, unsigned size, uint64_t *e)
{
	uint8_t b[8];
	uint64_t v = 0;

	if (w->read_phys(w->opaque, gpa, b, size))
		return -EFAULT;
	for (unsigned i = size; i-- > 0;)
		v = (v << 8) | b[i];
	*e = v;
	return 0;
}

/* Read one table entry, and note it in the trace (if any). */
static int read_level(const struct walk_ctx *w, struct walk_trace *tr, int level, unsigned index,
		      uint64_t gpa, unsigned size, uint64_t *e)
{
	if (read_entry(w, gpa, size, e))
		return -EFAULT;
	if (tr && tr->n < WALK_MAX_STEPS)
		tr->step[tr->n++] = (struct walk_step){ level, index, gpa, *e, size };
	return 0;
}

static void leaf(struct walk_result *r, uint64_t base, uint64_t size, uint64_t va, int level)
{
	r->page_size = size;
	r->gpa = (base & ~(size - 1)) | (va & (size - 1));
	r->level = level;
}

static int walk_none(uint64_t va, struct walk_result *r)
{
	r->writable = true;
	r->user = true;
	r->nx = false;
	leaf(r, 0, 1ULL << 32, va & LOW32, 0);
	return 0;
}

static int walk_32bit(const struct walk_ctx *w, uint64_t va, struct walk_result *r,
		      struct walk_trace *tr)
{
	uint64_t pde, pte, pa_hi;
	unsigned m, i = (unsigned)(va & LOW32) >> 22, j = ((unsigned)va >> 12) & 0x3ff;

	va &= LOW32;
	if (read_level(w, tr, 2, i, (w->cr3 & 0xfffff000ULL) + i * 4, 4, &pde))
		return -EFAULT;
	if (!(pde & X86_PTE_P))
		return -EFAULT;
	r->writable = pde & X86_PTE_RW;
	r->user = pde & X86_PTE_US;
	r->nx = false;
	if ((pde & X86_PTE_PS) && (w->cr4 & X86_CR4_PSE)) {
		/*
		 * 4 MiB page.  PSE-36: bits 20:13 carry physical bits 39:32, as
		 * many as MAXPHYADDR (at most 40 here) allows; the rest and bit
		 * 21 are reserved.
		 */
		m = max_phys_bits(w);
		if (m > 40)
			m = 40;
		if (pde & bits(21, 13 + (m - 32)))
			return -EINVAL;
		pa_hi = ((pde >> 13) & 0xff) << 32;
		leaf(r, (pde & 0xffc00000ULL) | pa_hi, 4ULL << 20, va, 2);
		return 0;
	}
	if (read_level(w, tr, 1, j, (pde & 0xfffff000ULL) + j * 4, 4, &pte))
		return -EFAULT;
	if (!(pte & X86_PTE_P))
		return -EFAULT;
	r->writable = r->writable && (pte & X86_PTE_RW);
	r->user = r->user && (pte & X86_PTE_US);
	leaf(r, pte & 0xfffff000ULL, PAGE_4K, va, 1);
	return 0;
}

/* Fold one present entry's permissions into the result. */
static void take_perms(const struct walk_ctx *w, uint64_t e, struct walk_result *r)
{
	r->writable = r->writable && (e & X86_PTE_RW);
	r->user = r->user && (e & X86_PTE_US);
	if ((w->efer & X86_EFER_NXE) && (e & X86_PTE_NX))
		r->nx = true;
}

/*
 * The levels shared by PAE and long mode: entries are 8 bytes, 9 index bits
 * per level, large pages at levels 2 (2 MiB) and 3 (1 GiB, long mode only).
 * rsvd is the set of bits reserved at every level in this mode.
 */
static int walk_levels(const struct walk_ctx *w, uint64_t table, int top, uint64_t va,
		       uint64_t rsvd, struct walk_result *r, struct walk_trace *tr)
{
	uint64_t addr_mask = bits(max_phys_bits(w) - 1, 12);

	for (int lvl = top; lvl >= 1; lvl--) {
		unsigned shift = 12 + 9 * (unsigned)(lvl - 1);
		uint64_t e, bad = rsvd;
		bool large;

		unsigned idx = (unsigned)(va >> shift) & 511;

		if (read_level(w, tr, lvl, idx, table + idx * 8, 8, &e))
			return -EFAULT;
		if (!(e & X86_PTE_P))
			return -EFAULT;
		if (lvl >= 4)
			bad |= X86_PTE_PS;	/* no 512 GiB pages */
		large = (lvl == 2 || lvl == 3) && (e & X86_PTE_PS);
		if (large)
			bad |= bits(shift - 1, 13);	/* bit 12 is PAT */
		if (e & bad)
			return -EINVAL;
		take_perms(w, e, r);
		if (large || lvl == 1) {
			leaf(r, e & addr_mask, 1ULL << shift, va, lvl);
			return 0;
		}
		table = e & addr_mask;
	}
	return -EFAULT;		/* not reached */
}

static int walk_pae(const struct walk_ctx *w, uint64_t va, struct walk_result *r,
		    struct walk_trace *tr)
{
	unsigned m = max_phys_bits(w);
	uint64_t pdpte, rsvd;

	va &= LOW32;
	/* The four PDPTEs: no permission bits, more reserved bits, no XD. */
	if (read_level(w, tr, 3, (unsigned)(va >> 30), (w->cr3 & 0xffffffe0ULL) + (va >> 30) * 8,
		       8, &pdpte))
		return -EFAULT;
	if (!(pdpte & X86_PTE_P))
		return -EFAULT;
	if (pdpte & (bits(63, m) | bits(2, 1) | bits(8, 5)))
		return -EINVAL;
	r->writable = true;
	r->user = true;
	r->nx = false;
	rsvd = bits(62, m);
	if (!(w->efer & X86_EFER_NXE))
		rsvd |= X86_PTE_NX;
	return walk_levels(w, pdpte & bits(m - 1, 12), 2, va, rsvd, r, tr);
}

static int walk_long(const struct walk_ctx *w, uint64_t va, struct walk_result *r,
		     struct walk_trace *tr)
{
	bool la57 = w->cr4 & X86_CR4_LA57;
	unsigned vbits = la57 ? 57 : 48;
	unsigned m = max_phys_bits(w);
	uint64_t rsvd;

	if (!(w->cr4 & X86_CR4_PAE))
		return -EINVAL;		/* long mode without PAE cannot exist */
	/* Canonical: bits 63:vbits-1 all equal. */
	if ((uint64_t)((int64_t)(va << (64 - vbits)) >> (64 - vbits)) != va)
		return -EINVAL;
	r->writable = true;
	r->user = true;
	r->nx = false;
	/* Bits 62:52 are ignored (software, protection keys), not reserved. */
	rsvd = m < 52 ? bits(51, m) : 0;
	if (!(w->efer & X86_EFER_NXE))
		rsvd |= X86_PTE_NX;
	return walk_levels(w, w->cr3 & bits(m - 1, 12), la57 ? 5 : 4, va, rsvd, r, tr);
}

int walk_translate_trace(const struct walk_ctx *w, uint64_t va, struct walk_result *r,
			 struct walk_trace *tr)
{
	if (tr)
		tr->n = 0;
	if (!(w->cr0 & X86_CR0_PG))
		return walk_none(va, r);
	if (!(w->cr4 & X86_CR4_PAE))
		return walk_32bit(w, va, r, tr);
	if (!(w->efer & X86_EFER_LMA))
		return walk_pae(w, va, r, tr);
	return walk_long(w, va, r, tr);
}

int walk_translate(const struct walk_ctx *w, uint64_t va, struct walk_result *r)
{
	return walk_translate_trace(w, va, r, NULL);
}

int walk_range(const struct walk_ctx *w, uint64_t va, size_t len,
	       walk_chunk_fn fn, void *opaque, size_t *done)
{
	bool long_mode = (w->cr0 & X86_CR0_PG) && (w->efer & X86_EFER_LMA);
	uint64_t mask = long_mode ? ~0ULL : LOW32;
	uint64_t chunk_off = 0, chunk_gpa = 0, off = 0;
	size_t chunk_len = 0;
	int err = 0, ret;

	while (off < len) {
		struct walk_result r;
		uint64_t cur = (va + off) & mask, in_page, n;

		err = walk_translate(w, cur, &r);
		if (err)
			break;
		in_page = r.page_size - (cur & (r.page_size - 1));
		n = in_page < len - off ? in_page : len - off;
		if (chunk_len && chunk_gpa + chunk_len == r.gpa) {
			chunk_len += n;
		} else {
			if (chunk_len) {
				ret = fn(opaque, chunk_off, chunk_gpa, chunk_len);
				if (ret) {
					*done = chunk_off;
					return ret;
				}
			}
			chunk_off = off;
			chunk_gpa = r.gpa;
			chunk_len = n;
		}
		off += n;
	}
	if (chunk_len) {
		ret = fn(opaque, chunk_off, chunk_gpa, chunk_len);
		if (ret) {
			*done = chunk_off;
			return ret;
		}
	}
	*done = off;
	return err;
}
