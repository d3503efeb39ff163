/*
 * test_loaders.c -- the ELF-based loaders (multiboot, pvh, elf64), the
 * multiboot a.out kludge, raw and bios, on images built here in memory, good
 * and bad; plus the real benchmark guest when it has been built
 * (HYVE_BENCH_GUEST=path, default /work/shared/bench/guest/benchguest.elf).
 * bzImage has its own file, test_bzimage.c.
 */
#include <elf.h>

#include "loader_fixture.h"

/* ---- image builders ---- */

struct tseg {
	uint32_t type;
	uint64_t vaddr, paddr, filesz, memsz;
	uint8_t fill;		/* data bytes: fill, fill+1, ... (0: none) */
	const void *data;	/* or these bytes */
};

#define DATA_OFF 0x1000		/* first segment's file offset; 0x800 apart */

/* Segment data lands at DATA_OFF + 0x800 * i. */
static size_t mk_elf(unsigned cls, uint16_t machine, uint64_t entry, const struct tseg *s,
		     int n)
{
	size_t end = DATA_OFF;

	memset(img, 0, sizeof(img));
	memcpy(img, ELFMAG, SELFMAG);
	img[EI_CLASS] = cls;
	img[EI_DATA] = ELFDATA2LSB;
	img[EI_VERSION] = EV_CURRENT;
	for (int i = 0; i < n; i++) {
		uint64_t off = DATA_OFF + 0x800 * i;

		if (cls == ELFCLASS64) {
			Elf64_Phdr p = { s[i].type, PF_R | PF_X, off, s[i].vaddr, s[i].paddr,
					 s[i].filesz, s[i].memsz, 4 };

			memcpy(img + sizeof(Elf64_Ehdr) + i * sizeof(p), &p, sizeof(p));
		} else {
			Elf32_Phdr p = { s[i].type, off, s[i].vaddr, s[i].paddr, s[i].filesz,
					 s[i].memsz, PF_R | PF_X, 4 };

			memcpy(img + sizeof(Elf32_Ehdr) + i * sizeof(p), &p, sizeof(p));
		}
		for (uint64_t j = 0; j < s[i].filesz && j < 0x800; j++)
			img[off + j] = s[i].data ? ((const uint8_t *)s[i].data)[j] :
						   (uint8_t)(s[i].fill + j);
		end = off + MIN(s[i].filesz, 0x800);
	}
	if (cls == ELFCLASS64) {
		Elf64_Ehdr h = { .e_type = ET_EXEC, .e_machine = machine, .e_version = EV_CURRENT,
				 .e_entry = entry, .e_phoff = sizeof(h), .e_ehsize = sizeof(h),
				 .e_phentsize = sizeof(Elf64_Phdr), .e_phnum = n };

		memcpy(h.e_ident, img, EI_NIDENT);
		memcpy(img, &h, sizeof(h));
	} else {
		Elf32_Ehdr h = { .e_type = ET_EXEC, .e_machine = machine, .e_version = EV_CURRENT,
				 .e_entry = entry, .e_phoff = sizeof(h), .e_ehsize = sizeof(h),
				 .e_phentsize = sizeof(Elf32_Phdr), .e_phnum = n };

		memcpy(h.e_ident, img, EI_NIDENT);
		memcpy(img, &h, sizeof(h));
	}
	return ALIGN_UP(end, 16);
}

#define PH64(i, field) (sizeof(Elf64_Ehdr) + (i) * sizeof(Elf64_Phdr) + offsetof(Elf64_Phdr, field))
#define PH32(i, field) (sizeof(Elf32_Ehdr) + (i) * sizeof(Elf32_Phdr) + offsetof(Elf32_Phdr, field))

/* An ELF note: returns its size. */
static size_t mk_note(uint8_t *p, const char *name, uint32_t type, const void *desc,
		      uint32_t descsz)
{
	uint32_t h[3] = { strlen(name) + 1, descsz, type };
	size_t n = 12;

	memset(p, 0, 12 + ALIGN_UP(h[0], 4) + ALIGN_UP(descsz, 4));
	memcpy(p, h, 12);
	memcpy(p + n, name, h[0]);
	n += ALIGN_UP(h[0], 4);
	memcpy(p + n, desc, descsz);
	return n + ALIGN_UP(descsz, 4);
}

/* A multiboot header at p (flags without the a.out fields unless bit 16). */
static void mk_mbhdr(uint8_t *p, uint32_t flags, const uint32_t aout[5])
{
	uint32_t h[8] = { 0x1badb002, flags, -(0x1badb002u + flags) };

	if (aout)
		memcpy(h + 3, aout, 20);
	memcpy(p, h, sizeof(h));
}

/* ---- loader_find / loader_error ---- */

TEST(find_and_error)
{
	struct tseg seg = { PT_LOAD, 0x100000, 0x100000, 0x100, 0x100, 1, NULL };
	size_t n = mk_elf(ELFCLASS64, EM_X86_64, 0x100000, &seg, 1);

	setup(4 * MiB);
	CHECK(loader_find("auto", img, n) == &loader_elf64);
	CHECK(loader_find("raw", img, n) == &loader_raw);
	CHECK(loader_find("pvh", img, n) == &loader_pvh);
	CHECK(loader_find("bios", img, n) == NULL);
	CHECK(loader_find("nonsense", img, n) == NULL);
	memcpy(img, "\x7f" "ELX", 4);
	CHECK(loader_find("auto", img, n) == NULL);
	CHECK(loader_find("auto", img, 3) == NULL);
	CHECK(loader_find("auto", NULL, 0) == NULL);
	/* ELF32 without a multiboot header: no auto loader takes it. */
	n = mk_elf(ELFCLASS32, EM_386, 0x100000, &seg, 1);
	CHECK(loader_find("auto", img, n) == NULL);

	CHECK_EQ(loader_error(&ctx, -EINVAL, "segment %d bad", 3), -EINVAL);
	CHECK_STR(ctx.err, "kernel.img: segment 3 bad");
	ctx.kernel_path = NULL;
	CHECK_EQ(loader_error(&ctx, -E2BIG, "x"), -E2BIG);
	CHECK_STR(ctx.err, "x");
	CHECK_EQ(loader_error(NULL, -ENOENT, "ignored"), -ENOENT);
}

/* ---- multiboot ---- */

static void check_mb_info(uint64_t kernel_end)
{
	struct e820_entry e[E820_MAX];
	uint64_t info = bs.rbx, mods, mmap;
	int n = e820_build(&mem, e, E820_MAX);

	CHECK_EQ(bs.mode, BOOT_PROT32);
	CHECK_EQ(bs.rax, 0x2badb002);
	CHECK_EQ(info, LAYOUT_ZERO_PAGE);
	CHECK_EQ(bs.gdt_base, LAYOUT_BOOT_GDT);
	CHECK_EQ(bs.gdt_limit, 31);
	CHECK_EQ(g(LAYOUT_BOOT_GDT + BOOT_SEL_CODE32, 8), 0x00cf9b000000ffffULL);
	CHECK_EQ(g(info, 4), 0x1 | 0x4 | 0x8 | 0x40 | 0x200);
	CHECK_EQ(g(info + 4, 4), 639);
	CHECK_EQ(g(info + 8, 4), (gmem_low_end(&mem) - MiB) / 1024);
	CHECK_STR(gstr(g(info + 16, 4)), "console=ttyS0 hello");
	CHECK_STR(gstr(g(info + 64, 4)), "hyve");
	CHECK_EQ(g(info + 20, 4), 1);			/* mods_count */
	mods = g(info + 24, 4);
	CHECK(mods >= LAYOUT_ZERO_PAGE && mods < 0x9000);
	CHECK_EQ(g(mods, 4) % 4096, 0);
	CHECK(g(mods, 4) >= kernel_end);
	CHECK_EQ(g(mods + 4, 4) - g(mods, 4), sizeof(initrd));
	CHECK(g(mods + 4, 4) <= gmem_low_end(&mem));
	CHECK(g(mods + 4, 4) > gmem_low_end(&mem) - 4096);	/* as high as possible */
	CHECK(gmem_eq(g(mods, 4), initrd, sizeof(initrd)));
	CHECK_EQ(g(info + 44, 4), n * 24);		/* mmap_length */
	mmap = g(info + 48, 4);
	CHECK(mmap >= LAYOUT_ZERO_PAGE && mmap + n * 24 <= 0x9000);
	for (int i = 0; i < n; i++) {
		CHECK_EQ(g(mmap + 24 * i, 4), 20);
		CHECK_EQ(g(mmap + 24 * i + 4, 8), e[i].addr);
		CHECK_EQ(g(mmap + 24 * i + 12, 8), e[i].size);
		CHECK_EQ(g(mmap + 24 * i + 20, 4), e[i].type);
	}
	CHECK(gmem_ptr(&mem, LAYOUT_TABLES, 4) && g(0xf0000, 4) == 0x5f504d5f);	/* "_MP_" */
}

/* ELF32 like the benchmark guest: header in segment 0's data; bss in segment 1. */
static size_t mk_mb_elf(uint32_t flags)
{
	uint8_t hdr[48];
	struct tseg s[2] = {
		{ PT_LOAD, 0x100000, 0x100000, 0x200, 0x200, 0, hdr },
		{ PT_LOAD, 0x101000, 0x101000, 0x100, 0x3000, 0x40, NULL },
	};

	for (size_t i = 0; i < sizeof(hdr); i++)
		hdr[i] = 0x90;
	mk_mbhdr(hdr, flags, NULL);
	s[0].filesz = sizeof(hdr);
	return mk_elf(ELFCLASS32, EM_386, 0x100010, s, 2);
}

TEST(multiboot_elf)
{
	size_t n;

	setup(64 * MiB);
	n = mk_mb_elf(0x3);
	ctx.initrd = initrd;
	ctx.initrd_size = sizeof(initrd);
	memset(ram + 0x101000, 0xcc, 0x3000);		/* bss must come out zeroed */
	CHECK(loader_find("auto", img, n) == &loader_multiboot);
	CHECK_EQ(load("auto", n), 0);
	CHECK_EQ(bs.rip, 0x100010);
	CHECK(gmem_eq(0x100000, img + DATA_OFF, 48));
	CHECK(gmem_eq(0x101000, img + DATA_OFF + 0x800, 0x100));
	CHECK(all_zero(0x101100, 0x2f00));
	check_mb_info(0x104000);

	/* Entry given as a virtual address of a segment whose p_vaddr != p_paddr. */
	setup(64 * MiB);
	n = mk_mb_elf(0);
	patch(PH32(0, p_vaddr), 0xc0100000, 4);
	patch(offsetof(Elf32_Ehdr, e_entry), 0xc0100010, 4);
	CHECK_EQ(load("multiboot", n), 0);
	CHECK_EQ(bs.rip, 0x100010);
	CHECK_EQ(g(0x100000, 4), 0x1badb002);
}

TEST(multiboot_aout)
{
	/* Flat image: header at file offset 0x40, loaded at 2 MiB, bss to 2 MiB + 64 KiB. */
	const uint32_t base = 0x200000;
	const uint32_t aout[5] = { base + 0x40, base, base + 0x1000, base + 0x10000, base + 0x80 };
	size_t n = 0x1800;

	setup(16 * MiB);
	for (size_t i = 0; i < n; i++)
		img[i] = (uint8_t)i;
	mk_mbhdr(img + 0x40, 1u << 16, aout);
	memset(ram + base, 0xcc, 0x10000);
	CHECK_EQ(load("auto", n), 0);
	CHECK_EQ(bs.rip, base + 0x80);
	CHECK(gmem_eq(base, img, 0x1000));
	CHECK(all_zero(base + 0x1000, 0xf000));		/* load_end..bss_end */
	CHECK_EQ(bs.rax, 0x2badb002);
	CHECK_STR(gstr(g(bs.rbx + 16, 4)), "console=ttyS0 hello");
	CHECK_EQ(g(bs.rbx + 20, 4), 0);			/* no initrd: no module */

	/* load_end_addr 0: load to the end of the file. */
	setup(16 * MiB);
	mk_mbhdr(img + 0x40, 1u << 16,
		 (const uint32_t[5]){ base + 0x40, base, 0, 0, base + 0x80 });
	CHECK_EQ(load("multiboot", n), 0);
	CHECK(gmem_eq(base, img, n));
}

TEST(multiboot_bad)
{
	static uint8_t big_initrd[2 << 20];
	uint32_t b = 0x200000;
	size_t n;

	setup(64 * MiB);
	n = mk_mb_elf(0);
	img[DATA_OFF + 8] ^= 1;				/* checksum */
	CHECK(!loader_find("auto", img, n));
	CHECK_FAIL("multiboot", n, -ENOEXEC, "bad checksum");
	n = mk_mb_elf(1u << 3);				/* a required flag we lack */
	CHECK_FAIL("multiboot", n, -ENOTSUP, "flag(s) 0x8");

	/* The header must start in the first 8 KiB. */
	memset(img, 0, 0x3000);
	mk_mbhdr(img + 0x2000, 0, NULL);
	CHECK_FAIL("multiboot", 0x3000, -ENOEXEC, "no multiboot header in the first 8 KiB");
	mk_mbhdr(img + 0x1ff4, 0, NULL);		/* the last slot that fits */
	CHECK(loader_find("auto", img, 0x3000) == &loader_multiboot);
	CHECK_FAIL("multiboot", 0x3000, -ENOEXEC, "not a little-endian x86 ELF file");
	CHECK_FAIL("multiboot", 0x1ffc, -ENOEXEC, "no multiboot header");	/* cut */

	/* a.out kludge: every address checked against the file and RAM. */
#define AOUT(h, l, le, be, e) mk_mbhdr(img + 0x40, 1u << 16, (const uint32_t[5]){ h, l, le, be, e })
	memset(img, 0, 0x1800);
	AOUT(b + 0x40, b, b + 0x2000, 0, b + 0x80);
	CHECK_FAIL("multiboot", 0x1800, -ENOEXEC, "outside the file");
	AOUT(b + 0x80, b, 0, 0, b + 0x80);		/* load would start before byte 0 */
	CHECK_FAIL("multiboot", 0x1800, -ENOEXEC, "before the start of the file");
	AOUT(b + 0x40, b, b + 0x1000, b + 0x800, b + 0x80);
	CHECK_FAIL("multiboot", 0x1800, -ENOEXEC, "bss_end_addr");
	AOUT(b + 0x40, b, b + 0x1000, 0, b + 0x1000);
	CHECK_FAIL("multiboot", 0x1800, -ENOEXEC, "entry_addr 0x201000 is outside");
	AOUT(0x10040, 0x10000, 0, 0, 0x10080);
	CHECK_FAIL("multiboot", 0x1800, -EINVAL, "overlaps the first MiB");
	AOUT(b + 0x40, b, 0, 0x8000000, b + 0x80);
	CHECK_FAIL("multiboot", 0x1800, -ENOMEM, "(0x200000+0x7e00000) does not fit in 64 MiB of RAM");
	CHECK_FAIL("multiboot", 0x50, -ENOEXEC, "truncated");

	/* ELF: segment placement, file bounds, entry. */
	n = mk_mb_elf(0);
	patch(PH32(1, p_paddr), 0x3fff000, 4);
	CHECK_FAIL("multiboot", n, -ENOMEM, "segment 1 (0x3fff000+0x3000) does not fit in 64 MiB of RAM");
	patch(PH32(1, p_paddr), 0x8000, 4);
	CHECK_FAIL("multiboot", n, -EINVAL, "segment 1 (0x8000+0x3000) overlaps the first MiB");
	patch(PH32(1, p_paddr), 0xfffff000, 4);
	CHECK_FAIL("multiboot", n, -ENOEXEC, "wraps around");
	n = mk_mb_elf(0);
	patch(PH32(1, p_memsz), 0x10, 4);
	CHECK_FAIL("multiboot", n, -ENOEXEC, "p_filesz 0x100 > p_memsz 0x10");
	n = mk_mb_elf(0);
	patch(PH32(1, p_offset), 0xfffffff0, 4);	/* offset + filesz overflows 32 bits */
	CHECK_FAIL("multiboot", n, -ENOEXEC, "segment 1 (file offset 0xfffffff0+0x100) runs past");
	n = mk_mb_elf(0);
	CHECK_FAIL("multiboot", n - 0x10, -ENOEXEC, "segment 1");	/* data cut short */
	CHECK_FAIL("pvh", 0x60, -ENOEXEC, "program headers");	/* cut ELF */
	CHECK_FAIL("pvh", 0x20, -ENOEXEC, "truncated ELF header");
	patch(offsetof(Elf32_Ehdr, e_entry), 0x500000, 4);
	CHECK_FAIL("multiboot", n, -ENOEXEC, "entry point 0x500000 is not inside");
	n = mk_mb_elf(0);
	patch(offsetof(Elf32_Ehdr, e_phentsize), 31, 2);
	CHECK_FAIL("multiboot", n, -ENOEXEC, "program header size");

	/* Too little RAM, too big an initrd. */
	n = mk_mb_elf(0);
	setup(1 * MiB);
	CHECK_FAIL("multiboot", n, -ENOMEM, "needs at least");
	setup(2 * MiB);
	ctx.initrd = big_initrd;
	ctx.initrd_size = 1 * MiB;
	CHECK_FAIL("multiboot", n, -ENOMEM, "initrd (1 MiB) does not fit");
	ctx.initrd_size = 900 << 10;			/* but this does */
	CHECK_EQ(load("multiboot", n), 0);
}

/* ---- PVH ---- */

static size_t mk_pvh(unsigned cls, uint64_t entry, uint32_t descsz)
{
	static uint8_t note[64];
	struct tseg s[2] = {
		{ PT_LOAD, KMAP + 0x1000000, 0x1000000, 0x400, 0x2000, 0x11, NULL },
		{ PT_NOTE, 0, 0, 0, 0, 0, note },
	};

	s[1].filesz = mk_note(note, "Xen", 18, &entry, descsz);
	if (cls == ELFCLASS32)
		s[0].vaddr = 0x1000000;
	return mk_elf(cls, cls == ELFCLASS64 ? EM_X86_64 : EM_386, 0x1000000, s, 2);
}

static void check_start_info(uint64_t si, uint64_t kernel_end)
{
	struct e820_entry e[E820_MAX];
	int n = e820_build(&mem, e, E820_MAX);
	uint64_t mod, mm;

	CHECK_EQ(si, LAYOUT_ZERO_PAGE);
	CHECK_EQ(g(si, 4), 0x336ec578);
	CHECK_EQ(g(si + 4, 4), 1);
	CHECK_STR(gstr(g(si + 24, 8)), "console=ttyS0 hello");
	CHECK(gmem_eq(g(si + 32, 8), "RSD PTR ", 8));
	CHECK_EQ(g(si + 12, 4), ctx.initrd ? 1 : 0);
	if (ctx.initrd) {
		mod = g(si + 16, 8);
		CHECK(mod > si && mod < 0x9000);
		CHECK_EQ(g(mod, 8) % 4096, 0);
		CHECK(g(mod, 8) >= kernel_end);
		CHECK_EQ(g(mod + 8, 8), sizeof(initrd));
		CHECK(gmem_eq(g(mod, 8), initrd, sizeof(initrd)));
	}
	CHECK_EQ(g(si + 48, 4), n);
	mm = g(si + 40, 8);
	CHECK(mm > si && mm + 24 * n <= 0x9000);
	for (int i = 0; i < n; i++) {
		CHECK_EQ(g(mm + 24 * i, 8), e[i].addr);
		CHECK_EQ(g(mm + 24 * i + 8, 8), e[i].size);
		CHECK_EQ(g(mm + 24 * i + 16, 4), e[i].type);
	}
}

TEST(pvh_elf64_and_elf32)
{
	for (unsigned cls = ELFCLASS32; cls <= ELFCLASS64; cls++) {
		size_t n = mk_pvh(cls, 0x1000100, cls == ELFCLASS64 ? 8 : 4);

		setup(64 * MiB);
		ctx.initrd = initrd;
		ctx.initrd_size = sizeof(initrd);
		memset(ram + 0x1000000, 0xcc, 0x2000);
		CHECK(loader_find("auto", img, n) == &loader_pvh);
		CHECK_EQ(load("auto", n), 0);
		CHECK_EQ(bs.mode, BOOT_PROT32);
		CHECK_EQ(bs.rip, 0x1000100);
		CHECK_EQ(bs.rsp, 0);
		CHECK_EQ(bs.gdt_base, LAYOUT_BOOT_GDT);
		CHECK(gmem_eq(0x1000000, img + DATA_OFF, 0x400));
		CHECK(all_zero(0x1000400, 0x1c00));
		check_start_info(bs.rbx, 0x1002000);
	}
}

/* No PT_NOTE: the note is found through the section headers. */
TEST(pvh_section_note)
{
	struct tseg s = { PT_LOAD, 0x1000000, 0x1000000, 0x100, 0x100, 3, NULL };
	uint64_t entry = 0x1000010;
	size_t n = mk_elf(ELFCLASS64, EM_X86_64, 0x1000000, &s, 1), nl;
	Elf64_Shdr sh[2] = { { 0 } };

	nl = mk_note(img + 0x1800, "Xen", 18, &entry, 8);
	sh[1].sh_type = SHT_NOTE;
	sh[1].sh_offset = 0x1800;
	sh[1].sh_size = nl;
	memcpy(img + 0x1900, sh, sizeof(sh));
	patch(offsetof(Elf64_Ehdr, e_shoff), 0x1900, 8);
	patch(offsetof(Elf64_Ehdr, e_shentsize), sizeof(Elf64_Shdr), 2);
	patch(offsetof(Elf64_Ehdr, e_shnum), 2, 2);
	n = 0x1900 + sizeof(sh);
	setup(64 * MiB);
	CHECK(loader_find("auto", img, n) == &loader_pvh);
	CHECK_EQ(load("auto", n), 0);
	CHECK_EQ(bs.rip, 0x1000010);
	check_start_info(bs.rbx, 0x1000100);
	/* A section table past the end of the file is an error, not "no note". */
	patch(offsetof(Elf64_Ehdr, e_shoff), 0x1900 + 8, 8);
	CHECK(loader_find("auto", img, n) == &loader_elf64);
	CHECK_FAIL("pvh", n, -EINVAL, "malformed section headers");
}

TEST(pvh_bad)
{
	size_t n;

	setup(64 * MiB);
	n = mk_pvh(ELFCLASS64, 0x3000000, 8);
	CHECK_FAIL("pvh", n, -ENOEXEC, "PVH entry 0x3000000 is not inside any loadable segment");
	n = mk_pvh(ELFCLASS64, 0x1000100, 2);
	CHECK_FAIL("pvh", n, -ENOEXEC, "2-byte value");
	n = mk_pvh(ELFCLASS64, 0x101000100ULL, 8);
	CHECK_FAIL("pvh", n, -ENOEXEC, "above 4 GiB");
	n = mk_pvh(ELFCLASS64, 0x1000100, 8);
	patch(DATA_OFF + 0x800, 0x1000, 4);		/* namesz past the note segment */
	CHECK(loader_find("auto", img, n) != &loader_pvh);
	CHECK_FAIL("pvh", n, -EINVAL, "malformed note in segment 1");
	n = mk_pvh(ELFCLASS64, 0x1000100, 8);
	patch(DATA_OFF + 0x800 + 8, 17, 4);		/* another note type */
	CHECK(loader_find("auto", img, n) == &loader_elf64);
	CHECK_FAIL("pvh", n, -ENOEXEC, "no PVH entry note");
	n = mk_pvh(ELFCLASS64, 0x1000100, 8);
	setup(16 * MiB);
	CHECK_FAIL("pvh", n, -ENOMEM, "segment 0 (0x1000000+0x2000) does not fit in 16 MiB of RAM");
	setup(0x1003000);
	ctx.initrd = initrd;
	ctx.initrd_size = sizeof(initrd);
	CHECK_FAIL("pvh", n, -ENOMEM, "initrd (12411 bytes) does not fit");
	ctx.cmdline = "";
	setup(64 * MiB);
	{
		static char longcmd[LAYOUT_CMDLINE_MAX + 10];

		memset(longcmd, 'x', sizeof(longcmd) - 1);
		ctx.cmdline = longcmd;
		CHECK_FAIL("pvh", n, -E2BIG, "command line is 65545 bytes");
	}
}

/* ---- elf64 ---- */


TEST(elf64_higher_half)
{
	struct tseg s[2] = {
		{ PT_LOAD, KMAP + 0x1000000, 0, 0x300, 0x1000, 0x21, NULL },	/* p_paddr 0 */
		{ PT_LOAD, 0x2000000, 0x2000000, 0x10, 0x10, 0x77, NULL },
	};
	size_t n = mk_elf(ELFCLASS64, EM_X86_64, KMAP + 0x1000040, s, 2);

	setup(64 * MiB);
	ctx.initrd = initrd;
	ctx.initrd_size = sizeof(initrd);
	CHECK(loader_find("auto", img, n) == &loader_elf64);
	CHECK_EQ(load("auto", n), 0);
	CHECK_EQ(bs.mode, BOOT_LONG64);
	CHECK_EQ(bs.rip, KMAP + 0x1000040);
	CHECK_EQ(bs.cr3, LAYOUT_PGTABLE);
	CHECK_EQ(bs.rsi, LAYOUT_ZERO_PAGE);
	CHECK_EQ(bs.rbx, LAYOUT_ZERO_PAGE);
	CHECK_EQ(bs.rsp, 0);
	CHECK_EQ(bs.gdt_base, LAYOUT_BOOT_GDT);
	CHECK(gmem_eq(0x1000000, img + DATA_OFF, 0x300));
	CHECK(gmem_eq(0x2000000, img + DATA_OFF + 0x800, 0x10));
	CHECK_EQ(walk(bs.rip), 0x1000040);
	CHECK_EQ(g(walk(bs.rip), 1), img[DATA_OFF + 0x40]);
	check_start_info(bs.rsi, 0x2000010);

	s[0].paddr = s[0].vaddr;			/* ld without AT(): p_paddr = p_vaddr */
	n = mk_elf(ELFCLASS64, EM_X86_64, KMAP + 0x1000040, s, 1);
	setup(64 * MiB);
	CHECK_EQ(load("elf64", n), 0);
	CHECK(gmem_eq(0x1000000, img + DATA_OFF, 0x300));
	CHECK_EQ(walk(bs.rip), 0x1000040);

	s[0].vaddr = s[0].paddr = 0x200000;		/* identity-linked */
	n = mk_elf(ELFCLASS64, EM_X86_64, 0x200010, s, 1);
	setup(64 * MiB);
	CHECK_EQ(load("elf64", n), 0);
	CHECK_EQ(bs.rip, 0x200010);
	CHECK_EQ(walk(bs.rip), 0x200010);
}

TEST(elf64_bad)
{
	struct tseg s = { PT_LOAD, 0x400000, 0x200000, 0x100, 0x100, 1, NULL };
	size_t n;

	setup(64 * MiB);
	n = mk_elf(ELFCLASS64, EM_X86_64, 0x400000, &s, 1);
	CHECK_FAIL("elf64", n, -ENOEXEC, "map it elsewhere");
	s.vaddr = 0x100000000ULL;
	n = mk_elf(ELFCLASS64, EM_X86_64, 0x100000000ULL, &s, 1);
	CHECK_FAIL("elf64", n, -ENOEXEC, "neither below 4 GiB nor in the higher half");
	s.vaddr = 0x1000, s.paddr = 0x1000;
	n = mk_elf(ELFCLASS64, EM_X86_64, 0x1000, &s, 1);
	CHECK_FAIL("elf64", n, -EINVAL, "overlaps the first MiB");
	n = mk_elf(ELFCLASS32, EM_386, 0x1000, &s, 1);
	CHECK_FAIL("elf64", n, -ENOEXEC, "not an ELF64 x86-64 file");
	n = mk_elf(ELFCLASS64, EM_386, 0x1000, &s, 1);
	CHECK(loader_find("auto", img, n) == &loader_elf64);	/* its loader explains */
	CHECK_FAIL("elf64", n, -ENOEXEC, "not an ELF64 x86-64 file");
	n = mk_elf(ELFCLASS64, EM_X86_64, 0x1000, &s, 0);
	CHECK_FAIL("elf64", n, -ENOEXEC, "no program headers");
	s.type = PT_NOTE;
	n = mk_elf(ELFCLASS64, EM_X86_64, 0x1000, &s, 1);
	CHECK_FAIL("elf64", n, -ENOEXEC, "entry point 0x1000 is not inside");
	s = (struct tseg){ PT_LOAD, 0x200000, 0x200000, 0x100, 0x100, 1, NULL };
	n = mk_elf(ELFCLASS64, EM_X86_64, 0x200000, &s, 1);
	patch(PH64(0, p_offset), ~0ULL - 0x10, 8);	/* offset + filesz wraps 64 bits */
	CHECK_FAIL("elf64", n, -ENOEXEC, "runs past the end of the file");
}

/* ---- raw ---- */

TEST(raw)
{
	static const struct { uint64_t addr, entry; enum boot_mode mode; uint16_t cs; uint64_t ip; } ok[] = {
		{ 0x10000, 0x12345, BOOT_REAL16, 0x1000, 0x2345 },
		{ 0x7c00, 0x7c00, BOOT_REAL16, 0, 0x7c00 },
		{ 0x400, 0xf0000, BOOT_REAL16, 0xf000, 0 },	/* real mode: no GDT to hit */
		{ 0x100000, 0x100004, BOOT_PROT32, 0, 0x100004 },
		{ 0x200000, 0x200000, BOOT_LONG64, 0, 0x200000 },
		{ 0x200000, KMAP + 0x200000, BOOT_LONG64, 0, KMAP + 0x200000 },
	};

	for (size_t i = 0; i < ARRAY_SIZE(ok); i++) {
		setup(16 * MiB);
		for (size_t j = 0; j < 0x1000; j++)
			img[j] = (uint8_t)(j + i);
		ctx.raw = (struct raw_opts){ ok[i].addr, ok[i].entry, ok[i].mode };
		CHECK(loader_find("raw", img, 0x1000) == &loader_raw);
		CHECK_EQ(load("raw", 0x1000), 0);
		CHECK(gmem_eq(ok[i].addr, img, 0x1000));
		CHECK_EQ(bs.mode, ok[i].mode);
		CHECK_EQ(bs.rip, ok[i].ip);
		CHECK_EQ(bs.cs, ok[i].cs);
		CHECK_EQ(bs.cs_base, ok[i].mode == BOOT_REAL16 ? ok[i].cs * 16ULL : 0);
		if (ok[i].mode == BOOT_REAL16)
			CHECK_EQ(bs.cs_base + bs.rip, ok[i].entry);
		CHECK_EQ(bs.gdt_base, ok[i].mode == BOOT_REAL16 ? 0 : LAYOUT_BOOT_GDT);
		CHECK_EQ(bs.cr3, ok[i].mode == BOOT_LONG64 ? LAYOUT_PGTABLE : 0);
		if (ok[i].mode == BOOT_LONG64)
			CHECK_EQ(walk(bs.rip), ok[i].addr);
	}
}

TEST(raw_bad)
{
	setup(16 * MiB);
	ctx.raw = (struct raw_opts){ 0x10000, 0x100000, BOOT_REAL16 };
	CHECK_FAIL("raw", 0x1000, -EINVAL, "not below 1 MiB");
	ctx.raw = (struct raw_opts){ 0x400, 0x400, BOOT_PROT32 };
	CHECK_FAIL("raw", 0x1000, -EINVAL, "overlaps the boot GDT");
	ctx.raw = (struct raw_opts){ 0x8000, 0x8000, BOOT_LONG64 };
	CHECK_FAIL("raw", 0x2000, -EINVAL, "overlaps the boot page tables");
	ctx.raw = (struct raw_opts){ 0x200000, 0x100000000ULL, BOOT_LONG64 };
	CHECK_FAIL("raw", 0x1000, -EINVAL, "not mapped");
	ctx.raw = (struct raw_opts){ 0x200000, 0x100000000ULL, BOOT_PROT32 };
	CHECK_FAIL("raw", 0x1000, -EINVAL, "above 4 GiB");
	ctx.raw = (struct raw_opts){ 0xfff800, 0xfff800, BOOT_PROT32 };
	CHECK_FAIL("raw", 0x1000, -ENOMEM, "(0xfff800+0x1000) does not fit in 16 MiB of RAM");
	ctx.raw = (struct raw_opts){ ~0ULL - 0x10, 0x1000, BOOT_PROT32 };
	CHECK_FAIL("raw", 0x1000, -ENOMEM, "does not fit");
	ctx.raw = (struct raw_opts){ 0x100000, 0x100000, BOOT_PROT32 };
	CHECK_FAIL("raw", 0, -ENOEXEC, "empty image");
	ctx.raw.mode = 7;
	CHECK_FAIL("raw", 0x1000, -EINVAL, "unknown raw boot mode 7");
	ctx.raw.mode = BOOT_PROT32;
	ctx.initrd = initrd;
	ctx.initrd_size = sizeof(initrd);
	CHECK_FAIL("raw", 0x1000, -EINVAL, "initrd");
}

/* ---- bios ---- */

TEST(bios)
{
	char err[128];

	CHECK_EQ(bios_check(128 << 10, err, sizeof(err)), 0);
	CHECK_EQ(bios_check(256 << 10, err, sizeof(err)), 0);
	CHECK_EQ(bios_check(64 << 10, err, sizeof(err)), 0);
	CHECK_EQ(bios_check(16 << 20, err, sizeof(err)), 0);
	err[0] = 0;
	CHECK_EQ(bios_check(0, err, sizeof(err)), -EINVAL);
	CHECK(err[0] != 0);
	CHECK_EQ(bios_check(100000, err, sizeof(err)), -EINVAL);
	CHECK_EQ(bios_check((128 << 10) + 1, err, sizeof(err)), -EINVAL);
	CHECK_EQ(bios_check(32 << 10, err, sizeof(err)), -EINVAL);
	CHECK_EQ(bios_check((16 << 20) + (64 << 10), err, sizeof(err)), -EINVAL);
	memset(&bs, 0xa5, sizeof(bs));
	bios_boot_state(&bs);
	CHECK_EQ(bs.mode, BOOT_REAL16);
	CHECK_EQ(bs.cs, 0xf000);
	CHECK_EQ(bs.cs_base, 0xffff0000);
	CHECK_EQ(bs.rip, 0xfff0);
	CHECK_EQ(bs.gdt_base, 0);
	CHECK_EQ(bs.rsp, 0);
}

/* ---- the real benchmark guest (optional: only if it has been built) ---- */

TEST(bench_guest)
{
	const char *path = getenv("HYVE_BENCH_GUEST");
	static uint8_t file[1 << 20];
	size_t n;
	FILE *f;

	if (!path)
		path = "/work/shared/bench/guest/benchguest.elf";
	f = fopen(path, "rb");
	if (!f) {
		printf("  bench_guest: skipped (%s absent; `make -C` a copy of "
		       "bench/guest and set HYVE_BENCH_GUEST)\n", path);
		return;
	}
	n = fread(file, 1, sizeof(file), f);
	fclose(f);
	CHECK(n > sizeof(Elf32_Ehdr) && n < sizeof(file));
	setup(64 * MiB);
	ctx.kernel = file;
	CHECK(loader_find("auto", file, n) == &loader_multiboot);
	ctx.kernel_size = n;
	CHECK_EQ(loader_multiboot.load(&ctx, &bs), 0);
	CHECK_EQ(bs.mode, BOOT_PROT32);
	CHECK_EQ(bs.rip, 0x100010);
	CHECK_EQ(bs.rax, 0x2badb002);
	CHECK_EQ(g(0x100000, 4), 0x1badb002);
	/* Every PT_LOAD is where its p_paddr says, byte for byte. */
	{
		Elf32_Ehdr h;
		int loads = 0;

		memcpy(&h, file, sizeof(h));
		for (int i = 0; i < h.e_phnum; i++) {
			Elf32_Phdr p;

			memcpy(&p, file + h.e_phoff + i * sizeof(p), sizeof(p));
			if (p.p_type != PT_LOAD)
				continue;
			CHECK(gmem_eq(p.p_paddr, file + p.p_offset, p.p_filesz));
			loads++;
		}
		CHECK(loads >= 1);
	}
	printf("  bench_guest: loaded %s (%zu bytes)\n", path, n);
}

TEST_MAIN()
