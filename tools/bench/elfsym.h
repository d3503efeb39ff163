/*
 * elfsym.h -- just enough ELF64 for the benchmark: symbol addresses of the
 * guest's symbol file (bench64.elf), where a virtual address lands in
 * guest-physical memory, and the bytes the image holds there.
 */
#ifndef BENCH_ELFSYM_H
#define BENCH_ELFSYM_H

#include <stddef.h>
#include <stdint.h>

struct elf_img {
	uint8_t *data;
	size_t size;
};

/* Read and check an ELF64 little-endian file.  0 or -errno (-ENOEXEC: not one). */
int elf_open(struct elf_img *e, const char *path);
void elf_close(struct elf_img *e);
/* Value of the symbol `name`.  0 or -ENOENT. */
int elf_sym(const struct elf_img *e, const char *name, uint64_t *value);
/* Guest-physical address of virtual va per the PT_LOAD headers.  0 or -ENOENT. */
int elf_va_to_pa(const struct elf_img *e, uint64_t va, uint64_t *pa);
/* The n file bytes loaded at virtual va (all inside one segment's file part).  0 or -ENOENT. */
int elf_bytes(const struct elf_img *e, uint64_t va, void *buf, size_t n);

#endif
