/*
 * bzimage.c -- Linux bzImage through the 64-bit boot protocol
 * (Documentation/arch/x86/boot.rst): the real-mode setup code is skipped; the
 * protected-mode kernel is copied to 0x100000 and entered in long mode at its
 * offset 0x200 (startup_64) with rsi = the boot_params ("zero page").
 *
 * Needs protocol 2.12+ with XLF_KERNEL_64.  Load address: always 0x100000
 * (LAYOUT_HIMEM), the address every bzImage accepts.  A relocatable kernel
 * then decompresses itself to max(its load address, pref_address) and a
 * non-relocatable one to pref_address (LOAD_PHYSICAL_ADDR), using init_size
 * bytes from there: that window, like the image itself, must be RAM, and the
 * initrd goes above both (page-aligned at the top of low RAM, under
 * initrd_addr_max).
 *
 * Guest memory used below 1 MiB: boot_params at LAYOUT_ZERO_PAGE, the page
 * tables and GDT, the command line at LAYOUT_CMDLINE, the MP/ACPI tables.
 */
#include <errno.h>
#include <inttypes.h>
#include <string.h>

#include "core/gmem.h"
#include "loader/loader.h"
#include "arch/x86/platform.h"
#include "util.h"

/* boot_params offsets (Documentation/arch/x86/zero-page.rst) */
#define BP_ACPI_RSDP		0x070
#define BP_E820_ENTRIES		0x1e8
#define BP_HDR			0x1f1	/* struct setup_header, copied from the image */
#define BP_HDR_MAX		0x290	/* first byte after the room for the header */
#define BP_E820_TABLE		0x2d0
#define BP_E820_MAX		128
#define BP_SIZE			0x1000

/* setup_header fields, at their offsets in the image and in boot_params */
#define SH_SETUP_SECTS		0x1f1
#define SH_SYSSIZE		0x1f4	/* protected-mode kernel size in 16-byte units */
#define SH_BOOT_FLAG		0x1fe
#define SH_JUMP			0x200	/* jmp rel8: its displacement gives the header's end */
#define SH_MAGIC		0x202
#define SH_VERSION		0x206
#define SH_TYPE_OF_LOADER	0x210
#define SH_LOADFLAGS		0x211
#define SH_CODE32_START		0x214
#define SH_RAMDISK_IMAGE	0x218
#define SH_RAMDISK_SIZE		0x21c
#define SH_CMD_LINE_PTR		0x228
#define SH_INITRD_ADDR_MAX	0x22c
#define SH_XLOADFLAGS		0x236
#define SH_CMDLINE_SIZE		0x238
#define SH_PREF_ADDRESS		0x258
#define SH_INIT_SIZE		0x260
#define SH_END_2_12		0x268	/* a 2.12 header reaches at least here */

#define LOADED_HIGH		0x01
#define XLF_KERNEL_64		0x0001
#define KERNEL_ADDR		LAYOUT_HIMEM
#define ENTRY_64_OFFSET		0x200

static uint64_t rd(const uint8_t *p, size_t off, size_t len)
{
	uint64_t v = 0;

	memcpy(&v, p + off, len);	/* little-endian host, like the guest */
	return v;
}

static void wr(uint8_t *p, size_t off, uint64_t v, size_t len)
{
	memcpy(p + off, &v, len);
}

static bool bz_probe(const uint8_t *img, size_t size)
{
	return img && size >= SH_MAGIC + 4 && rd(img, SH_BOOT_FLAG, 2) == 0xaa55 &&
	       !memcmp(img + SH_MAGIC, "HdrS", 4);
}

/* Check the header; sets *hdr_end (exclusive) and *pm_off (protected-mode kernel). */
static int check_header(struct loader_ctx *ctx, size_t *hdr_end, size_t *pm_off)
{
	const uint8_t *img = ctx->kernel;
	size_t size = ctx->kernel_size;
	unsigned ver, sects;

	if (!bz_probe(img, size))
		return loader_error(ctx, -ENOEXEC, "not a bzImage (no 0xAA55 boot flag and "
				    "\"HdrS\" setup header)");
	if (size < SH_END_2_12)
		return loader_error(ctx, -ENOEXEC, "setup header truncated (file is %zu bytes)",
				    size);
	ver = rd(img, SH_VERSION, 2);
	if (ver < 0x20c)
		return loader_error(ctx, -ENOEXEC, "boot protocol %u.%02u is too old: hyve "
				    "needs 2.12+ (64-bit entry)", ver >> 8, ver & 0xff);
	*hdr_end = SH_MAGIC + img[SH_JUMP + 1];
	if (*hdr_end < SH_END_2_12 || *hdr_end > size)
		return loader_error(ctx, -ENOEXEC, "setup header truncated (ends at 0x%zx, "
				    "file is %zu bytes)", *hdr_end, size);
	if (!(img[SH_LOADFLAGS] & LOADED_HIGH))
		return loader_error(ctx, -ENOEXEC, "kernel does not load high (zImage?)");
	if (!(rd(img, SH_XLOADFLAGS, 2) & XLF_KERNEL_64))
		return loader_error(ctx, -ENOEXEC, "kernel has no 64-bit entry point "
				    "(XLF_KERNEL_64 clear in xloadflags)");
	sects = img[SH_SETUP_SECTS] ? img[SH_SETUP_SECTS] : 4;
	*pm_off = (sects + 1) * 512;
	if (*pm_off >= size)
		return loader_error(ctx, -ENOEXEC, "truncated: %u setup sectors and no kernel "
				    "after them (file is %zu bytes)", sects, size);
	if (rd(img, SH_SYSSIZE, 4) * 16 > size - *pm_off)
		return loader_error(ctx, -ENOEXEC, "truncated: the kernel is %zu bytes, its "
				    "header says %" PRIu64, size - *pm_off,
				    rd(img, SH_SYSSIZE, 4) * 16);
	return 0;
}

static int bz_load(struct loader_ctx *ctx, struct boot_state *bs)
{
	const uint8_t *img = ctx->kernel;
	struct e820_entry e820[E820_MAX];
	size_t hdr_end = 0, pm_off = 0, pm_size;
	uint64_t pref, init_size, need, initrd, rsdp;
	uint8_t *bp, *dst;
	char ram[32];
	int n, r;

	if ((r = check_header(ctx, &hdr_end, &pm_off)))
		return r;
	pm_size = ctx->kernel_size - pm_off;
	pref = rd(img, SH_PREF_ADDRESS, 8);
	init_size = rd(img, SH_INIT_SIZE, 4);
	if (!pref)
		pref = KERNEL_ADDR;
	if (pref > GMEM_HIGH_BASE)
		return loader_error(ctx, -ENOEXEC, "pref_address 0x%" PRIx64 " is above 4 GiB",
				    pref);
	need = MAX(KERNEL_ADDR + pm_size, pref + init_size);
	loader_size_str(ctx->mem->size, ram, sizeof(ram));
	if (need > gmem_low_end(ctx->mem))
		return loader_error(ctx, -ENOMEM, "kernel (%zu bytes, init_size 0x%" PRIx64
				    " from 0x%" PRIx64 ") needs RAM up to 0x%" PRIx64
				    ", more than the guest's %s", pm_size, init_size, pref,
				    need, ram);
	dst = gmem_ptr(ctx->mem, KERNEL_ADDR, pm_size);
	bp = gmem_ptr(ctx->mem, LAYOUT_ZERO_PAGE, BP_SIZE);
	if (!dst || !bp)
		return loader_error(ctx, -ENOMEM, "kernel does not fit in %s of RAM", ram);
	memcpy(dst, img + pm_off, pm_size);

	if ((r = loader_put_cmdline(ctx, rd(img, SH_CMDLINE_SIZE, 4))) ||
	    (r = loader_put_initrd(ctx, need, rd(img, SH_INITRD_ADDR_MAX, 4) + 1, &initrd)) ||
	    (r = loader_put_tables(ctx, &rsdp)))
		return r;

	memset(bp, 0, BP_SIZE);
	memcpy(bp + BP_HDR, img + BP_HDR, MIN(hdr_end, (size_t)BP_HDR_MAX) - BP_HDR);
	wr(bp, SH_TYPE_OF_LOADER, 0xff, 1);	/* "undefined" boot loader */
	wr(bp, SH_CODE32_START, KERNEL_ADDR, 4);
	wr(bp, SH_CMD_LINE_PTR, LAYOUT_CMDLINE, 4);
	wr(bp, SH_RAMDISK_IMAGE, initrd, 4);
	wr(bp, SH_RAMDISK_SIZE, initrd ? ctx->initrd_size : 0, 4);
	n = MIN(e820_build(ctx->mem, e820, E820_MAX), BP_E820_MAX);
	wr(bp, BP_E820_ENTRIES, n, 1);
	memcpy(bp + BP_E820_TABLE, e820, n * sizeof(e820[0]));
	if (rd(img, SH_VERSION, 2) >= 0x20e)
		wr(bp, BP_ACPI_RSDP, rsdp, 8);

	memset(bs, 0, sizeof(*bs));
	bs->mode = BOOT_LONG64;
	bs->rip = KERNEL_ADDR + ENTRY_64_OFFSET;
	bs->rsi = LAYOUT_ZERO_PAGE;
	if (x86_write_long_mode_tables(ctx->mem, bs))
		return loader_error(ctx, -EFAULT, "no RAM for the boot page tables");
	return 0;
}

const struct loader loader_bzimage = {
	.name = "bzimage",
	.probe = bz_probe,
	.load = bz_load,
};
