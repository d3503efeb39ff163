/* elfsym.c -- symbols and load addresses of an ELF64 file; see elfsym.h. */
#include <elf.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "elfsym.h"

static const Elf64_Ehdr *ehdr(const struct elf_img *e)
{
	return (const Elf64_Ehdr *)e->data;
}

/* Pointer to [off, off + len) of the file, or NULL if it is not all inside. */
static const void *at(const struct elf_img *e, uint64_t off, uint64_t len)
{
	if (off > e->size || len > e->size - off)
		return NULL;
	return e->data + off;
}

int elf_open(struct elf_img *e, const char *path)
{
	FILE *f = fopen(path, "rb");
	long len;
	const Elf64_Ehdr *h;

	memset(e, 0, sizeof(*e));
	if (!f)
		return -errno;
	if (fseek(f, 0, SEEK_END) || (len = ftell(f)) < (long)sizeof(Elf64_Ehdr) ||
	    fseek(f, 0, SEEK_SET)) {
		fclose(f);
		return -ENOEXEC;
	}
	e->data = malloc((size_t)len);
	if (!e->data) {
		fclose(f);
		return -ENOMEM;
	}
	e->size = fread(e->data, 1, (size_t)len, f);
	fclose(f);
	h = ehdr(e);
	if (e->size != (size_t)len || memcmp(h->e_ident, ELFMAG, SELFMAG) ||
	    h->e_ident[EI_CLASS] != ELFCLASS64 || h->e_ident[EI_DATA] != ELFDATA2LSB ||
	    !at(e, h->e_phoff, (uint64_t)h->e_phnum * sizeof(Elf64_Phdr)) ||
	    !at(e, h->e_shoff, (uint64_t)h->e_shnum * sizeof(Elf64_Shdr))) {
		elf_close(e);
		return -ENOEXEC;
	}
	return 0;
}

void elf_close(struct elf_img *e)
{
	free(e->data);
	e->data = NULL;
	e->size = 0;
}

int elf_sym(const struct elf_img *e, const char *name, uint64_t *value)
{
	const Elf64_Shdr *sh = at(e, ehdr(e)->e_shoff, 0);

	for (unsigned i = 0; i < ehdr(e)->e_shnum; i++) {
		const Elf64_Sym *syms;
		const char *str;
		uint64_t nsyms;

		if (sh[i].sh_type != SHT_SYMTAB || sh[i].sh_link >= ehdr(e)->e_shnum)
			continue;
		syms = at(e, sh[i].sh_offset, sh[i].sh_size);
		str = at(e, sh[sh[i].sh_link].sh_offset, sh[sh[i].sh_link].sh_size);
		if (!syms || !str)
			continue;
		nsyms = sh[i].sh_size / sizeof(Elf64_Sym);
		for (uint64_t k = 0; k < nsyms; k++) {
			uint64_t o = syms[k].st_name;

			if (o < sh[sh[i].sh_link].sh_size &&
			    strnlen(str + o, sh[sh[i].sh_link].sh_size - o) == strlen(name) &&
			    !strcmp(str + o, name)) {
				*value = syms[k].st_value;
				return 0;
			}
		}
	}
	return -ENOENT;
}

int elf_va_to_pa(const struct elf_img *e, uint64_t va, uint64_t *pa)
{
	const Elf64_Phdr *ph = at(e, ehdr(e)->e_phoff, 0);

	for (unsigned i = 0; i < ehdr(e)->e_phnum; i++) {
		if (ph[i].p_type == PT_LOAD && va >= ph[i].p_vaddr &&
		    va - ph[i].p_vaddr < ph[i].p_memsz) {
			*pa = ph[i].p_paddr + (va - ph[i].p_vaddr);
			return 0;
		}
	}
	return -ENOENT;
}

int elf_bytes(const struct elf_img *e, uint64_t va, void *buf, size_t n)
{
	const Elf64_Phdr *ph = at(e, ehdr(e)->e_phoff, 0);

	for (unsigned i = 0; i < ehdr(e)->e_phnum; i++) {
		const void *p;

		if (ph[i].p_type != PT_LOAD || va < ph[i].p_vaddr ||
		    va - ph[i].p_vaddr > ph[i].p_filesz || n > ph[i].p_filesz - (va - ph[i].p_vaddr))
			continue;
		p = at(e, ph[i].p_offset + (va - ph[i].p_vaddr), n);
		if (!p)
			return -ENOENT;
		memcpy(buf, p, n);
		return 0;
	}
	return -ENOENT;
}
