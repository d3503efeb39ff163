/* test_walk.c -- the x86 page-table walker on tables built in a buffer. */
#include <errno.h>

#include "test.h"
#include "arch/x86/walk.h"

/* See test_rsp.c: test.h's TEST rewrites ".name"; register under another parameter name. */
/* ---- a fake guest-physical memory with a page allocator ---- */

#define MEM_SIZE	(1u << 20)
static uint8_t mem[MEM_SIZE];
static uint64_t next_table;
static int reads;

static int mem_read(void *opaque, uint64_t gpa, void *buf, size_t len)
{
	reads++;
	if (gpa >= MEM_SIZE || len > MEM_SIZE - gpa)
		return -EFAULT;
	memcpy(buf, mem + gpa, len);
	return 0;
}

static void mem_reset(void)
{
	memset(mem, 0, sizeof(mem));
	next_table = 0x10000;
	reads = 0;
}

static uint64_t new_table(void)
{
	uint64_t t = next_table;

	next_table += 0x1000;
	return t;
}

static void put64(uint64_t gpa, uint64_t v)
{
	for (int i = 0; i < 8; i++)
		mem[gpa + i] = (uint8_t)(v >> (8 * i));
}

static uint64_t get64(uint64_t gpa)
{
	uint64_t v = 0;

	for (int i = 7; i >= 0; i--)
		v = (v << 8) | mem[gpa + i];
	return v;
}

static void put32(uint64_t gpa, uint32_t v)
{
	for (int i = 0; i < 4; i++)
		mem[gpa + i] = (uint8_t)(v >> (8 * i));
}

#define P	X86_PTE_P
#define RW	X86_PTE_RW
#define US	X86_PTE_US
#define PS	X86_PTE_PS
#define NX	X86_PTE_NX
#define ALL	(P | RW | US)

/*
 * Map va -> pa with 8-byte entries: top is the root's level (5, 4, or 2 for
 * PAE below the PDPT), leaf_lvl 1/2/3 for 4K/2M/1G.  Missing tables are
 * created with mid flags; the leaf gets leaf flags (PS added for large ones).
 * Returns the leaf entry's address.
 */
static uint64_t map8(uint64_t root, int top, uint64_t va, uint64_t pa, int leaf_lvl,
		     uint64_t mid, uint64_t leaf_flags)
{
	uint64_t table = root;

	for (int lvl = top; lvl > leaf_lvl; lvl--) {
		uint64_t slot = table + ((va >> (12 + 9 * (lvl - 1))) & 511) * 8;
		uint64_t e = get64(slot);

		if (!(e & P)) {
			e = new_table() | mid;
			put64(slot, e);
		}
		table = e & 0x000ffffffffff000ULL;
	}
	uint64_t slot = table + ((va >> (12 + 9 * (leaf_lvl - 1))) & 511) * 8;

	put64(slot, pa | leaf_flags | (leaf_lvl > 1 ? PS : 0));
	return slot;
}

static struct walk_ctx ctx_long(uint64_t cr3, bool la57)
{
	struct walk_ctx w = {
		.cr0 = X86_CR0_PG | 1, .cr3 = cr3,
		.cr4 = X86_CR4_PAE | (la57 ? X86_CR4_LA57 : 0),
		.efer = X86_EFER_LME | X86_EFER_LMA | X86_EFER_NXE,
		.maxphyaddr = 46, .read_phys = mem_read,
	};
	return w;
}

static int xlate(const struct walk_ctx *w, uint64_t va, struct walk_result *r)
{
	memset(r, 0xa5, sizeof(*r));
	return walk_translate(w, va, r);
}

struct chunks {
	int n, stop_at;
	uint64_t off[8], gpa[8];
	size_t len[8];
};

static int record_chunk(void *opaque, uint64_t off, uint64_t gpa, size_t len)
{
	struct chunks *c = opaque;

	if (c->n < 8) {
		c->off[c->n] = off;
		c->gpa[c->n] = gpa;
		c->len[c->n] = len;
	}
	c->n++;
	return c->stop_at && c->n == c->stop_at ? -EINTR : 0;
}

/* ---- paging off ---- */

TEST(paging_off_identity_and_wrap)
{
	struct walk_ctx w = { .cr0 = 1, .read_phys = mem_read };
	struct walk_result r;

	mem_reset();
	CHECK_EQ(xlate(&w, 0x12345678, &r), 0);
	CHECK_EQ(r.gpa, 0x12345678);
	CHECK_EQ(r.level, 0);
	CHECK(r.writable && r.user && !r.nx);
	CHECK_EQ(xlate(&w, 0x100001000ULL, &r), 0);
	CHECK_EQ(r.gpa, 0x1000);
	CHECK_EQ(reads, 0);
}

/* ---- 32-bit paging ---- */

static struct walk_ctx ctx_32(uint64_t cr3, bool pse)
{
	struct walk_ctx w = {
		.cr0 = X86_CR0_PG | 1, .cr3 = cr3, .cr4 = pse ? X86_CR4_PSE : 0,
		.maxphyaddr = 40, .read_phys = mem_read,
	};
	return w;
}

TEST(paging32_4k)
{
	struct walk_result r;
	uint64_t pd, pt;

	mem_reset();
	pd = new_table();
	pt = new_table();
	put32(pd + 1 * 4, (uint32_t)(pt | P | RW | US));		/* 0x00400000.. */
	put32(pt + 1 * 4, 0x123000 | P | US);			/* 0x00401000 read-only */
	put32(pt + 2 * 4, 0x456000 | P | RW);			/* 0x00402000 supervisor */
	struct walk_ctx w = ctx_32(pd, false);

	CHECK_EQ(xlate(&w, 0x00401abc, &r), 0);
	CHECK_EQ(r.gpa, 0x123abc);
	CHECK_EQ(r.page_size, 0x1000);
	CHECK_EQ(r.level, 1);
	CHECK(!r.writable && r.user && !r.nx);
	CHECK_EQ(xlate(&w, 0x00402000, &r), 0);
	CHECK_EQ(r.gpa, 0x456000);
	CHECK(r.writable && !r.user);
	/* Only the low 32 bits of the address count. */
	CHECK_EQ(xlate(&w, 0x700401abcULL, &r), 0);
	CHECK_EQ(r.gpa, 0x123abc);
	/* Not present: PTE, then PDE. */
	CHECK_EQ(xlate(&w, 0x00403000, &r), -EFAULT);
	CHECK_EQ(xlate(&w, 0x00800000, &r), -EFAULT);
	/* PS in a PDE without CR4.PSE is ignored: still a page table. */
	put32(pd + 1 * 4, (uint32_t)(pt | P | RW | US | PS));
	CHECK_EQ(xlate(&w, 0x00401abc, &r), 0);
	CHECK_EQ(r.gpa, 0x123abc);
	/* Unreadable table. */
	w.cr3 = 0x7ffff000;
	CHECK_EQ(xlate(&w, 0x00401abc, &r), -EFAULT);
}

TEST(paging32_4m_pse36)
{
	struct walk_result r;
	uint64_t pd;

	mem_reset();
	pd = new_table();
	put32(pd + 3 * 4, 0x00c00000 | P | RW | US | PS);		/* 0x00c00000 */
	/* 0x01000000 -> 0x5_0040_0000 via PSE-36 bits 20:13 = 0x05 */
	put32(pd + 4 * 4, 0x00400000 | (0x05u << 13) | P | PS);
	struct walk_ctx w = ctx_32(pd, true);

	CHECK_EQ(xlate(&w, 0x00d23456, &r), 0);
	CHECK_EQ(r.gpa, 0x00d23456);
	CHECK_EQ(r.page_size, 4 << 20);
	CHECK_EQ(r.level, 2);
	CHECK(r.writable && r.user);
	CHECK_EQ(xlate(&w, 0x01000010, &r), 0);
	CHECK_EQ(r.gpa, 0x500400010ULL);
	CHECK(!r.writable && !r.user);
	/* With MAXPHYADDR 34, physical bit 34 (PDE bit 15) is reserved. */
	w.maxphyaddr = 34;
	CHECK_EQ(xlate(&w, 0x01000010, &r), -EINVAL);
	CHECK_EQ(xlate(&w, 0x00d23456, &r), 0);
	w.maxphyaddr = 40;
	/* Bit 21 is always reserved in a 4 MiB PDE. */
	put32(pd + 3 * 4, 0x00c00000 | (1u << 21) | P | PS);
	CHECK_EQ(xlate(&w, 0x00d23456, &r), -EINVAL);
}

TEST(paging32_wrap_at_4g)
{
	struct walk_result r;
	struct chunks c = {0};
	uint64_t pd, pt_hi, pt_lo;
	size_t done = 0;

	mem_reset();
	pd = new_table();
	pt_hi = new_table();
	pt_lo = new_table();
	put32(pd + 1023 * 4, (uint32_t)(pt_hi | ALL));
	put32(pd + 0, (uint32_t)(pt_lo | ALL));
	put32(pt_hi + 1023 * 4, 0x0aa000 | ALL);		/* 0xfffff000 */
	put32(pt_lo + 0, 0x0bb000 | ALL);			/* 0x00000000 */
	struct walk_ctx w = ctx_32(pd, false);

	CHECK_EQ(xlate(&w, 0xffffffff, &r), 0);
	CHECK_EQ(r.gpa, 0x0aafff);

	CHECK_EQ(walk_range(&w, 0xffffff00, 0x200, record_chunk, &c, &done), 0);
	CHECK_EQ(done, 0x200);
	CHECK_EQ(c.n, 2);
	CHECK_EQ(c.off[0], 0);
	CHECK_EQ(c.gpa[0], 0x0aaf00);
	CHECK_EQ(c.len[0], 0x100);
	CHECK_EQ(c.off[1], 0x100);
	CHECK_EQ(c.gpa[1], 0x0bb000);
	CHECK_EQ(c.len[1], 0x100);

	/* No paging: the identity map wraps too, as two chunks. */
	struct walk_ctx off = { .cr0 = 1, .read_phys = mem_read };

	memset(&c, 0, sizeof(c));
	CHECK_EQ(walk_range(&off, 0xfffffff0, 0x20, record_chunk, &c, &done), 0);
	CHECK_EQ(c.n, 2);
	CHECK_EQ(c.gpa[0], 0xfffffff0);
	CHECK_EQ(c.len[0], 0x10);
	CHECK_EQ(c.gpa[1], 0);
	CHECK_EQ(c.len[1], 0x10);
}

/* ---- PAE ---- */

static struct walk_ctx ctx_pae(uint64_t cr3, bool nxe)
{
	struct walk_ctx w = {
		.cr0 = X86_CR0_PG | 1, .cr3 = cr3, .cr4 = X86_CR4_PAE,
		.efer = nxe ? X86_EFER_NXE : 0, .maxphyaddr = 40, .read_phys = mem_read,
	};
	return w;
}

TEST(pae_4k_2m)
{
	struct walk_result r;
	uint64_t pdpt, pd, leaf;

	mem_reset();
	pdpt = 0x10020;		/* 32-byte aligned, not page aligned: CR3[31:5] */
	next_table = 0x11000;
	pd = new_table();
	put64(pdpt + 3 * 8, pd | P);				/* 0xc0000000.. */
	/* 0xc0200000: a 2 MiB page at 0x1_4000_0000 (above 4 GiB is fine in PAE). */
	put64(pd + 1 * 8, 0x140000000ULL | ALL | PS);
	leaf = map8(pd, 2, 0xc0001000, 0x321000, 1, ALL, P | RW | NX);
	struct walk_ctx w = ctx_pae(pdpt, true);

	CHECK_EQ(xlate(&w, 0xc0001234, &r), 0);
	CHECK_EQ(r.gpa, 0x321234);
	CHECK_EQ(r.page_size, 0x1000);
	CHECK(r.writable && !r.user && r.nx);
	CHECK_EQ(xlate(&w, 0xc02fffff, &r), 0);
	CHECK_EQ(r.gpa, 0x1400fffffULL);
	CHECK_EQ(r.page_size, 2 << 20);
	CHECK_EQ(r.level, 2);
	CHECK(r.writable && r.user && !r.nx);
	/* Not present: PDPTE, PDE, PTE. */
	CHECK_EQ(xlate(&w, 0x40000000, &r), -EFAULT);
	CHECK_EQ(xlate(&w, 0xc0400000, &r), -EFAULT);
	CHECK_EQ(xlate(&w, 0xc0002000, &r), -EFAULT);
	/* XD without EFER.NXE is a reserved bit. */
	w.efer = 0;
	CHECK_EQ(xlate(&w, 0xc0001234, &r), -EINVAL);
	w.efer = X86_EFER_NXE;
	/* PAE reserves bits 62:MAXPHYADDR in PDEs/PTEs (long mode ignores 62:52). */
	put64(leaf, get64(leaf) | (1ULL << 52));
	CHECK_EQ(xlate(&w, 0xc0001234, &r), -EINVAL);
	put64(leaf, get64(leaf) & ~(1ULL << 52));
	put64(leaf, get64(leaf) | (1ULL << 40));
	CHECK_EQ(xlate(&w, 0xc0001234, &r), -EINVAL);
	put64(leaf, get64(leaf) & ~(1ULL << 40));
	CHECK_EQ(xlate(&w, 0xc0001234, &r), 0);
	/* 2 MiB PDE with bit 13 set. */
	put64(pd + 1 * 8, 0x140000000ULL | ALL | PS | (1ULL << 13));
	CHECK_EQ(xlate(&w, 0xc02fffff, &r), -EINVAL);
	/* PDPTE reserved bits: R/W (bit 1) is reserved there. */
	put64(pdpt + 3 * 8, pd | P | RW);
	CHECK_EQ(xlate(&w, 0xc0001234, &r), -EINVAL);
	put64(pdpt + 3 * 8, pd | P | (1ULL << 63));
	CHECK_EQ(xlate(&w, 0xc0001234, &r), -EINVAL);
}

TEST(pae_wrap_at_4g)
{
	struct chunks c = {0};
	uint64_t pdpt;
	size_t done = 0;

	mem_reset();
	pdpt = new_table();
	put64(pdpt + 0, new_table() | P);
	put64(pdpt + 3 * 8, new_table() | P);
	map8(get64(pdpt + 3 * 8) & ~0xfffULL, 2, 0xfffff000, 0x77000, 1, ALL, ALL);
	map8(get64(pdpt) & ~0xfffULL, 2, 0, 0x88000, 1, ALL, ALL);
	struct walk_ctx w = ctx_pae(pdpt, false);

	CHECK_EQ(walk_range(&w, 0xfffffff8, 0x10, record_chunk, &c, &done), 0);
	CHECK_EQ(done, 0x10);
	CHECK_EQ(c.n, 2);
	CHECK_EQ(c.gpa[0], 0x77ff8);
	CHECK_EQ(c.len[0], 8);
	CHECK_EQ(c.gpa[1], 0x88000);
	CHECK_EQ(c.len[1], 8);
}

/* ---- 4-level ---- */

TEST(long4_pages)
{
	struct walk_result r;
	uint64_t pml4, e1g, e2m;

	mem_reset();
	pml4 = new_table();
	map8(pml4, 4, 0x400000, 0x200000, 1, ALL, ALL);
	e2m = map8(pml4, 4, 0xffffffff80000000ULL, 0x1000000, 2, P | RW, P | RW);
	e1g = map8(pml4, 4, 0x7f0000000000ULL, 0x3c0000000ULL, 3, ALL, P | US | NX);
	struct walk_ctx w = ctx_long(pml4 | 0x18 /* PWT/PCD */, false);

	CHECK_EQ(xlate(&w, 0x400123, &r), 0);
	CHECK_EQ(r.gpa, 0x200123);
	CHECK_EQ(r.page_size, 0x1000);
	CHECK_EQ(r.level, 1);
	CHECK(r.writable && r.user && !r.nx);
	CHECK_EQ(xlate(&w, 0xffffffff801fffffULL, &r), 0);
	CHECK_EQ(r.gpa, 0x11fffff);
	CHECK_EQ(r.page_size, 2 << 20);
	CHECK_EQ(r.level, 2);
	CHECK(r.writable && !r.user);
	CHECK_EQ(xlate(&w, 0x7f0012345678ULL, &r), 0);
	CHECK_EQ(r.gpa, 0x3d2345678ULL);
	CHECK_EQ(r.page_size, 1 << 30);
	CHECK_EQ(r.level, 3);
	CHECK(!r.writable && r.user && r.nx);

	/* Ignored bits 62:52 do not matter in long mode. */
	put64(e2m, get64(e2m) | (0x7ffULL << 52));
	CHECK_EQ(xlate(&w, 0xffffffff80000000ULL, &r), 0);
	CHECK_EQ(r.gpa, 0x1000000);
	/* Address bits above MAXPHYADDR (46) are reserved... */
	put64(e2m, get64(e2m) | (1ULL << 46));
	CHECK_EQ(xlate(&w, 0xffffffff80000000ULL, &r), -EINVAL);
	/* ...but not when MAXPHYADDR is 52. */
	w.maxphyaddr = 0;
	CHECK_EQ(xlate(&w, 0xffffffff80000000ULL, &r), 0);
	CHECK_EQ(r.gpa, 0x1000000 | (1ULL << 46));
	w.maxphyaddr = 46;
	/* Large-page address bits below the page size must be zero. */
	put64(e1g, get64(e1g) | (1ULL << 20));
	CHECK_EQ(xlate(&w, 0x7f0012345678ULL, &r), -EINVAL);
	put64(e1g, get64(e1g) & ~(1ULL << 20));
	/* XD without NXE. */
	w.efer &= ~X86_EFER_NXE;
	CHECK_EQ(xlate(&w, 0x7f0012345678ULL, &r), -EINVAL);
	CHECK_EQ(xlate(&w, 0x400123, &r), 0);
}

TEST(long4_not_present_each_level)
{
	struct walk_result r;
	uint64_t pml4, pte, pde, pdpte, pml4e;

	mem_reset();
	pml4 = new_table();
	pte = map8(pml4, 4, 0x8040201000ULL, 0x5000, 1, ALL, ALL);
	pml4e = pml4 + 1 * 8;
	pdpte = (get64(pml4e) & ~0xfffULL) + 1 * 8;
	pde = (get64(pdpte) & ~0xfffULL) + 1 * 8;
	CHECK_EQ(pte, (get64(pde) & ~0xfffULL) + 1 * 8);
	struct walk_ctx w = ctx_long(pml4, false);

	CHECK_EQ(xlate(&w, 0x8040201008ULL, &r), 0);
	CHECK_EQ(r.gpa, 0x5008);
	uint64_t slots[4] = { pte, pde, pdpte, pml4e };

	for (int i = 0; i < 4; i++) {
		uint64_t save = get64(slots[i]);

		put64(slots[i], save & ~P);
		CHECK_EQ(xlate(&w, 0x8040201008ULL, &r), -EFAULT);
		put64(slots[i], save);
	}
	CHECK_EQ(xlate(&w, 0x8040201008ULL, &r), 0);
	/* PS is reserved in a PML4E. */
	put64(pml4e, get64(pml4e) | PS);
	CHECK_EQ(xlate(&w, 0x8040201008ULL, &r), -EINVAL);
	put64(pml4e, get64(pml4e) & ~PS);
	/* A table beyond the memory the reader knows. */
	put64(pde, 0x40000000ULL | ALL);
	CHECK_EQ(xlate(&w, 0x8040201008ULL, &r), -EFAULT);
}

TEST(long4_canonical)
{
	struct walk_result r;
	uint64_t pml4;

	mem_reset();
	pml4 = new_table();
	map8(pml4, 4, 0xffff800000000000ULL, 0x9000, 1, ALL, ALL);
	map8(pml4, 4, 0x00007ffffffff000ULL, 0xa000, 1, ALL, ALL);
	struct walk_ctx w = ctx_long(pml4, false);

	CHECK_EQ(xlate(&w, 0xffff800000000010ULL, &r), 0);
	CHECK_EQ(r.gpa, 0x9010);
	CHECK_EQ(xlate(&w, 0x00007fffffffffffULL, &r), 0);
	CHECK_EQ(r.gpa, 0xafff);
	CHECK_EQ(xlate(&w, 0x0000800000000000ULL, &r), -EINVAL);
	CHECK_EQ(xlate(&w, 0xffff7fffffffffffULL, &r), -EINVAL);
	CHECK_EQ(xlate(&w, 0x8000000000000000ULL, &r), -EINVAL);
	reads = 0;
	CHECK_EQ(xlate(&w, 0x0001000000000000ULL, &r), -EINVAL);
	CHECK_EQ(reads, 0);	/* refused before touching memory */
}

/* ---- 5-level ---- */

TEST(long5)
{
	struct walk_result r;
	uint64_t pml5, pml5e;
	const uint64_t va = 0x00ff123456789000ULL;	/* bit 56 = 0, needs 57 bits */

	mem_reset();
	pml5 = new_table();
	map8(pml5, 5, va, 0xabc000, 1, ALL, ALL);
	map8(pml5, 5, 0xff00000000000000ULL, 0x40000000, 3, ALL, ALL);
	struct walk_ctx w = ctx_long(pml5, true);

	CHECK_EQ(xlate(&w, va + 0x12, &r), 0);
	CHECK_EQ(r.gpa, 0xabc012);
	CHECK_EQ(xlate(&w, 0xff00000000000004ULL, &r), 0);
	CHECK_EQ(r.gpa, 0x40000004);
	CHECK_EQ(r.page_size, 1 << 30);
	/* Non-canonical for 57 bits. */
	CHECK_EQ(xlate(&w, 0x0100000000000000ULL, &r), -EINVAL);
	CHECK_EQ(xlate(&w, 0xfe00000000000000ULL, &r), -EINVAL);
	/* The same address is non-canonical with 4 levels. */
	w.cr4 &= ~X86_CR4_LA57;
	CHECK_EQ(xlate(&w, va, &r), -EINVAL);
	w.cr4 |= X86_CR4_LA57;
	/* PML5E: not present, and PS reserved. */
	pml5e = pml5 + ((va >> 48) & 511) * 8;
	put64(pml5e, get64(pml5e) | PS);
	CHECK_EQ(xlate(&w, va, &r), -EINVAL);
	put64(pml5e, get64(pml5e) & ~(PS | P));
	CHECK_EQ(xlate(&w, va, &r), -EFAULT);
	CHECK_EQ(xlate(&w, 0x00fe000000000000ULL, &r), -EFAULT);
}

/* ---- ranges ---- */

TEST(range_across_pages)
{
	struct chunks c = {0};
	uint64_t pml4;
	size_t done = 0;
	const uint64_t a = 0x400000;

	mem_reset();
	pml4 = new_table();
	map8(pml4, 4, a, 0x200000, 1, ALL, ALL);
	map8(pml4, 4, a + 0x1000, 0x201000, 1, ALL, ALL);	/* contiguous */
	map8(pml4, 4, a + 0x2000, 0x500000, 1, ALL, ALL);	/* elsewhere */
	/* a + 0x3000 unmapped */
	struct walk_ctx w = ctx_long(pml4, false);

	/* Inside one page. */
	CHECK_EQ(walk_range(&w, a + 0x10, 0x20, record_chunk, &c, &done), 0);
	CHECK_EQ(done, 0x20);
	CHECK_EQ(c.n, 1);
	CHECK_EQ(c.gpa[0], 0x200010);

	/* Across a contiguous boundary (merged), then into a page elsewhere. */
	memset(&c, 0, sizeof(c));
	CHECK_EQ(walk_range(&w, a + 0x800, 0x2000, record_chunk, &c, &done), 0);
	CHECK_EQ(done, 0x2000);
	CHECK_EQ(c.n, 2);
	CHECK_EQ(c.off[0], 0);
	CHECK_EQ(c.gpa[0], 0x200800);
	CHECK_EQ(c.len[0], 0x1800);
	CHECK_EQ(c.off[1], 0x1800);
	CHECK_EQ(c.gpa[1], 0x500000);
	CHECK_EQ(c.len[1], 0x800);

	/* Into the unmapped page: what came before is delivered, then the fault. */
	memset(&c, 0, sizeof(c));
	CHECK_EQ(walk_range(&w, a + 0x800, 0x3000, record_chunk, &c, &done), -EFAULT);
	CHECK_EQ(done, 0x2800);
	CHECK_EQ(c.n, 2);
	CHECK_EQ(c.len[1], 0x1000);

	/* Starting in the unmapped page. */
	memset(&c, 0, sizeof(c));
	CHECK_EQ(walk_range(&w, a + 0x3000, 0x10, record_chunk, &c, &done), -EFAULT);
	CHECK_EQ(done, 0);
	CHECK_EQ(c.n, 0);

	/* The callback can stop the walk. */
	memset(&c, 0, sizeof(c));
	c.stop_at = 1;
	CHECK_EQ(walk_range(&w, a + 0x800, 0x2000, record_chunk, &c, &done), -EINTR);
	CHECK_EQ(done, 0);

	/* Zero length. */
	memset(&c, 0, sizeof(c));
	CHECK_EQ(walk_range(&w, a, 0, record_chunk, &c, &done), 0);
	CHECK_EQ(done, 0);
	CHECK_EQ(c.n, 0);
}

TEST(range_large_page_then_small)
{
	struct chunks c = {0};
	uint64_t pml4;
	size_t done = 0;

	mem_reset();
	pml4 = new_table();
	map8(pml4, 4, 0x40000000, 0x80000000, 2, ALL, ALL);	/* 2 MiB */
	map8(pml4, 4, 0x40200000, 0x80200000, 1, ALL, ALL);	/* 4 KiB, contiguous */
	map8(pml4, 4, 0x40201000, 0x10000, 1, ALL, ALL);
	struct walk_ctx w = ctx_long(pml4, false);

	CHECK_EQ(walk_range(&w, 0x401ff000, 0x3000, record_chunk, &c, &done), 0);
	CHECK_EQ(c.n, 2);
	CHECK_EQ(c.gpa[0], 0x801ff000);
	CHECK_EQ(c.len[0], 0x2000);
	CHECK_EQ(c.gpa[1], 0x10000);
	CHECK_EQ(c.len[1], 0x1000);
	CHECK_EQ(done, 0x3000);
}

/* ---- the trace monitor xlate prints ---- */

TEST(trace_long4_every_level)
{
	struct walk_result r;
	struct walk_trace tr;
	uint64_t pml4, leaf, va = 0xffffffff80323456ULL;

	mem_reset();
	pml4 = new_table();
	leaf = map8(pml4, 4, va, 0x345000, 1, P | RW, P | RW | NX);
	struct walk_ctx w = ctx_long(pml4, false);

	memset(&tr, 0xa5, sizeof(tr));
	CHECK_EQ(walk_translate_trace(&w, va, &r, &tr), 0);
	CHECK_EQ(r.gpa, 0x345456);
	CHECK_EQ(tr.n, 4);
	/* Each level's index is the va's 9 bits for it, its entry where it lies. */
	CHECK_EQ(tr.step[0].level, 4);
	CHECK_EQ(tr.step[0].index, 511);
	CHECK_EQ(tr.step[0].gpa, pml4 + 511 * 8);
	CHECK_EQ(tr.step[0].entry, get64(pml4 + 511 * 8));
	CHECK_EQ(tr.step[1].level, 3);
	CHECK_EQ(tr.step[1].index, 510);
	CHECK_EQ(tr.step[1].gpa, (get64(pml4 + 511 * 8) & ~0xfffULL) + 510 * 8);
	CHECK_EQ(tr.step[2].level, 2);
	CHECK_EQ(tr.step[2].index, 1);
	CHECK_EQ(tr.step[3].level, 1);
	CHECK_EQ(tr.step[3].index, 0x123);
	CHECK_EQ(tr.step[3].gpa, leaf);
	CHECK_EQ(tr.step[3].entry, 0x345000 | P | RW | NX);
	CHECK_EQ(tr.step[3].size, 8);
	/* The same answer as the plain walk. */
	struct walk_result r2;

	CHECK_EQ(xlate(&w, va, &r2), 0);
	CHECK_EQ(r2.gpa, r.gpa);
}

TEST(trace_stops_at_the_missing_entry)
{
	struct walk_result r;
	struct walk_trace tr;
	uint64_t pml4;

	mem_reset();
	pml4 = new_table();
	map8(pml4, 4, 0x40200000, 0x200000, 2, ALL, ALL);	/* one 2 MiB page */
	struct walk_ctx w = ctx_long(pml4, false);

	CHECK_EQ(walk_translate_trace(&w, 0x40200010, &r, &tr), 0);
	CHECK_EQ(tr.n, 3);				/* the PDE is the leaf */
	CHECK(tr.step[2].entry & PS);
	/* The next 1 GiB: the PDPTE read, not present, ends the walk. */
	CHECK_EQ(walk_translate_trace(&w, 0x80000000, &r, &tr), -EFAULT);
	CHECK_EQ(tr.n, 2);
	CHECK_EQ(tr.step[1].level, 3);
	CHECK_EQ(tr.step[1].index, 2);
	CHECK_EQ(tr.step[1].entry, 0);
	/* Paging off: nothing read. */
	w.cr0 = 1;
	CHECK_EQ(walk_translate_trace(&w, 0x1234, &r, &tr), 0);
	CHECK_EQ(tr.n, 0);
}

TEST(trace_32bit_and_pae)
{
	struct walk_result r;
	struct walk_trace tr;
	uint64_t pd, pt, pdpt;

	mem_reset();
	pd = new_table();
	pt = new_table();
	put32(pd + 1 * 4, (uint32_t)(pt | P | RW));
	put32(pt + 2 * 4, 0x456000 | P | RW);
	struct walk_ctx w = ctx_32(pd, false);

	CHECK_EQ(walk_translate_trace(&w, 0x00402abc, &r, &tr), 0);
	CHECK_EQ(tr.n, 2);
	CHECK_EQ(tr.step[0].level, 2);
	CHECK_EQ(tr.step[0].index, 1);
	CHECK_EQ(tr.step[0].gpa, pd + 4);
	CHECK_EQ(tr.step[0].size, 4);
	CHECK_EQ(tr.step[1].level, 1);
	CHECK_EQ(tr.step[1].index, 2);
	CHECK_EQ(tr.step[1].entry, 0x456000 | P | RW);

	mem_reset();
	pdpt = 0x10020;
	next_table = 0x11000;
	pd = new_table();
	put64(pdpt + 3 * 8, pd | P);
	map8(pd, 2, 0xc0001000, 0x321000, 1, ALL, ALL);
	w = ctx_pae(pdpt, true);
	CHECK_EQ(walk_translate_trace(&w, 0xc0001234, &r, &tr), 0);
	CHECK_EQ(tr.n, 3);
	CHECK_EQ(tr.step[0].level, 3);
	CHECK_EQ(tr.step[0].index, 3);
	CHECK_EQ(tr.step[0].gpa, pdpt + 24);
	CHECK_EQ(tr.step[2].entry & ~0xfffULL, 0x321000);
}

TEST_MAIN()
