/*
 * elf.c -- strict ELF32/ELF64 parsing for the loaders; see elf.h.
 *
 * The image is untrusted: every offset and size is checked against the file
 * (with overflow-safe arithmetic) before a byte is read through it.  Fields
 * are read with memcpy, so a misaligned header in the buffer is fine.
 */
#include <errno.h>
#include <inttypes.h>
#include <string.h>

#include "core/gmem.h"
#include "loader/elf.h"
#include "arch/arch.h"
#include "util.h"

/* [off, off+len) lies inside a file of `size` bytes. */
static bool in_file(uint64_t off, uint64_t len, size_t size)
{
	return off <= size && len <= size - off;
}

unsigned elf_ident(const uint8_t *img, size_t size)
{
	uint16_t machine;

	if (!img || size < EI_NIDENT + 4 || memcmp(img, ELFMAG, SELFMAG))
		return 0;
	if (img[EI_DATA] != ELFDATA2LSB)
		return 0;
	if (img[EI_CLASS] != ELFCLASS32 && img[EI_CLASS] != ELFCLASS64)
		return 0;
	memcpy(&machine, img + 18, 2);		/* e_machine: same offset in both classes */
	if (machine != EM_386 && machine != EM_X86_64)
		return 0;
	return img[EI_CLASS];
}

void elf_phdr(const struct elf_file *ef, unsigned i, struct elf_seg *s)
{
	if (ef->cls == ELFCLASS64) {
		Elf64_Phdr p;

		memcpy(&p, ef->img + ef->phoff + (uint64_t)i * sizeof(p), sizeof(p));
		*s = (struct elf_seg){ p.p_type, p.p_flags, p.p_offset, p.p_vaddr,
				       p.p_paddr, p.p_filesz, p.p_memsz };
	} else {
		Elf32_Phdr p;

		memcpy(&p, ef->img + ef->phoff + (uint64_t)i * sizeof(p), sizeof(p));
		*s = (struct elf_seg){ p.p_type, p.p_flags, p.p_offset, p.p_vaddr,
				       p.p_paddr, p.p_filesz, p.p_memsz };
	}
}

/* Reject the segment-level problems that would make loading unsafe. */
static int check_phdr(struct loader_ctx *ctx, const struct elf_file *ef, unsigned i)
{
	struct elf_seg s;
	uint64_t amax = ef->cls == ELFCLASS32 ? UINT32_MAX : UINT64_MAX;

	elf_phdr(ef, i, &s);
	if (s.type != PT_LOAD && s.type != PT_NOTE)
		return 0;
	if (!in_file(s.offset, s.filesz, ef->size))
		return loader_error(ctx, -ENOEXEC,
				    "segment %u (file offset 0x%" PRIx64 "+0x%" PRIx64
				    ") runs past the end of the file (%zu bytes)",
				    i, s.offset, s.filesz, ef->size);
	if (s.type != PT_LOAD)
		return 0;
	if (s.filesz > s.memsz)
		return loader_error(ctx, -ENOEXEC,
				    "segment %u has p_filesz 0x%" PRIx64 " > p_memsz 0x%" PRIx64,
				    i, s.filesz, s.memsz);
	/* An end of exactly amax+1 is fine: "- 1" keeps the test overflow-free. */
	if (s.memsz && (s.paddr > amax - (s.memsz - 1) || s.vaddr > amax - (s.memsz - 1)))
		return loader_error(ctx, -ENOEXEC,
				    "segment %u (0x%" PRIx64 "+0x%" PRIx64
				    ") wraps around the address space", i, s.paddr, s.memsz);
	return 0;
}

int elf_open(struct loader_ctx *ctx, const uint8_t *img, size_t size, struct elf_file *ef)
{
	uint16_t type, phentsize;
	uint32_t version;
	size_t want;
	Elf32_Ehdr h32;
	unsigned cls = elf_ident(img, size);

	memset(ef, 0, sizeof(*ef));
	if (!cls)
		return loader_error(ctx, -ENOEXEC, "not a little-endian x86 ELF file");
	ef->img = img;
	ef->size = size;
	ef->cls = cls;
	if (size < (cls == ELFCLASS64 ? sizeof(Elf64_Ehdr) : sizeof(Elf32_Ehdr)))
		return loader_error(ctx, -ENOEXEC, "truncated ELF header (%zu bytes)", size);
	/* e_type, e_machine and e_version lie at the same offsets in both classes */
	memcpy(&h32, img, sizeof(h32));
	type = h32.e_type;
	version = h32.e_version;
	ef->machine = h32.e_machine;
	if (cls == ELFCLASS64) {
		Elf64_Ehdr h;

		memcpy(&h, img, sizeof(h));
		ef->entry = h.e_entry;
		ef->phoff = h.e_phoff;
		ef->phnum = h.e_phnum;
		phentsize = h.e_phentsize;
		want = sizeof(Elf64_Phdr);
	} else {
		ef->entry = h32.e_entry;
		ef->phoff = h32.e_phoff;
		ef->phnum = h32.e_phnum;
		phentsize = h32.e_phentsize;
		want = sizeof(Elf32_Phdr);
	}
	if (ef->phnum && phentsize != want)
		goto bad_phentsize;
	if (img[EI_VERSION] != EV_CURRENT || version != EV_CURRENT)
		return loader_error(ctx, -ENOEXEC, "unknown ELF version %u", version);
	if (type != ET_EXEC && type != ET_DYN)
		return loader_error(ctx, -ENOEXEC, "ELF type %u is not an executable", type);
	if (ef->phnum == 0)
		return loader_error(ctx, -ENOEXEC, "no program headers");
	if (ef->phnum == PN_XNUM)
		return loader_error(ctx, -ENOEXEC, "too many program headers (PN_XNUM)");
	if (!in_file(ef->phoff, (uint64_t)ef->phnum * phentsize, size))
		return loader_error(ctx, -ENOEXEC,
				    "program headers (offset 0x%" PRIx64 ", %u entries) run past "
				    "the end of the file (%zu bytes)", ef->phoff, ef->phnum, size);
	for (unsigned i = 0; i < ef->phnum; i++) {
		int r = check_phdr(ctx, ef, i);

		if (r)
			return r;
	}
	return 0;

bad_phentsize:
	return loader_error(ctx, -ENOEXEC, "bad program header size %u", phentsize);
}

uint64_t elf_seg_gpa(const struct elf_seg *seg, enum elf_addr how)
{
	/* Neither 0 nor a higher-half address can be where the linker meant it to load. */
	if (how == ELF_ADDR_PADDR_KMAP && seg->vaddr >= LOADER_KMAP_BASE &&
	    (seg->paddr == 0 || seg->paddr == seg->vaddr))
		return seg->vaddr - LOADER_KMAP_BASE;
	return seg->paddr;
}

/*
 * Walk the notes in [p, p+len).  Note headers and descriptors are 4-aligned
 * (what every x86 toolchain emits, including Linux's Xen notes in ELF64).
 */
static int scan_notes(const uint8_t *p, uint64_t len, const char *name, uint32_t type,
		      const uint8_t **desc, uint32_t *descsz)
{
	size_t nlen = strlen(name) + 1;
	uint64_t off = 0;

	while (len - off >= 12) {
		uint32_t hdr[3];	/* namesz, descsz, type */
		uint64_t nsz, dsz;

		memcpy(hdr, p + off, sizeof(hdr));
		nsz = ALIGN_UP((uint64_t)hdr[0], 4);
		dsz = ALIGN_UP((uint64_t)hdr[1], 4);
		off += 12;
		if (nsz > len - off || dsz > len - off - nsz)
			return -EINVAL;
		if (hdr[2] == type && hdr[0] == nlen && !memcmp(p + off, name, nlen)) {
			*desc = p + off + nsz;
			*descsz = hdr[1];
			return 1;
		}
		off += nsz + dsz;
	}
	return 0;
}

/* Section headers, checked only when needed: loading never depends on them. */
static int scan_sections(const struct elf_file *ef, const char *name, uint32_t type,
			 const uint8_t **desc, uint32_t *descsz)
{
	uint64_t shoff;
	unsigned shnum, shentsize;

	if (ef->cls == ELFCLASS64) {
		Elf64_Ehdr h;

		memcpy(&h, ef->img, sizeof(h));
		shoff = h.e_shoff, shnum = h.e_shnum, shentsize = h.e_shentsize;
	} else {
		Elf32_Ehdr h;

		memcpy(&h, ef->img, sizeof(h));
		shoff = h.e_shoff, shnum = h.e_shnum, shentsize = h.e_shentsize;
	}
	if (!shoff || !shnum)
		return 0;
	if (shentsize != (ef->cls == ELFCLASS64 ? sizeof(Elf64_Shdr) : sizeof(Elf32_Shdr)) ||
	    !in_file(shoff, (uint64_t)shnum * shentsize, ef->size))
		return -EINVAL;
	for (unsigned i = 0; i < shnum; i++) {
		const uint8_t *sp = ef->img + shoff + (uint64_t)i * shentsize;
		uint64_t off, sz;
		uint32_t stype;
		int r;

		if (ef->cls == ELFCLASS64) {
			Elf64_Shdr sh;

			memcpy(&sh, sp, sizeof(sh));
			stype = sh.sh_type, off = sh.sh_offset, sz = sh.sh_size;
		} else {
			Elf32_Shdr sh;

			memcpy(&sh, sp, sizeof(sh));
			stype = sh.sh_type, off = sh.sh_offset, sz = sh.sh_size;
		}
		if (stype != SHT_NOTE)
			continue;
		if (!in_file(off, sz, ef->size))
			return -EINVAL;
		r = scan_notes(ef->img + off, sz, name, type, desc, descsz);
		if (r)
			return r;
	}
	return 0;
}

int elf_note_find(struct loader_ctx *ctx, const struct elf_file *ef, const char *name,
		  uint32_t type, const uint8_t **desc, uint32_t *descsz)
{
	bool had_pt_note = false;
	int r;

	for (unsigned i = 0; i < ef->phnum; i++) {
		struct elf_seg s;

		elf_phdr(ef, i, &s);
		if (s.type != PT_NOTE)
			continue;
		had_pt_note = true;
		r = scan_notes(ef->img + s.offset, s.filesz, name, type, desc, descsz);
		if (r < 0)
			return loader_error(ctx, r, "malformed note in segment %u", i);
		if (r)
			return 1;
	}
	/* Linkers always put SHT_NOTE sections in a PT_NOTE; only fall back without one. */
	if (had_pt_note)
		return 0;
	r = scan_sections(ef, name, type, desc, descsz);
	if (r < 0)
		return loader_error(ctx, r, "malformed section headers or note section");
	return r;
}

int elf_load(struct loader_ctx *ctx, const struct elf_file *ef, enum elf_addr how,
	     uint64_t *end)
{
	char ram[32];
	uint64_t hi = 0;
	unsigned nload = 0;

	loader_size_str(ctx->mem->size, ram, sizeof(ram));
	for (int pass = 0; pass < 2; pass++) {
		for (unsigned i = 0; i < ef->phnum; i++) {
			struct elf_seg s;
			uint64_t gpa;
			uint8_t *dst;

			elf_phdr(ef, i, &s);
			if (s.type != PT_LOAD || !s.memsz)
				continue;
			gpa = elf_seg_gpa(&s, how);
			dst = gmem_ptr(ctx->mem, gpa, s.memsz);
			if (pass == 0) {
				if (gpa < LAYOUT_HIMEM)
					return loader_error(ctx, -EINVAL,
						"segment %u (0x%" PRIx64 "+0x%" PRIx64 ") overlaps the "
						"first MiB, which holds the boot structures",
						i, gpa, s.memsz);
				if (!dst)
					return loader_error(ctx, -ENOMEM,
						"segment %u (0x%" PRIx64 "+0x%" PRIx64
						") does not fit in %s of RAM", i, gpa, s.memsz, ram);
				hi = MAX(hi, gpa + s.memsz);
				nload++;
				continue;
			}
			memcpy(dst, ef->img + s.offset, s.filesz);
			memset(dst + s.filesz, 0, s.memsz - s.filesz);
			if (ctx->nsegs < LOADER_MAX_SEGS)
				ctx->segs[ctx->nsegs++] = (struct loader_seg){ s.vaddr, gpa, s.memsz };
		}
		if (!nload)
			return loader_error(ctx, -ENOEXEC, "no loadable segments");
	}
	*end = hi;
	return 0;
}

int elf_addr_to_gpa(const struct elf_file *ef, enum elf_addr how, uint64_t addr,
		    bool virt, uint64_t *gpa)
{
	for (unsigned i = 0; i < ef->phnum; i++) {
		struct elf_seg s;
		uint64_t base;

		elf_phdr(ef, i, &s);
		if (s.type != PT_LOAD || !s.memsz)
			continue;
		base = virt ? s.vaddr : elf_seg_gpa(&s, how);
		if (addr >= base && addr - base < s.memsz) {
			*gpa = elf_seg_gpa(&s, how) + (addr - base);
			return 0;
		}
	}
	return -ENOENT;
}
