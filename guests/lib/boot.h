/*
 * boot.h -- what the 64-bit runtime hands a guest's guest_main, however the
 * guest was booted: through multiboot v1 (entry_mb.S switches to long mode
 * with its own page tables) or as an ELF64 entered in long mode by hyve
 * (entry_elf64.S keeps hyve's page tables; RSI points at a PVH start info).
 *
 * Both runtimes map physical 0..4 GiB at the same virtual addresses
 * (identity) and the image at KERNEL_VMA + physical (-mcmodel=kernel).
 */
#ifndef GUEST_BOOT_H
#define GUEST_BOOT_H

#include <stdint.h>

#include "hw.h"

#define MULTIBOOT_BOOT_MAGIC	0x2badb002u	/* EAX at a multiboot v1 entry */
#define MULTIBOOT_INFO_CMDLINE	(1u << 2)
#define HVM_START_MAGIC		0x336ec578u	/* hvm_start_info.magic (Xen PVH) */

enum boot_proto {
	BOOT_PROTO_MULTIBOOT = 1,
	BOOT_PROTO_ELF64 = 2,
};

struct boot_info {
	enum boot_proto proto;
	uint32_t magic;		/* multiboot: EAX; ELF64: start info magic (0 if none) */
	uint64_t info_pa;	/* multiboot info (EBX) or start info (RSI) */
	const char *cmdline;	/* never NULL: "" if the loader gave none */
	uint64_t rsdp;		/* from the PVH start info; 0 if not given */
};

/* Xen's hvm_start_info, as hyve writes it (only what the guests read). */
struct hvm_start_info {
	uint32_t magic;
	uint32_t version;
	uint32_t flags;
	uint32_t nr_modules;
	uint64_t modlist_paddr;
	uint64_t cmdline_paddr;
	uint64_t rsdp_paddr;
	uint64_t memmap_paddr;
	uint32_t memmap_entries;
	uint32_t reserved;
} __attribute__((packed));

/* The multiboot v1 information structure, up to the fields used here. */
struct multiboot_info {
	uint32_t flags;
	uint32_t mem_lower;
	uint32_t mem_upper;
	uint32_t boot_device;
	uint32_t cmdline;
	uint32_t mods_count;
	uint32_t mods_addr;
} __attribute__((packed));

/*
 * Each 64-bit guest implements this.  Returning 0 reports PASS, anything
 * else FAIL with that exit code (most guests report themselves instead).
 */
int guest_main(const struct boot_info *bi);

/* The runtime's C entry, called by entry_*.S on the boot CPU's own stack. */
__attribute__((noreturn)) void rt_entry(int proto, uint32_t magic, uint64_t info_pa);

/* Physical address of something inside the loaded image. */
static inline uint64_t virt_to_phys(const volatile void *p)
{
	return (uint64_t)(uintptr_t)p - KERNEL_VMA;
}

extern char _text[], _end[];

#endif
