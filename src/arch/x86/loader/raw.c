/*
 * raw.c -- a flat binary copied to raw.load_addr and entered at raw.entry in
 * the mode raw.mode chose (keys raw.addr, raw.entry, raw.mode).  Never picked
 * by "auto": a raw image has no header to recognise.
 *
 * No command line, initrd or firmware tables: the image gets exactly the
 * memory the user named.  What the loader itself writes -- the boot GDT for
 * 32/64-bit entries, the page tables for 64-bit ones -- must not overlap the
 * image, so those cases refuse such a load address instead of corrupting it.
 */
#include <errno.h>
#include <inttypes.h>
#include <string.h>

#include "core/gmem.h"
#include "loader/loader.h"
#include "arch/x86/platform.h"
#include "util.h"

#define GDT_SIZE	(BOOT_GDT_ENTRIES * 8ULL)
#define PGTABLE_END	0x10000ULL

static bool raw_probe(const uint8_t *img, size_t size)
{
	return false;
}

/* [a, a+alen) and [b, b+blen) intersect (neither wraps: callers checked). */
static bool overlaps(uint64_t a, uint64_t alen, uint64_t b, uint64_t blen)
{
	return a < b + blen && b < a + alen;
}

static int raw_check_entry(struct loader_ctx *ctx)
{
	uint64_t e = ctx->raw.entry;

	switch (ctx->raw.mode) {
	case BOOT_REAL16:
		if (e >= LAYOUT_HIMEM)
			return loader_error(ctx, -EINVAL, "real-mode entry 0x%" PRIx64
					    " is not below 1 MiB", e);
		return 0;
	case BOOT_PROT32:
		if (e > UINT32_MAX)
			return loader_error(ctx, -EINVAL, "32-bit entry 0x%" PRIx64
					    " is above 4 GiB", e);
		return 0;
	case BOOT_LONG64:
		if (e >= (1ULL << 32) && e < LOADER_KMAP_BASE)
			return loader_error(ctx, -EINVAL, "64-bit entry 0x%" PRIx64 " is not "
					    "mapped by the boot page tables (0..4 GiB, "
					    "0xffffffff80000000..)", e);
		return 0;
	}
	return loader_error(ctx, -EINVAL, "unknown raw boot mode %d", (int)ctx->raw.mode);
}

static int raw_load(struct loader_ctx *ctx, struct boot_state *bs)
{
	uint64_t addr = ctx->raw.load_addr, len = ctx->kernel_size;
	enum boot_mode mode = ctx->raw.mode;
	char ram[32];
	uint8_t *dst;
	int r;

	if (!len)
		return loader_error(ctx, -ENOEXEC, "empty image");
	if (ctx->initrd)
		return loader_error(ctx, -EINVAL, "a raw image cannot take an initrd");
	if ((r = raw_check_entry(ctx)))
		return r;
	dst = gmem_ptr(ctx->mem, addr, len);
	loader_size_str(ctx->mem->size, ram, sizeof(ram));
	if (!dst)
		return loader_error(ctx, -ENOMEM, "image (0x%" PRIx64 "+0x%" PRIx64 ") does not "
				    "fit in %s of RAM", addr, len, ram);
	if (mode != BOOT_REAL16 && overlaps(addr, len, LAYOUT_BOOT_GDT, GDT_SIZE))
		return loader_error(ctx, -EINVAL, "image (0x%" PRIx64 "+0x%" PRIx64 ") overlaps "
				    "the boot GDT at 0x%llx", addr, len, LAYOUT_BOOT_GDT);
	if (mode == BOOT_LONG64 &&
	    overlaps(addr, len, LAYOUT_PGTABLE, PGTABLE_END - LAYOUT_PGTABLE))
		return loader_error(ctx, -EINVAL, "image (0x%" PRIx64 "+0x%" PRIx64 ") overlaps "
				    "the boot page tables at 0x%llx..0x%llx", addr, len,
				    LAYOUT_PGTABLE, PGTABLE_END);
	memcpy(dst, ctx->kernel, len);

	memset(bs, 0, sizeof(*bs));
	bs->mode = mode;
	bs->rip = ctx->raw.entry;
	switch (mode) {
	case BOOT_REAL16:
		/* Largest segment whose base is 64 KiB aligned: cs:ip = 0xN000:xxxx. */
		bs->cs = (ctx->raw.entry & 0xf0000) >> 4;
		bs->cs_base = (uint64_t)bs->cs << 4;
		bs->rip = ctx->raw.entry & 0xffff;
		return 0;
	case BOOT_PROT32:
		r = x86_write_boot_gdt(ctx->mem, bs);
		break;
	case BOOT_LONG64:
		r = x86_write_long_mode_tables(ctx->mem, bs);
		break;
	}
	if (r)
		return loader_error(ctx, -EFAULT, "no RAM for the boot GDT/page tables");
	return 0;
}

const struct loader loader_raw = {
	.name = "raw",
	.probe = raw_probe,
	.load = raw_load,
};
