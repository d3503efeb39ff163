/*
 * rt64.c -- common start of every 64-bit guest: console, IDT, boot
 * information in one shape, then guest_main.
 */
#include "boot.h"

#include "console.h"
#include "idt.h"
#include "report.h"

static const char *phys_str(uint64_t pa)
{
	if (!pa || pa >= (1ULL << 32))
		return "";
	return (const char *)(uintptr_t)pa;
}

void rt_entry(int proto, uint32_t magic, uint64_t info_pa)
{
	struct boot_info bi = {
		.proto = (enum boot_proto)proto,
		.magic = magic,
		.info_pa = info_pa,
		.cmdline = "",
		.rsdp = 0,
	};
	int r;

	console_init();
	idt_init();
	if (proto == BOOT_PROTO_MULTIBOOT && magic == MULTIBOOT_BOOT_MAGIC && info_pa &&
	    info_pa < (1ULL << 32)) {
		const struct multiboot_info *mbi = (const void *)(uintptr_t)info_pa;

		if (mbi->flags & MULTIBOOT_INFO_CMDLINE)
			bi.cmdline = phys_str(mbi->cmdline);
	} else if (proto == BOOT_PROTO_ELF64 && info_pa && info_pa < (1ULL << 32)) {
		const struct hvm_start_info *si = (const void *)(uintptr_t)info_pa;

		bi.magic = si->magic;
		if (si->magic == HVM_START_MAGIC) {
			bi.cmdline = phys_str(si->cmdline_paddr);
			bi.rsdp = si->rsdp_paddr;
		}
	}
	r = guest_main(&bi);
	if (r == 0)
		report_pass();
	/* A code outside the checks' range would read as pass or as a VMM status. */
	report_fail(r >= EXIT_FIRST_CHECK && r <= EXIT_LAST_CHECK ? r : EXIT_RETURNED,
		    "guest_main returned %d", r);
}
