/*
 * flat32 -- a multiboot v1 ELF32 run in flat 32-bit protected mode.
 *
 * Checks the boot magic in EAX, CR0.PE set and CR0.PG clear, flat segments
 * (CS selector 0x08 is hyve's, QEMU differs, so only the mode is checked), and
 * prints the multiboot command line and memory sizes.
 */
#include <stdint.h>

#include "console.h"
#include "io.h"
#include "report.h"

#define MULTIBOOT_BOOT_MAGIC	0x2badb002u
#define MBI_MEM			(1u << 0)
#define MBI_CMDLINE		(1u << 2)

enum {
	E_MAGIC = 0x20,
	E_PE = 0x21,
	E_PG = 0x22,
	E_NO_INFO = 0x23,	/* EBX is 0 */
	E_IF = 0x24,		/* interrupts enabled at entry */
};

struct multiboot_info {
	uint32_t flags;
	uint32_t mem_lower;
	uint32_t mem_upper;
	uint32_t boot_device;
	uint32_t cmdline;
};

void flat32_main(uint32_t magic, const struct multiboot_info *mbi);

void flat32_main(uint32_t magic, const struct multiboot_info *mbi)
{
	unsigned long cr0 = read_cr0();

	console_init();
	report_init("flat32");
	CHECK(E_MAGIC, magic == MULTIBOOT_BOOT_MAGIC, "EAX=0x%x, want 0x%x", magic,
	      MULTIBOOT_BOOT_MAGIC);
	CHECK(E_PE, cr0 & CR0_PE, "CR0.PE clear (CR0=0x%lx)", cr0);
	CHECK(E_PG, !(cr0 & CR0_PG), "CR0.PG set (CR0=0x%lx)", cr0);
	CHECK(E_NO_INFO, mbi != 0, "no multiboot info (EBX=0)");
	CHECK(E_IF, !(read_flags() & FLAGS_IF), "EFLAGS.IF set at entry");

	gprintf("multiboot info at %p, flags 0x%x\n", (const void *)mbi, mbi->flags);
	if (mbi->flags & MBI_MEM)
		gprintf("memory: %u KiB low, %u KiB high\n", mbi->mem_lower, mbi->mem_upper);
	gprintf("cmdline: %s\n", (mbi->flags & MBI_CMDLINE) && mbi->cmdline ?
		(const char *)(uintptr_t)mbi->cmdline : "");
	gprintf("FLAT32 OK\n");
	report_pass();
}
