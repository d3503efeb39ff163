/* Unit tests: enumerating mappings over page tables built in a buffer. */
#include <stdlib.h>

#include "arch/x86/pgdump.h"
#include "test.h"

#define MEM (8u << 20)
static uint8_t *ram;

static int rd(void *o, uint64_t gpa, void *buf, size_t len)
{
	if (gpa + len > MEM)
		return -14;
	memcpy(buf, ram + gpa, len);
	return 0;
}

static void put64(uint64_t gpa, uint64_t v) { memcpy(ram + gpa, &v, 8); }
static void put32(uint64_t gpa, uint32_t v) { memcpy(ram + gpa, &v, 4); }

struct got { int n; struct pg_range r[16]; };

static int collect(void *o, const struct pg_range *r)
{
	struct got *g = o;

	if (g->n < 16)
		g->r[g->n] = *r;
	g->n++;
	return 0;
}

TEST(four_level)
{
	struct walk_ctx w = { .cr0 = X86_CR0_PG, .cr3 = 0x1000, .cr4 = X86_CR4_PAE,
			      .efer = X86_EFER_LMA | X86_EFER_LME | X86_EFER_NXE,
			      .read_phys = rd };
	struct got g = { 0 };

	ram = calloc(1, MEM);
	/* PML4[0] -> PDPT 0x2000; PDPT[0] -> PD 0x3000; PD[0] -> PT 0x4000 */
	put64(0x1000, 0x2000 | 3);
	put64(0x2000, 0x3000 | 3);
	put64(0x3000, 0x4000 | 3);
	put64(0x4000 + 8 * 1, 0x100000 | 3);		/* 0x1000 -> 0x100000 rw */
	put64(0x4000 + 8 * 2, 0x101000 | 3);		/* 0x2000 -> 0x101000: merges */
	put64(0x4000 + 8 * 3, 0x200000 | 1 | (1ULL << 63));	/* ro, nx */
	put64(0x3000 + 8 * 1, 0x400000 | 0x83);	/* 2 MiB page at 0x200000 */
	/* PML4[511] -> PDPT 0x5000; PDPT[510] -> 1 GiB page at phys 0 */
	put64(0x1000 + 8 * 511, 0x5000 | 7);
	put64(0x5000 + 8 * 510, 0x0 | 0x87);
	CHECK(pgdump(&w, collect, &g) == 0);
	CHECK_EQ(g.n, 4);
	CHECK_EQ(g.r[0].va, 0x1000); CHECK_EQ(g.r[0].pa, 0x100000); CHECK_EQ(g.r[0].size, 0x2000);
	CHECK(g.r[0].writable && !g.r[0].nx);
	CHECK_EQ(g.r[1].va, 0x3000); CHECK(!g.r[1].writable && g.r[1].nx);
	CHECK_EQ(g.r[2].va, 0x200000); CHECK_EQ(g.r[2].pa, 0x400000); CHECK_EQ(g.r[2].size, 2 << 20);
	CHECK_EQ(g.r[3].va, 0xffffffff80000000ULL); CHECK_EQ(g.r[3].pa, 0);
	CHECK_EQ(g.r[3].size, 1ULL << 30);
	CHECK(g.r[3].user);			/* U set at both levels */
	CHECK(!g.r[0].user);			/* PML4[0] lacks U */
	free(ram);
}

TEST(paging32_and_off)
{
	struct walk_ctx w = { .cr0 = X86_CR0_PG, .cr3 = 0x1000, .cr4 = X86_CR4_PSE, .read_phys = rd };
	struct got g = { 0 };

	ram = calloc(1, MEM);
	put32(0x1000 + 4 * 1, 0x00400000 | 0x83);	/* 4 MiB page va 0x400000 -> 0x400000 */
	put32(0x1000 + 4 * 2, 0x2000 | 3);		/* PT for va 0x800000 */
	put32(0x2000 + 4 * 5, 0x7000 | 1);		/* 0x805000 -> 0x7000 ro */
	CHECK(pgdump(&w, collect, &g) == 0);
	CHECK_EQ(g.n, 2);
	CHECK_EQ(g.r[0].va, 0x400000); CHECK_EQ(g.r[0].size, 4 << 20);
	CHECK_EQ(g.r[1].va, 0x805000); CHECK_EQ(g.r[1].pa, 0x7000); CHECK(!g.r[1].writable);
	g.n = 0;
	w.cr0 = 0;
	CHECK(pgdump(&w, collect, &g) == 0);
	CHECK_EQ(g.n, 1);
	CHECK_EQ(g.r[0].size, 1ULL << 32);
	free(ram);
}

TEST(pae)
{
	struct walk_ctx w = { .cr0 = X86_CR0_PG, .cr3 = 0x1000, .cr4 = X86_CR4_PAE, .read_phys = rd };
	struct got g = { 0 };

	ram = calloc(1, MEM);
	put64(0x1000 + 8 * 3, 0x2000 | 1);		/* PDPTE 3: va 0xc0000000.. */
	put64(0x2000, 0x600000 | 0x83);		/* 2 MiB at 0xc0000000 */
	CHECK(pgdump(&w, collect, &g) == 0);
	CHECK_EQ(g.n, 1);
	CHECK_EQ(g.r[0].va, 0xc0000000ULL); CHECK_EQ(g.r[0].pa, 0x600000);
	free(ram);
}

TEST_MAIN()
