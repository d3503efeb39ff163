/*
 * test_bzimage.c -- the bzImage loader (Linux 64-bit boot protocol) on
 * bzImages built here: zero page contents, placement, refusals.
 */
#include "loader_fixture.h"

#define BZ_SECTS 3
#define BZ_PM (512 * (BZ_SECTS + 1))	/* protected-mode kernel's file offset */

static size_t mk_bz(uint16_t version, uint16_t xlf, uint64_t pref, uint32_t init_size)
{
	size_t n = BZ_PM + 0x3000;

	memset(img, 0, n);
	for (size_t i = BZ_PM; i < n; i++)
		img[i] = (uint8_t)(i * 13);
	img[0x1f1] = BZ_SECTS;
	patch(0x1fe, 0xaa55, 2);
	img[0x200] = 0xeb;			/* jmp to the end of the header */
	img[0x201] = 0x6a;			/* header ends at 0x26c */
	memcpy(img + 0x202, "HdrS", 4);
	patch(0x206, version, 2);
	img[0x211] = 0x01;			/* LOADED_HIGH */
	patch(0x22c, 0x7fffffff, 4);		/* initrd_addr_max */
	patch(0x230, 0x200000, 4);		/* kernel_alignment */
	img[0x234] = 1;				/* relocatable */
	patch(0x236, xlf, 2);
	patch(0x238, 0x7ff, 4);			/* cmdline_size */
	patch(0x258, pref, 8);
	patch(0x260, init_size, 4);
	patch(0x268, 0x12345678, 4);		/* kernel_info_offset: copied as is */
	patch(0x1f4, 0x3000 / 16, 4);		/* syssize */
	return n;
}

TEST(bzimage)
{
	struct e820_entry e[E820_MAX];
	const uint64_t zp = LAYOUT_ZERO_PAGE, need = 0x1000000 + 0x800000;
	size_t n = mk_bz(0x020f, 0x1 | 0x2, 0x1000000, 0x800000);
	int ne;

	setup(64 * MiB);
	ne = e820_build(&mem, e, E820_MAX);
	ctx.initrd = initrd;
	ctx.initrd_size = sizeof(initrd);
	memset(ram + zp, 0xcc, 4096);
	CHECK(loader_find("auto", img, n) == &loader_bzimage);
	CHECK_EQ(load("auto", n), 0);
	CHECK_EQ(bs.mode, BOOT_LONG64);
	CHECK_EQ(bs.rip, 0x100200);
	CHECK_EQ(bs.rsi, zp);
	CHECK_EQ(bs.cr3, LAYOUT_PGTABLE);
	CHECK_EQ(bs.gdt_base, LAYOUT_BOOT_GDT);
	CHECK_EQ(g(LAYOUT_BOOT_GDT + BOOT_SEL_CODE64, 8), 0x00af9b000000ffffULL);
	CHECK_EQ(walk(bs.rip), 0x100200);
	CHECK(gmem_eq(0x100000, img + BZ_PM, 0x3000));
	/* The zero page: setup header copied, loader fields filled, the rest zero. */
	CHECK(all_zero(zp, 0x70));
	CHECK(gmem_eq(zp + 0x1f1, img + 0x1f1, 0x210 - 0x1f1));
	CHECK(gmem_eq(zp + 0x202, "HdrS", 4));
	CHECK_EQ(g(zp + 0x268, 4), 0x12345678);
	CHECK(all_zero(zp + 0x26c, 0x290 - 0x26c));
	CHECK_EQ(g(zp + 0x210, 1), 0xff);
	CHECK_EQ(g(zp + 0x211, 1), 0x01);
	CHECK_STR(gstr(g(zp + 0x228, 4)), "console=ttyS0 hello");
	CHECK_EQ(g(zp + 0x21c, 4), sizeof(initrd));
	CHECK_EQ(g(zp + 0x218, 4) % 4096, 0);
	CHECK(g(zp + 0x218, 4) >= need);
	CHECK(g(zp + 0x218, 4) + sizeof(initrd) <= 64 * MiB);
	CHECK(gmem_eq(g(zp + 0x218, 4), initrd, sizeof(initrd)));
	CHECK(gmem_eq(g(zp + 0x70, 8), "RSD PTR ", 8));
	CHECK_EQ(g(zp + 0x1e8, 1), ne);
	CHECK(gmem_eq(zp + 0x2d0, e, ne * sizeof(e[0])));
	CHECK(all_zero(zp + 0x2d0 + ne * 20, 4096 - 0x2d0 - ne * 20));

	/* 2.12: no acpi_rsdp_addr; the initrd stays under initrd_addr_max. */
	n = mk_bz(0x020c, 0x1, 0x1000000, 0x800000);
	patch(0x22c, 0x1ffffff, 4);
	setup(64 * MiB);
	ctx.initrd = initrd;
	ctx.initrd_size = sizeof(initrd);
	CHECK_EQ(load("bzimage", n), 0);
	CHECK_EQ(g(zp + 0x70, 8), 0);
	CHECK(g(zp + 0x218, 4) + sizeof(initrd) <= 0x2000000);
	CHECK(g(zp + 0x218, 4) + sizeof(initrd) > 0x2000000 - 4096);
	CHECK(g(zp + 0x218, 4) >= need);
}

TEST(bzimage_bad)
{
	size_t n;

	setup(64 * MiB);
	n = mk_bz(0x020b, 0x1, 0, 0x100000);
	CHECK(loader_find("auto", img, n) == &loader_bzimage);
	CHECK_FAIL("bzimage", n, -ENOEXEC, "boot protocol 2.11 is too old");
	n = mk_bz(0x020f, 0x2, 0x1000000, 0x100000);
	CHECK_FAIL("bzimage", n, -ENOEXEC, "XLF_KERNEL_64");
	n = mk_bz(0x020f, 0x1, 0x1000000, 0x100000);
	CHECK_FAIL("bzimage", BZ_PM, -ENOEXEC, "no kernel after them");
	CHECK_FAIL("bzimage", 0x240, -ENOEXEC, "setup header truncated");
	CHECK_FAIL("bzimage", n - 1, -ENOEXEC, "the kernel is 12287 bytes, its header says 12288");
	img[0x201] = 0x10;				/* header ends before 2.12's fields */
	CHECK_FAIL("bzimage", n, -ENOEXEC, "setup header truncated");
	n = mk_bz(0x020f, 0x1, 0x1000000, 0x4000000);	/* needs 16 + 64 MiB */
	CHECK_FAIL("bzimage", n, -ENOMEM, "needs RAM up to 0x5000000, more than the guest's 64 MiB");
	n = mk_bz(0x020f, 0x1, 0x1000000, 0x100000);
	patch(0x238, 5, 4);
	CHECK_FAIL("bzimage", n, -E2BIG, "command line is 19 bytes, the limit is 5");
	n = mk_bz(0x020f, 0x1, 0x1000000, 0x1000);
	patch(0x22c, 0x1001fff, 4);			/* one page between kernel and limit */
	ctx.initrd = initrd;
	ctx.initrd_size = sizeof(initrd);
	CHECK_FAIL("bzimage", n, -ENOMEM, "initrd (12411 bytes) does not fit");
	ctx.initrd = NULL;
	img[0x211] = 0;
	CHECK_FAIL("bzimage", n, -ENOEXEC, "does not load high");
	n = mk_bz(0x020f, 0x1, 0x1000000, 0x1000);
	img[0x1fe] = 0;
	CHECK(loader_find("auto", img, n) == NULL);
	CHECK_FAIL("bzimage", n, -ENOEXEC, "not a bzImage");
	setup(8 * MiB);
	n = mk_bz(0x020f, 0x1, 0x1000000, 0x1000);
	CHECK_FAIL("bzimage", n, -ENOMEM, "more than the guest's 8 MiB");
}

TEST_MAIN()
