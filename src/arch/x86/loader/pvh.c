/*
 * pvh.c -- the Xen PVH direct boot: an ELF (32 or 64-bit, e.g. Linux's
 * vmlinux) carrying the note ("Xen", XEN_ELFNOTE_PHYS32_ENTRY) whose value is
 * the 32-bit physical entry point.  PT_LOAD segments go to p_paddr; the vCPU
 * starts in flat 32-bit protected mode, paging off, ebx = GPA of a struct
 * hvm_start_info (xen/include/public/arch-x86/hvm/start_info.h, version 1)
 * that names the command line, the initrd as the single module, the RSDP and
 * the memory map.
 *
 * Layout in 0x7000..0x9000: start info at LAYOUT_ZERO_PAGE, the module list
 * and the memory map right after it.
 */
#include <errno.h>
#include <inttypes.h>
#include <string.h>

#include "core/gmem.h"
#include "loader/elf.h"
#include "loader/loader.h"
#include "arch/x86/platform.h"
#include "util.h"

#define XEN_ELFNOTE_PHYS32_ENTRY	18
#define HVM_START_MAGIC			0x336ec578u

#define SI_ADDR		LAYOUT_ZERO_PAGE
#define SI_MODLIST	(LAYOUT_ZERO_PAGE + 0x40)
#define SI_MEMMAP	(LAYOUT_ZERO_PAGE + 0x80)
#define SI_END		0x9000ULL

struct hvm_start_info {
	uint32_t magic;
	uint32_t version;
	uint32_t flags;
	uint32_t nr_modules;
	uint64_t modlist_paddr;
	uint64_t cmdline_paddr;
	uint64_t rsdp_paddr;
	uint64_t memmap_paddr;		/* version 1 */
	uint32_t memmap_entries;	/* version 1 */
	uint32_t reserved;
};

struct hvm_modlist_entry {
	uint64_t paddr, size, cmdline_paddr, reserved;
};

struct hvm_memmap_table_entry {
	uint64_t addr, size;
	uint32_t type, reserved;
};

_Static_assert(sizeof(struct hvm_start_info) == 56, "hvm_start_info layout");
_Static_assert(SI_MODLIST >= SI_ADDR + sizeof(struct hvm_start_info) &&
	       SI_MEMMAP >= SI_MODLIST + sizeof(struct hvm_modlist_entry) &&
	       SI_MEMMAP + E820_MAX * sizeof(struct hvm_memmap_table_entry) <= SI_END,
	       "start info layout");

int pvh_write_start_info(struct loader_ctx *ctx, uint64_t kernel_end, uint64_t *gpa)
{
	const struct gmem *m = ctx->mem;
	uint8_t *base = gmem_ptr(m, LAYOUT_ZERO_PAGE, SI_END - LAYOUT_ZERO_PAGE);
	struct e820_entry e820[E820_MAX];
	struct hvm_start_info si = { 0 };
	uint64_t initrd, rsdp;
	int n, r;

	if (!base)
		return loader_error(ctx, -EFAULT, "no RAM for the PVH start info");
	if ((r = loader_put_cmdline(ctx, 0)) ||
	    (r = loader_put_initrd(ctx, kernel_end, gmem_low_end(m), &initrd)) ||
	    (r = loader_put_tables(ctx, &rsdp)))
		return r;
	memset(base, 0, SI_END - LAYOUT_ZERO_PAGE);
	n = e820_build(m, e820, E820_MAX);
	for (int i = 0; i < n; i++) {
		struct hvm_memmap_table_entry e = { e820[i].addr, e820[i].size, e820[i].type, 0 };

		memcpy(base + (SI_MEMMAP - SI_ADDR) + i * sizeof(e), &e, sizeof(e));
	}
	if (initrd) {
		struct hvm_modlist_entry mod = { initrd, ctx->initrd_size, 0, 0 };

		memcpy(base + (SI_MODLIST - SI_ADDR), &mod, sizeof(mod));
		si.nr_modules = 1;
		si.modlist_paddr = SI_MODLIST;
	}
	si.magic = HVM_START_MAGIC;
	si.version = 1;
	si.cmdline_paddr = LAYOUT_CMDLINE;
	si.rsdp_paddr = rsdp;
	si.memmap_paddr = SI_MEMMAP;
	si.memmap_entries = n;
	memcpy(base, &si, sizeof(si));
	*gpa = SI_ADDR;
	return 0;
}

/*
 * The PHYS32_ENTRY value: Linux emits it as a pointer-sized word (.quad in
 * a 64-bit vmlinux), other kernels as .long; both must fit in 32 bits.
 * 1 and *entry on success, 0 if there is no such note, -errno if malformed.
 */
static int pvh_entry(struct loader_ctx *ctx, const struct elf_file *ef, uint64_t *entry)
{
	const uint8_t *desc;
	uint32_t dsz;
	int r = elf_note_find(ctx, ef, "Xen", XEN_ELFNOTE_PHYS32_ENTRY, &desc, &dsz);

	if (r <= 0)
		return r;
	if (dsz == 4) {
		uint32_t v;

		memcpy(&v, desc, 4);
		*entry = v;
	} else if (dsz == 8) {
		memcpy(entry, desc, 8);
	} else {
		return loader_error(ctx, -ENOEXEC, "PVH entry note has a %u-byte value", dsz);
	}
	if (*entry > UINT32_MAX)
		return loader_error(ctx, -ENOEXEC, "PVH entry 0x%" PRIx64 " is above 4 GiB",
				    *entry);
	return 1;
}

static bool pvh_probe(const uint8_t *img, size_t size)
{
	struct elf_file ef;
	uint64_t entry;

	if (elf_open(NULL, img, size, &ef))
		return false;
	return pvh_entry(NULL, &ef, &entry) == 1;
}

static int pvh_load(struct loader_ctx *ctx, struct boot_state *bs)
{
	struct elf_file ef;
	uint64_t entry = 0, entry_gpa, end, info;
	int r;

	if ((r = elf_open(ctx, ctx->kernel, ctx->kernel_size, &ef)))
		return r;
	r = pvh_entry(ctx, &ef, &entry);
	if (r < 0)
		return r;
	if (r == 0)
		return loader_error(ctx, -ENOEXEC, "no PVH entry note (Xen, "
				    "XEN_ELFNOTE_PHYS32_ENTRY): not a PVH kernel");
	if ((r = loader_check_low_ram(ctx, LAYOUT_HIMEM + 0x1000)) ||
	    (r = elf_load(ctx, &ef, ELF_ADDR_PADDR, &end)))
		return r;
	if (elf_addr_to_gpa(&ef, ELF_ADDR_PADDR, entry, false, &entry_gpa))
		return loader_error(ctx, -ENOEXEC, "PVH entry 0x%" PRIx64
				    " is not inside any loadable segment", entry);
	if ((r = pvh_write_start_info(ctx, end, &info)))
		return r;

	memset(bs, 0, sizeof(*bs));
	bs->mode = BOOT_PROT32;
	bs->rip = entry;
	bs->rbx = info;
	if (x86_write_boot_gdt(ctx->mem, bs))
		return loader_error(ctx, -EFAULT, "no RAM for the boot GDT");
	return 0;
}

const struct loader loader_pvh = {
	.name = "pvh",
	.probe = pvh_probe,
	.load = pvh_load,
};
