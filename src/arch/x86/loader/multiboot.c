/*
 * multiboot.c -- Multiboot (v1, 0.6.96) kernels: a header in the first 8 KiB,
 * the image loaded either from the header's a.out-kludge addresses (flag 16)
 * or from its ELF program headers (at p_paddr), entered in flat 32-bit
 * protected mode with eax = 0x2BADB002 and ebx = the multiboot info structure.
 *
 * Header flags 0..15 are requirements a loader must refuse if it cannot meet:
 *   bit 0 (page-aligned modules): always met.
 *   bit 1 (memory information): always given (mem_*, mmap).
 *   bit 2 (video mode): accepted but ignored -- hyve has no framebuffer, the
 *         info structure carries no video fields (flag bits 11/12 clear) and the
 *         kernel must cope with text output / a serial console, as it must on
 *         any loader that cannot set the requested mode.  Refusing would lock
 *         out kernels that only set the bit as a preference.
 *   any other bit below 16: refused.
 *
 * Guest memory used below 1 MiB: the boot GDT, the info structure and its
 * tables in 0x7000..0x9000, the command line at LAYOUT_CMDLINE, the MP/ACPI
 * tables (a multiboot kernel may look for them).  The initrd, if any, is the
 * only module, page-aligned at the top of low RAM.
 */
#include <errno.h>
#include <inttypes.h>
#include <string.h>

#include "core/gmem.h"
#include "loader/elf.h"
#include "loader/loader.h"
#include "arch/x86/platform.h"
#include "util.h"

#define MB_MAGIC		0x1badb002u
#define MB_BOOT_MAGIC		0x2badb002u
#define MB_SEARCH		8192
#define MB_FLAG_PAGE_ALIGN	(1u << 0)
#define MB_FLAG_MEMINFO		(1u << 1)
#define MB_FLAG_VIDEO		(1u << 2)
#define MB_FLAG_AOUT		(1u << 16)
#define MB_REQ_SUPPORTED	(MB_FLAG_PAGE_ALIGN | MB_FLAG_MEMINFO | MB_FLAG_VIDEO)

/* multiboot_info.flags */
#define MBI_MEMORY		(1u << 0)
#define MBI_CMDLINE		(1u << 2)
#define MBI_MODS		(1u << 3)
#define MBI_MMAP		(1u << 6)
#define MBI_LOADER_NAME		(1u << 9)

/* The info structure and what it points to, inside 0x7000..0x9000. */
#define MBI_ADDR		LAYOUT_ZERO_PAGE
#define MBI_MMAP_ADDR		(LAYOUT_ZERO_PAGE + 0x100)
#define MBI_MODS_ADDR		(LAYOUT_ZERO_PAGE + 0x300)
#define MBI_MODSTR_ADDR		(LAYOUT_ZERO_PAGE + 0x310)
#define MBI_NAME_ADDR		(LAYOUT_ZERO_PAGE + 0x380)
#define MBI_SCRATCH_END		0x9000ULL

struct mb_header {
	uint32_t magic, flags, checksum;
	/* valid with MB_FLAG_AOUT */
	uint32_t header_addr, load_addr, load_end_addr, bss_end_addr, entry_addr;
};

struct mb_info {
	uint32_t flags;
	uint32_t mem_lower, mem_upper;	/* KiB below 640 KiB / above 1 MiB */
	uint32_t boot_device;
	uint32_t cmdline;
	uint32_t mods_count, mods_addr;
	uint32_t syms[4];
	uint32_t mmap_length, mmap_addr;
	uint32_t drives_length, drives_addr;
	uint32_t config_table;
	uint32_t boot_loader_name;
	uint32_t apm_table;
	uint32_t vbe[4];
	uint8_t framebuffer[28];	/* unused: no video */
} __attribute__((packed));

struct mb_mmap {
	uint32_t size;			/* of the rest of the entry: 20 */
	uint64_t addr, len;
	uint32_t type;
} __attribute__((packed));

struct mb_module {
	uint32_t start, end, string, reserved;
};

_Static_assert(sizeof(struct mb_info) == 116, "multiboot_info layout");
_Static_assert(MBI_NAME_ADDR + 16 <= MBI_SCRATCH_END &&
	       MBI_MMAP_ADDR + E820_MAX * sizeof(struct mb_mmap) <= MBI_MODS_ADDR,
	       "multiboot scratch layout");

/*
 * Find the header: 4-aligned, in the first 8 KiB, checksum valid.  Returns its
 * file offset, -ENOENT if there is no magic, -EINVAL if every magic found had
 * a bad checksum (*bad_off: the first).
 */
static long find_header(const uint8_t *img, size_t size, struct mb_header *h, long *bad_off)
{
	size_t lim = MIN(size, (size_t)MB_SEARCH);
	long bad = -1;

	for (size_t off = 0; off + 12 <= lim; off += 4) {
		uint32_t w[3];

		memcpy(w, img + off, 12);
		if (w[0] != MB_MAGIC)
			continue;
		if ((uint32_t)(w[0] + w[1] + w[2]) != 0) {
			if (bad < 0)
				bad = off;
			continue;
		}
		memset(h, 0, sizeof(*h));
		memcpy(h, img + off, MIN(sizeof(*h), size - off));
		return off;
	}
	if (bad_off)
		*bad_off = bad;
	return bad >= 0 ? -EINVAL : -ENOENT;
}

static bool mb_probe(const uint8_t *img, size_t size)
{
	struct mb_header h;

	return img && find_header(img, size, &h, NULL) >= 0;
}

/* a.out kludge: the header says which file bytes go where. */
static int load_aout(struct loader_ctx *ctx, const struct mb_header *h, long hoff,
		     uint64_t *entry, uint64_t *end)
{
	uint64_t size = ctx->kernel_size, file_off, load_end, bss_end, span;
	char ram[32];
	uint8_t *dst;

	if ((uint64_t)hoff + sizeof(*h) > size)
		return loader_error(ctx, -ENOEXEC, "multiboot header (a.out fields) truncated");
	if (h->load_addr > h->header_addr || h->header_addr - h->load_addr > (uint64_t)hoff)
		return loader_error(ctx, -ENOEXEC,
				    "multiboot load_addr 0x%x / header_addr 0x%x put the load "
				    "before the start of the file", h->load_addr, h->header_addr);
	file_off = hoff - (h->header_addr - h->load_addr);
	if (!h->load_end_addr) {
		load_end = h->load_addr + (size - file_off);
	} else {
		if (h->load_end_addr < h->load_addr ||
		    h->load_end_addr - h->load_addr > size - file_off)
			return loader_error(ctx, -ENOEXEC,
					    "multiboot load_end_addr 0x%x is outside the file "
					    "(load_addr 0x%x, %" PRIu64 " bytes from offset 0x%" PRIx64 ")",
					    h->load_end_addr, h->load_addr, size - file_off, file_off);
		load_end = h->load_end_addr;
	}
	bss_end = h->bss_end_addr ? h->bss_end_addr : load_end;
	if (bss_end < load_end)
		return loader_error(ctx, -ENOEXEC, "multiboot bss_end_addr 0x%" PRIx64
				    " is below load_end_addr 0x%" PRIx64, bss_end, load_end);
	if (h->entry_addr < h->load_addr || h->entry_addr >= load_end)
		return loader_error(ctx, -ENOEXEC, "multiboot entry_addr 0x%x is outside the "
				    "loaded image 0x%x..0x%" PRIx64, h->entry_addr, h->load_addr,
				    load_end);
	span = bss_end - h->load_addr;
	if (h->load_addr < LAYOUT_HIMEM)
		return loader_error(ctx, -EINVAL, "image (0x%x+0x%" PRIx64 ") overlaps the first "
				    "MiB, which holds the boot structures", h->load_addr, span);
	dst = gmem_ptr(ctx->mem, h->load_addr, span);
	loader_size_str(ctx->mem->size, ram, sizeof(ram));
	if (!dst)
		return loader_error(ctx, -ENOMEM, "image (0x%x+0x%" PRIx64 ") does not fit in "
				    "%s of RAM", h->load_addr, span, ram);
	memcpy(dst, ctx->kernel + file_off, load_end - h->load_addr);
	memset(dst + (load_end - h->load_addr), 0, bss_end - load_end);
	*entry = h->entry_addr;
	*end = bss_end;
	return 0;
}

static int load_elf(struct loader_ctx *ctx, uint64_t *entry, uint64_t *end)
{
	struct elf_file ef;
	int r = elf_open(ctx, ctx->kernel, ctx->kernel_size, &ef);

	if (r)
		return r;
	r = elf_load(ctx, &ef, ELF_ADDR_PADDR, end);
	if (r)
		return r;
	/* e_entry is virtual; with p_vaddr != p_paddr it is moved like its segment. */
	if (elf_addr_to_gpa(&ef, ELF_ADDR_PADDR, ef.entry, true, entry))
		return loader_error(ctx, -ENOEXEC, "entry point 0x%" PRIx64
				    " is not inside any loadable segment", ef.entry);
	if (*end > (1ULL << 32))
		return loader_error(ctx, -EINVAL, "image ends at 0x%" PRIx64 ", above 4 GiB "
				    "(multiboot is 32-bit)", *end);
	return 0;
}

static int write_info(struct loader_ctx *ctx, uint64_t initrd)
{
	const struct gmem *m = ctx->mem;
	uint8_t *scratch = gmem_ptr(m, LAYOUT_ZERO_PAGE, MBI_SCRATCH_END - LAYOUT_ZERO_PAGE);
	struct e820_entry e820[E820_MAX];
	struct mb_info info = { 0 };
	int n = e820_build(m, e820, E820_MAX);

	if (!scratch)
		return loader_error(ctx, -EFAULT, "no RAM for the multiboot information");
	memset(scratch, 0, MBI_SCRATCH_END - LAYOUT_ZERO_PAGE);
	for (int i = 0; i < n; i++) {
		struct mb_mmap e = { 20, e820[i].addr, e820[i].size, e820[i].type };

		memcpy(scratch + (MBI_MMAP_ADDR - LAYOUT_ZERO_PAGE) + i * sizeof(e), &e,
		       sizeof(e));
	}
	if (initrd) {
		struct mb_module mod = { initrd, initrd + ctx->initrd_size, MBI_MODSTR_ADDR, 0 };

		memcpy(scratch + (MBI_MODS_ADDR - LAYOUT_ZERO_PAGE), &mod, sizeof(mod));
		memcpy(scratch + (MBI_MODSTR_ADDR - LAYOUT_ZERO_PAGE), "initrd", 7);
		info.mods_count = 1;
	}
	memcpy(scratch + (MBI_NAME_ADDR - LAYOUT_ZERO_PAGE), "hyve", 5);

	info.flags = MBI_MEMORY | MBI_CMDLINE | MBI_MODS | MBI_MMAP | MBI_LOADER_NAME;
	info.mem_lower = MIN(gmem_low_end(m), LAYOUT_EBDA) / 1024;
	info.mem_upper = (gmem_low_end(m) - LAYOUT_HIMEM) / 1024;	/* up to the first hole */
	info.cmdline = LAYOUT_CMDLINE;
	info.mods_addr = MBI_MODS_ADDR;
	info.mmap_length = n * sizeof(struct mb_mmap);
	info.mmap_addr = MBI_MMAP_ADDR;
	info.boot_loader_name = MBI_NAME_ADDR;
	memcpy(scratch, &info, sizeof(info));
	return 0;
}

static int mb_load(struct loader_ctx *ctx, struct boot_state *bs)
{
	struct mb_header h;
	long bad_off = -1, hoff = find_header(ctx->kernel, ctx->kernel_size, &h, &bad_off);
	uint64_t entry = 0, end = 0, initrd, rsdp;
	uint32_t unsupported;
	int r;

	if (hoff == -EINVAL)
		return loader_error(ctx, -ENOEXEC, "multiboot header at file offset %ld has a "
				    "bad checksum", bad_off);
	if (hoff < 0)
		return loader_error(ctx, -ENOEXEC, "no multiboot header in the first 8 KiB");
	unsupported = h.flags & 0xffff & ~MB_REQ_SUPPORTED;
	if (unsupported)
		return loader_error(ctx, -ENOTSUP, "multiboot header requires feature flag(s) "
				    "0x%x, which hyve does not provide", unsupported);
	r = loader_check_low_ram(ctx, LAYOUT_HIMEM + 0x1000);
	if (r)
		return r;
	if (h.flags & MB_FLAG_AOUT)
		r = load_aout(ctx, &h, hoff, &entry, &end);
	else
		r = load_elf(ctx, &entry, &end);
	if (r)
		return r;
	if ((r = loader_put_cmdline(ctx, 0)) ||
	    (r = loader_put_initrd(ctx, end, gmem_low_end(ctx->mem), &initrd)) ||
	    (r = loader_put_tables(ctx, &rsdp)) ||
	    (r = write_info(ctx, initrd)))
		return r;

	memset(bs, 0, sizeof(*bs));
	bs->mode = BOOT_PROT32;
	bs->rip = entry;
	bs->rax = MB_BOOT_MAGIC;
	bs->rbx = MBI_ADDR;
	if (x86_write_boot_gdt(ctx->mem, bs))
		return loader_error(ctx, -EFAULT, "no RAM for the boot GDT");
	return 0;
}

const struct loader loader_multiboot = {
	.name = "multiboot",
	.probe = mb_probe,
	.load = mb_load,
};
