/*
 * elf64.c -- plain x86-64 ELF kernels (the project's own test kernels): no
 * boot protocol beyond "start in long mode at e_entry".
 *
 * PT_LOAD segments go to p_paddr; a higher-half segment whose p_paddr is 0, or
 * equal to p_vaddr (linked without AT()), goes to p_vaddr - 0xffffffff80000000.  The boot page tables map 0..4 GiB
 * identically and 0xffffffff80000000.. onto physical 0..2 GiB, so e_entry may
 * be either kind of address.  Entry state:
 *   long mode, CS = BOOT_SEL_CODE64, data segments BOOT_SEL_DATA, cr3 = the
 *   boot page tables, interrupts off;
 *   rsi = rbx = GPA of a PVH struct hvm_start_info (command line, memory map,
 *   initrd module, RSDP; see pvh.c) so a test kernel finds its command line
 *   the way a PVH kernel would, whichever register it prefers;
 *   rsp = 0: the kernel must load its own stack before its first push/call
 *   (we cannot know which memory the kernel considers free).
 */
#include <errno.h>
#include <inttypes.h>
#include <string.h>

#include "loader/elf.h"
#include "loader/loader.h"
#include "arch/x86/platform.h"

/* Addresses the boot page tables map (see boot_tables.c). */
static bool mapped(uint64_t va)
{
	return va < (1ULL << 32) || va >= LOADER_KMAP_BASE;
}

static bool elf64_probe(const uint8_t *img, size_t size)
{
	struct elf_file ef;

	return elf_ident(img, size) == ELFCLASS64 && !elf_open(NULL, img, size, &ef) &&
	       ef.machine == EM_X86_64;
}

static int elf64_load(struct loader_ctx *ctx, struct boot_state *bs)
{
	struct elf_file ef;
	uint64_t end, gpa, info;
	int r;

	if ((r = elf_open(ctx, ctx->kernel, ctx->kernel_size, &ef)))
		return r;
	if (ef.cls != ELFCLASS64 || ef.machine != EM_X86_64)
		return loader_error(ctx, -ENOEXEC, "not an ELF64 x86-64 file");
	if (!mapped(ef.entry))
		return loader_error(ctx, -ENOEXEC, "entry point 0x%" PRIx64 " is neither below "
				    "4 GiB nor in the higher half (0xffffffff80000000..)", ef.entry);
	if (elf_addr_to_gpa(&ef, ELF_ADDR_PADDR_KMAP, ef.entry, true, &gpa))
		return loader_error(ctx, -ENOEXEC, "entry point 0x%" PRIx64
				    " is not inside any loadable segment", ef.entry);
	/* The page tables map the entry to one physical address: the code must be there. */
	if (gpa != (ef.entry < LOADER_KMAP_BASE ? ef.entry : ef.entry - LOADER_KMAP_BASE))
		return loader_error(ctx, -ENOEXEC, "entry point 0x%" PRIx64 " is loaded at "
				    "physical 0x%" PRIx64 ", but the boot page tables map it "
				    "elsewhere", ef.entry, gpa);
	if ((r = loader_check_low_ram(ctx, LAYOUT_HIMEM + 0x1000)) ||
	    (r = elf_load(ctx, &ef, ELF_ADDR_PADDR_KMAP, &end)) ||
	    (r = pvh_write_start_info(ctx, end, &info)))
		return r;

	memset(bs, 0, sizeof(*bs));
	bs->mode = BOOT_LONG64;
	bs->rip = ef.entry;
	bs->rsi = info;
	bs->rbx = info;
	bs->rsp = 0;
	if (x86_write_long_mode_tables(ctx->mem, bs))
		return loader_error(ctx, -EFAULT, "no RAM for the boot page tables");
	return 0;
}

const struct loader loader_elf64 = {
	.name = "elf64",
	.probe = elf64_probe,
	.load = elf64_load,
};
