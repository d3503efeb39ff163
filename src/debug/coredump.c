/*
 * coredump.c -- `monitor dump FILE`: an ELF core of the guest, loadable by
 * `gdb vmlinux FILE` and by crash.  Guest RAM is written once.  Each mapping
 * of the current vCPU's address space that lands in RAM gets a PT_LOAD with
 * its virtual address in p_vaddr (what gdb reads by) and its physical one in
 * p_paddr (what crash reads by); RAM no mapping reaches follows, at p_vaddr =
 * p_paddr (with paging off that is all of RAM).  gdb takes the first segment
 * holding an address, so a real mapping wins over that fallback, and no two
 * segments describe the same bytes at the same virtual address.  Per vCPU:
 * NT_PRSTATUS (gdb: one thread each), then the architecture's notes (x86:
 * NT_PRFPREG and QEMU's system-register note).
 */
#include <elf.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "core/trap_swbp.h"
#include "debug/dbg.h"
#include "util.h"

#define MAX_PHDRS 60000

struct phdrs {
	Elf64_Phdr *p;
	int n;
	uint64_t data_off;	/* file offset of guest RAM */
	const struct gmem *m;
};

static int add_phdr(struct phdrs *ph, uint64_t va, uint64_t pa, uint64_t off, uint64_t size)
{
	if (ph->n == MAX_PHDRS)
		return 1;
	ph->p[ph->n++] = (Elf64_Phdr){ .p_type = PT_LOAD, .p_flags = PF_R | PF_W | PF_X,
		.p_offset = off, .p_vaddr = va, .p_paddr = pa, .p_filesz = size,
		.p_memsz = size, .p_align = 1 };
	return 0;
}

/* File offset of a guest-physical RAM address, and how many bytes follow it
 * (RAM is written in the file as it lies in the host mapping). */
static uint64_t ram_off(const struct phdrs *ph, uint64_t pa, uint64_t *avail)
{
	uint8_t *host;

	*avail = gmem_span(ph->m, pa, &host);
	return *avail ? ph->data_off + (uint64_t)(host - ph->m->host) : 0;
}

static int virt_range(void *opaque, const struct pg_range *r)
{
	struct phdrs *ph = opaque;
	uint64_t done = 0;

	while (done < r->size) {
		uint64_t avail, off = ram_off(ph, r->pa + done, &avail);
		uint64_t n;

		if (!avail) {		/* not RAM (MMIO, a hole): skip a page */
			done += 4096;
			continue;
		}
		n = MIN(avail, r->size - done);
		if (add_phdr(ph, r->va + done, r->pa + done, off, n))
			return 1;
		done += n;
	}
	return 0;
}

/* A note's size in the file: header, name and descriptor, each padded to 4. */
static size_t note_size(const char *name, size_t descsz)
{
	return sizeof(Elf64_Nhdr) + ALIGN_UP(strlen(name) + 1, 4) + ALIGN_UP(descsz, 4);
}

static void put_note(uint8_t **p, const char *name, uint32_t type, const void *desc,
		     uint32_t descsz)
{
	size_t namesz = strlen(name) + 1;
	Elf64_Nhdr h = { .n_namesz = (uint32_t)namesz, .n_descsz = descsz, .n_type = type };

	memcpy(*p, &h, sizeof(h));
	*p += sizeof(h);
	memcpy(*p, name, namesz);	/* the buffer is zeroed: the padding stays 0 */
	*p += ALIGN_UP(namesz, 4);
	memcpy(*p, desc, descsz);
	*p += ALIGN_UP(descsz, 4);
}

struct span {
	uint64_t pa, size;
};

static int span_cmp(const void *a, const void *b)
{
	const struct span *x = a, *y = b;

	return x->pa < y->pa ? -1 : x->pa > y->pa;
}

/*
 * PT_LOADs at p_vaddr = p_paddr for the RAM in [pa, pa + size) that no
 * virtual segment (spans: their physical ranges, sorted) covers.
 */
static int uncovered(struct phdrs *ph, const struct span *sp, int n, uint64_t pa, uint64_t size)
{
	uint64_t end = pa + size;

	for (int i = 0; i < n && pa < end; i++) {
		uint64_t s = sp[i].pa, e = sp[i].pa + sp[i].size;

		if (e <= pa || s >= end)
			continue;
		if (s > pa) {
			uint64_t avail, off = ram_off(ph, pa, &avail);

			if (add_phdr(ph, pa, pa, off, MIN(s - pa, avail)))
				return 1;
		}
		if (e > pa)
			pa = e;
	}
	if (pa < end) {
		uint64_t avail, off = ram_off(ph, pa, &avail);

		return add_phdr(ph, pa, pa, off, MIN(end - pa, avail));
	}
	return 0;
}

/* The physical segments: RAM below and above the hole, less what mappings cover. */
static int phys_ranges(struct phdrs *ph, int first_virt)
{
	int n = ph->n - first_virt;
	struct span *sp = calloc((size_t)(n ? n : 1), sizeof(*sp));
	const struct gmem *m = ph->m;
	int r;

	if (!sp)
		return -ENOMEM;
	for (int i = 0; i < n; i++)
		sp[i] = (struct span){ ph->p[first_virt + i].p_paddr, ph->p[first_virt + i].p_filesz };
	qsort(sp, (size_t)n, sizeof(*sp), span_cmp);
	r = uncovered(ph, sp, n, 0, m->low_size);
	if (!r && m->size > m->low_size)
		r = uncovered(ph, sp, n, GMEM_HIGH_BASE, m->size - m->low_size);
	free(sp);
	return r;
}


static int write_all(int fd, const void *buf, size_t n)
{
	const uint8_t *p = buf;

	while (n) {
		ssize_t w = write(fd, p, n);

		if (w < 0 && errno == EINTR)
			continue;
		if (w <= 0)
			return -errno ? -errno : -EIO;
		p += w;
		n -= (size_t)w;
	}
	return 0;
}

/* All of RAM, low then high, with our breakpoint bytes replaced by the originals. */
static int write_ram(int fd, struct vm *vm)
{
	const struct gmem *m = &vm->mem;
	size_t chunk = 1 << 20;
	uint8_t *buf = malloc(chunk);
	int r = 0;

	if (!buf)
		return -ENOMEM;
	for (uint64_t off = 0; off < m->size && !r; off += chunk) {
		size_t n = (size_t)MIN(chunk, m->size - off);
		uint64_t gpa = off < m->low_size ? off : GMEM_HIGH_BASE + (off - m->low_size);

		memcpy(buf, m->host + off, n);
		trap_swbp_shadow(&vm->swbp, gpa, buf, n);
		r = write_all(fd, buf, n);
	}
	free(buf);
	return r;
}

int dbg_coredump(struct dtarget *t, const char *path, char *err, size_t errlen)
{
	const struct gmem *m = &t->vm->mem;
	struct phdrs ph = { .m = m };
	size_t desc_sz = arch_core_prstatus_size(), note_one = note_size("CORE", desc_sz);
	size_t notes_sz;
	uint8_t *notes = NULL, *np;
	void *desc = NULL;
	struct walk_ctx w;
	Elf64_Ehdr eh;
	uint64_t hdr_end;
	int fd = -1, r = -ENOMEM;

	for (int i = 0; i < arch_core_nnotes(); i++) {
		const char *name;
		uint32_t type;
		size_t sz;

		arch_core_note(i, &name, &type, &sz);
		note_one += note_size(name, sz);
		desc_sz = MAX(desc_sz, sz);
	}
	notes_sz = note_one * (size_t)t->vm->ncpus;
	ph.p = calloc(MAX_PHDRS, sizeof(*ph.p));
	notes = calloc(1, notes_sz);
	desc = malloc(desc_sz);
	if (!ph.p || !notes || !desc) {
		snprintf(err, errlen, "out of memory");
		goto out;
	}
	/* count first, offsets after: phdr 0 is the note, then the mappings, then the rest of RAM */
	ph.n = 1;
	if (dbg_walk_ctx(t, t->cur_cpu, &w) == 0 && walk_paging(&w))
		pgdump(&w, virt_range, &ph);
	if (phys_ranges(&ph, 1)) {
		snprintf(err, errlen, "out of memory");
		goto out;
	}
	hdr_end = sizeof(eh) + (uint64_t)ph.n * sizeof(Elf64_Phdr);
	ph.data_off = ALIGN_UP(hdr_end + notes_sz, 4096);
	for (int i = 1; i < ph.n; i++)
		ph.p[i].p_offset += ph.data_off;
	ph.p[0] = (Elf64_Phdr){ .p_type = PT_NOTE, .p_offset = hdr_end, .p_filesz = notes_sz,
				.p_align = 4 };

	np = notes;
	for (int i = 0; i < t->vm->ncpus; i++) {
		struct dcache *c;
		const struct vcpu_state *st = dbg_load(t, i, &c) ? NULL : &c->st;

		arch_core_prstatus(st, i, desc);
		put_note(&np, "CORE", NT_PRSTATUS, desc, (uint32_t)arch_core_prstatus_size());
		for (int k = 0; k < arch_core_nnotes(); k++) {
			const char *name;
			uint32_t type;
			size_t sz;

			arch_core_note(k, &name, &type, &sz);
			arch_core_note_desc(k, st, desc);
			put_note(&np, name, type, desc, (uint32_t)sz);
		}
	}
	memset(&eh, 0, sizeof(eh));
	memcpy(eh.e_ident, ELFMAG, SELFMAG);
	eh.e_ident[EI_CLASS] = ELFCLASS64;
	eh.e_ident[EI_DATA] = ELFDATA2LSB;
	eh.e_ident[EI_VERSION] = EV_CURRENT;
	eh.e_type = ET_CORE;
	eh.e_machine = (Elf64_Half)arch_core_machine();
	eh.e_version = EV_CURRENT;
	eh.e_phoff = sizeof(eh);
	eh.e_ehsize = sizeof(eh);
	eh.e_phentsize = sizeof(Elf64_Phdr);
	eh.e_phnum = (uint16_t)ph.n;

	fd = open(path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC | O_NOFOLLOW, 0600);
	if (fd < 0) {
		r = -errno;
		snprintf(err, errlen, "cannot create %s: %s", path, strerror(errno));
		goto out;
	}
	r = write_all(fd, &eh, sizeof(eh));
	if (!r)
		r = write_all(fd, ph.p, (size_t)ph.n * sizeof(Elf64_Phdr));
	if (!r)
		r = write_all(fd, notes, notes_sz);
	if (!r && lseek(fd, (off_t)ph.data_off, SEEK_SET) < 0)
		r = -errno;
	if (!r)
		r = write_ram(fd, t->vm);
	if (r)
		snprintf(err, errlen, "writing %s: %s", path, strerror(-r));
out:
	if (fd >= 0)
		close(fd);
	free(ph.p);
	free(notes);
	free(desc);
	return r;
}
