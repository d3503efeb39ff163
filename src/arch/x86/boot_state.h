/*
 * boot_state.h -- how an x86 boot protocol wants the boot vCPU at entry:
 * the CPU mode and the registers the protocol defines (multiboot: eax/ebx,
 * PVH: ebx, Linux's 64-bit entry: rsi, ...).  Filled by a loader,
 * loaded into vCPU 0 by arch_vcpu_boot.
 */
#ifndef HYVE_X86_BOOT_STATE_H
#define HYVE_X86_BOOT_STATE_H

#include <stdint.h>

enum boot_mode {
	BOOT_REAL16,	/* real mode: cs selector/base + ip */
	BOOT_PROT32,	/* flat 32-bit protected mode, paging off */
	BOOT_LONG64,	/* long mode, 4-level paging with page tables at cr3 */
};

/* The boot vCPU's state at entry, as the loader wants it. */
struct boot_state {
	enum boot_mode mode;
	uint64_t rip;
	uint16_t cs;		/* BOOT_REAL16: cs selector */
	uint64_t cs_base;	/* BOOT_REAL16: cs base (normally cs << 4; reset vector 0xffff0000) */
	uint64_t rsp, rax, rbx, rcx, rdx, rsi, rdi, rbp;
	uint64_t cr3;		/* BOOT_LONG64: page-table root (GPA) */
	uint64_t gdt_base;	/* GPA of a GDT the loader wrote (0: none) */
	uint16_t gdt_limit;
};

/* How a raw image is started (keys raw.addr, raw.entry, raw.mode). */
struct raw_opts {
	uint64_t load_addr;	/* GPA the image is copied to */
	uint64_t entry;		/* entry GPA (real mode: linear, split into cs:ip) */
	enum boot_mode mode;
};

#endif
