/*
 * boot_tables.c -- the boot GDT and the long-mode page tables loaders hand to
 * the boot vCPU (layout in platform.h).
 *
 * Page tables, 7 pages from LAYOUT_PGTABLE:
 *   +0x0000 PML4: [0] -> low PDPT, [511] -> high PDPT
 *   +0x1000 low PDPT: [0..3] -> PD0..PD3 (identity 0..4 GiB)
 *   +0x2000 high PDPT: [510] -> PD0, [511] -> PD1 (0xffffffff80000000 -> 0..2 GiB)
 *   +0x3000..+0x6000 PD0..PD3: 512 x 2 MiB pages each
 * The high alias shares PD0/PD1 with the identity map, so both views of a page
 * are always the same memory.  The identity map covers the MMIO hole as well:
 * the kernel replaces these tables long before it touches devices by address.
 */
#include <errno.h>
#include <string.h>

#include "core/gmem.h"
#include "loader/loader.h"
#include "arch/x86/platform.h"

#define PTE_P		0x001ULL
#define PTE_RW		0x002ULL
#define PTE_PS		0x080ULL

#define PG_PML4		(LAYOUT_PGTABLE + 0x0000)
#define PG_PDPT_LO	(LAYOUT_PGTABLE + 0x1000)
#define PG_PDPT_HI	(LAYOUT_PGTABLE + 0x2000)
#define PG_PD(i)	(LAYOUT_PGTABLE + 0x3000 + 0x1000 * (uint64_t)(i))
#define PG_TOTAL	0x7000

/*
 * Descriptors: base 0, limit 0xfffff with G=1 (4 GiB), present, DPL 0,
 * accessed bit already set so the CPU never writes the GDT when loading them.
 */
static const uint64_t boot_gdt[BOOT_GDT_ENTRIES] = {
	[0] = 0,
	[BOOT_SEL_CODE32 / 8] = 0x00cf9b000000ffffULL,	/* G, D=1, code r/x */
	[BOOT_SEL_CODE64 / 8] = 0x00af9b000000ffffULL,	/* G, L=1, code r/x */
	[BOOT_SEL_DATA / 8] = 0x00cf93000000ffffULL,	/* G, B=1, data r/w */
};

int x86_write_boot_gdt(const struct gmem *m, struct boot_state *bs)
{
	if (gmem_write(m, LAYOUT_BOOT_GDT, boot_gdt, sizeof(boot_gdt)))
		return -EFAULT;
	bs->gdt_base = LAYOUT_BOOT_GDT;
	bs->gdt_limit = sizeof(boot_gdt) - 1;
	return 0;
}

int x86_write_long_mode_tables(const struct gmem *m, struct boot_state *bs)
{
	uint64_t *pt = gmem_ptr(m, LAYOUT_PGTABLE, PG_TOTAL);
	uint64_t *pml4, *pdpt_lo, *pdpt_hi;

	if (!pt)
		return -EFAULT;
	memset(pt, 0, PG_TOTAL);
	pml4 = pt;
	pdpt_lo = pt + 512;
	pdpt_hi = pt + 1024;
	pml4[0] = PG_PDPT_LO | PTE_P | PTE_RW;
	pml4[511] = PG_PDPT_HI | PTE_P | PTE_RW;
	for (int i = 0; i < 4; i++) {
		uint64_t *pd = pt + 512 * (3 + i);

		pdpt_lo[i] = PG_PD(i) | PTE_P | PTE_RW;
		for (uint64_t j = 0; j < 512; j++)
			pd[j] = (((uint64_t)i << 30) + (j << 21)) | PTE_P | PTE_RW | PTE_PS;
	}
	pdpt_hi[510] = PG_PD(0) | PTE_P | PTE_RW;
	pdpt_hi[511] = PG_PD(1) | PTE_P | PTE_RW;
	bs->cr3 = PG_PML4;
	return x86_write_boot_gdt(m, bs);
}
