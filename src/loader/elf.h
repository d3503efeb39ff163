/*
 * elf.h -- ELF32/ELF64 header and program-header parsing shared by the
 * multiboot, pvh and elf64 loaders.  Everything read from the file is checked
 * against its size before use; segments come out in one class-neutral shape.
 */
#ifndef HYVE_LOADER_ELF_H
#define HYVE_LOADER_ELF_H

#include <elf.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "loader/loader.h"

struct elf_file {
	const uint8_t *img;
	size_t size;
	unsigned cls;		/* ELFCLASS32 or ELFCLASS64 */
	uint16_t machine;	/* EM_386 or EM_X86_64 */
	uint64_t entry;
	uint64_t phoff;
	unsigned phnum;
};

/* One program header, widened to 64 bits. */
struct elf_seg {
	uint32_t type;
	uint32_t flags;
	uint64_t offset, vaddr, paddr, filesz, memsz;
};

/* How elf_load picks a segment's guest-physical address. */
enum elf_addr {
	ELF_ADDR_PADDR,		/* p_paddr */
	/*
	 * p_paddr, except for a higher-half segment (p_vaddr >= LOADER_KMAP_BASE)
	 * whose p_paddr is 0 or p_vaddr itself (ld without AT()): p_vaddr - LOADER_KMAP_BASE
	 */
	ELF_ADDR_PADDR_KMAP,
};

/* ELFCLASS32/ELFCLASS64 if img starts like a little-endian x86 ELF file, else 0. */
unsigned elf_ident(const uint8_t *img, size_t size);

/*
 * Parse and validate the ELF header and every program header of img (offsets
 * and sizes inside the file, p_filesz <= p_memsz, no address wrap-around).
 * 0, or -ENOEXEC/-EINVAL with ctx->err set (ctx may be NULL for probes).
 */
int elf_open(struct loader_ctx *ctx, const uint8_t *img, size_t size, struct elf_file *ef);

/* Program header i (< ef->phnum) of a file elf_open accepted. */
void elf_phdr(const struct elf_file *ef, unsigned i, struct elf_seg *seg);

/* The guest-physical address of a segment under rule `how`. */
uint64_t elf_seg_gpa(const struct elf_seg *seg, enum elf_addr how);

/*
 * Find note (name, type) in the PT_NOTE segments, or failing that in the
 * SHT_NOTE sections.  1 with *desc and *descsz set, 0 if absent, -EINVAL if a
 * note or the section table is malformed (ctx->err set if ctx).
 */
int elf_note_find(struct loader_ctx *ctx, const struct elf_file *ef, const char *name,
		  uint32_t type, const uint8_t **desc, uint32_t *descsz);

/*
 * Load every non-empty PT_LOAD at its address under `how`: each must lie at or
 * above LAYOUT_HIMEM and inside guest RAM.  Checks all segments before writing
 * any.  *end gets the highest segment end (GPA); ctx->segs records each one.
 * 0 or -errno + message.
 */
int elf_load(struct loader_ctx *ctx, const struct elf_file *ef, enum elf_addr how,
	     uint64_t *end);

/*
 * Translate `addr` (a p_vaddr-space address if virt, else a GPA) to the GPA of
 * the loaded segment holding it.  0, or -ENOENT if no PT_LOAD covers it.
 */
int elf_addr_to_gpa(const struct elf_file *ef, enum elf_addr how, uint64_t addr,
		    bool virt, uint64_t *gpa);

#endif
