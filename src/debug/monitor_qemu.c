/*
 * monitor_qemu.c -- the generic commands of QEMU's human monitor that
 * kernel-debugging front ends send through `monitor` (GEF, pwndbg, the
 * kernel's scripts/gdb): gva2gpa, gpa2hva, xp, x, info cpus, info kvm,
 * info version, info mtree.  Their output follows QEMU 7.2's formats line
 * for line, because those tools parse it with regexes written for QEMU
 * (`gpa: (0x...)`, `0000000000001000: 0x53 0xff ...`, `Root memory region:`).
 * The architecture's QEMU commands (info registers, info mem) are in
 * arch/<name>/monitor.c.
 */
#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/gmem.h"
#include "debug/dbg.h"
#include "gdb/rsp.h"
#include "util.h"

/* The most bytes one x/xp prints: the reply is built in memory. */
#define DUMP_MAX	65536

int mon_parse_addr(const char *s, uint64_t *out)
{
	char buf[64];
	size_t n = strlen(s);

	while (n && s[n - 1] == ' ')
		n--;
	if (!n || n >= sizeof(buf))
		return -EINVAL;
	memcpy(buf, s, n);
	buf[n] = 0;
	return parse_u64(buf, out);
}

/* gva2gpa ADDR: QEMU's "gpa: %#x", or "Unmapped"; always through the page tables. */
static int gva2gpa(struct dtarget *t, const char *args, struct rsp_buf *o)
{
	struct walk_ctx w;
	struct walk_result res;
	uint64_t va;
	int r;

	if (mon_parse_addr(args, &va))
		return -EINVAL;
	r = dbg_walk_ctx(t, t->cur_cpu, &w);
	if (r)
		return r;
	if (walk_translate(&w, va, &res))
		rsp_buf_puts(o, "Unmapped\n");
	else
		rsp_buf_printf(o, "gpa: %#" PRIx64 "\n", res.gpa);
	return 0;
}

/*
 * gpa2hva ADDR: where the guest-physical address is in hyve's own address
 * space (QEMU's wording; RAM is "pc.ram", the firmware "pc.bios", as there).
 */
static int gpa2hva(struct dtarget *t, const char *args, struct rsp_buf *o)
{
	struct vm *vm = t->vm;
	uint8_t *host;
	uint64_t gpa;

	if (mon_parse_addr(args, &gpa))
		return -EINVAL;
	if (gmem_span(&vm->mem, gpa, &host))
		rsp_buf_printf(o, "Host virtual address for %#" PRIx64 " (pc.ram) is %p\n", gpa,
			       (void *)host);
	else if (vm->rom && gpa >= vm->rom_gpa && gpa - vm->rom_gpa < vm->rom_size)
		rsp_buf_printf(o, "Host virtual address for %#" PRIx64 " (pc.bios) is %p\n", gpa,
			       (void *)(vm->rom + (gpa - vm->rom_gpa)));
	else if (io_lookup_name(&vm->io, IO_MMIO, gpa))
		rsp_buf_printf(o, "Memory at address %#" PRIx64 " is not RAM\n", gpa);
	else
		rsp_buf_printf(o, "No memory is mapped at address %#" PRIx64 "\n", gpa);
	return 0;
}

/* ---- x, xp ---- */

struct fmt {
	uint64_t count;
	char format;		/* o d u x c (QEMU's 'i' is refused) */
	int size;		/* 1 2 4 8 */
};

/*
 * "/[COUNT][FORMAT][SIZE]" as QEMU takes it (letters in any order, b h w g
 * or L for the size), then the address.  Format and size default to the
 * last ones used, as in QEMU.  -EINVAL with the reason printed.
 */
static int parse_fmt(struct dtarget *t, const char *a, struct fmt *f, uint64_t *addr,
		     struct rsp_buf *o)
{
	f->count = 1;
	f->format = t->fmt_format ? t->fmt_format : 'x';
	f->size = t->fmt_size ? t->fmt_size : 4;
	if (*a == '/') {
		a++;
		if (*a >= '0' && *a <= '9') {
			f->count = 0;
			for (; *a >= '0' && *a <= '9'; a++)
				if ((f->count = f->count * 10 + (uint64_t)(*a - '0')) > DUMP_MAX)
					break;
		}
		for (;; a++) {
			if (strchr("oduxci", *a) && *a)
				f->format = *a;
			else if (*a == 'b')
				f->size = 1;
			else if (*a == 'h')
				f->size = 2;
			else if (*a == 'w')
				f->size = 4;
			else if (*a == 'g' || *a == 'L')
				f->size = 8;
			else
				break;
		}
		if (*a && *a != ' ') {
			if (*a >= '0' && *a <= '9')
				rsp_buf_printf(o, "at most %d units at a time\n", DUMP_MAX);
			else
				rsp_buf_printf(o, "invalid char in format: '%c'\n", *a);
			return -EINVAL;
		}
		while (*a == ' ')
			a++;
	}
	if (f->format == 'i') {
		rsp_buf_puts(o, "format 'i' (disassembly) is not available in hyve: use gdb's x/i\n");
		return -EINVAL;
	}
	if (mon_parse_addr(a, addr)) {
		rsp_buf_puts(o, *a ? "bad address\n" : "an address is needed\n");
		return -EINVAL;
	}
	t->fmt_format = f->format;
	t->fmt_size = f->size;
	return 0;
}

/* QEMU's rendering of one byte as a character: quoted, escaped where unprintable. */
static void put_char(struct rsp_buf *o, unsigned c)
{
	if (c == '\'')
		rsp_buf_puts(o, "'\\''");
	else if (c == '\\')
		rsp_buf_puts(o, "'\\\\'");
	else if (c == '\n')
		rsp_buf_puts(o, "'\\n'");
	else if (c == '\r')
		rsp_buf_puts(o, "'\\r'");
	else if (c >= 32 && c <= 126)
		rsp_buf_printf(o, "'%c'", c);
	else
		rsp_buf_printf(o, "'\\x%02x'", c);
}

/*
 * QEMU's memory_dump: 8 units a line for bytes, 16 bytes a line otherwise
 * (decided from the size before 'c' forces single bytes); a line that
 * cannot be read in full ends the dump with " Cannot access memory".
 */
static void dump(struct dtarget *t, const struct fmt *f, uint64_t addr, bool phys,
		 struct rsp_buf *o)
{
	int wsize = f->size, line = wsize == 1 ? 8 : 16, digits = 0;
	uint64_t len = (uint64_t)wsize * f->count;
	uint8_t buf[16];

	switch (f->format) {
	case 'o': digits = (wsize * 8 + 2) / 3; break;
	case 'u':
	case 'd': digits = (wsize * 8 * 10 + 32) / 33; break;
	case 'c': wsize = 1; break;
	default: digits = wsize * 8 / 4; break;
	}
	while (len > 0) {
		int l = len > (uint64_t)line ? line : (int)len;

		rsp_buf_printf(o, "%016" PRIx64 ":", addr);
		if (dbg_read_as(t, t->cur_cpu, addr, buf, (size_t)l, phys) != l) {
			rsp_buf_puts(o, " Cannot access memory\n");
			return;
		}
		for (int i = 0; i < l; i += wsize) {
			uint64_t v = 0;

			for (int k = wsize; k-- > 0;)
				v = (v << 8) | buf[i + k];
			rsp_buf_puts(o, " ");
			switch (f->format) {
			case 'o': rsp_buf_printf(o, "%#*" PRIo64, digits, v); break;
			case 'u': rsp_buf_printf(o, "%*" PRIu64, digits, v); break;
			case 'd': rsp_buf_printf(o, "%*" PRId64, digits, (int64_t)v); break;
			case 'c': put_char(o, (unsigned)v); break;
			default: rsp_buf_printf(o, "0x%0*" PRIx64, digits, v); break;
			}
		}
		rsp_buf_puts(o, "\n");
		addr += (uint64_t)l;
		len -= (uint64_t)l;
	}
}

static int mem_dump(struct dtarget *t, const char *args, struct rsp_buf *o, bool phys)
{
	struct fmt f;
	uint64_t addr;

	if (parse_fmt(t, args, &f, &addr, o))
		return -EINVAL;
	if ((uint64_t)f.size * f.count > DUMP_MAX) {
		rsp_buf_printf(o, "at most %d bytes at a time\n", DUMP_MAX);
		return -EINVAL;
	}
	dump(t, &f, addr, phys, o);
	return 0;
}

static int xp(struct dtarget *t, const char *args, struct rsp_buf *o)
{
	return mem_dump(t, args, o, true);
}

static int x(struct dtarget *t, const char *args, struct rsp_buf *o)
{
	return mem_dump(t, args, o, false);
}

/* ---- info ---- */

static int info_cpus(struct dtarget *t, const char *args, struct rsp_buf *o)
{
	if (*args)
		return -EINVAL;
	for (int i = 0; i < t->vm->ncpus; i++)
		rsp_buf_printf(o, "%c CPU #%d: thread_id=%d\n", i == t->cur_cpu ? '*' : ' ', i,
			       __atomic_load_n(&t->vm->vcpus[i]->tid, __ATOMIC_RELAXED));
	return 0;
}

static int info_kvm(struct dtarget *t, const char *args, struct rsp_buf *o)
{
	if (*args)
		return -EINVAL;
	rsp_buf_puts(o, "kvm support: enabled\n");
	return 0;
}

static int info_version(struct dtarget *t, const char *args, struct rsp_buf *o)
{
	if (*args)
		return -EINVAL;
	rsp_buf_puts(o, HYVE_VERSION " (hyve)\n");
	return 0;
}

/* One range of the flat view. */
struct mt_region {
	uint64_t base, size, off;	/* off: offset in its region (QEMU's "@..."), or ~0 */
	int prio;
	const char *kind, *name;
};

#define MT_MAX	64

struct mt_list {
	struct mt_region r[MT_MAX];
	int n;
};

static void mt_add(struct mt_list *l, uint64_t base, uint64_t size, uint64_t off, int prio,
		   const char *kind, const char *name)
{
	int i;

	if (l->n == MT_MAX || !size)
		return;
	for (i = l->n; i > 0 && l->r[i - 1].base > base; i--)
		l->r[i] = l->r[i - 1];
	l->r[i] = (struct mt_region){ base, size, off, prio, kind, name };
	l->n++;
}

static int mt_visit(void *opaque, uint64_t base, uint64_t len, const char *name)
{
	mt_add(opaque, base, len, ~0ULL, 0, "i/o", name ? name : "(unnamed)");
	return 0;
}

static void mt_print(struct rsp_buf *o, const struct mt_list *l)
{
	for (int i = 0; i < l->n; i++) {
		const struct mt_region *r = &l->r[i];

		rsp_buf_printf(o, "  %016" PRIx64 "-%016" PRIx64 " (prio %d, %s): %s", r->base,
			       r->base + (r->size - 1), r->prio, r->kind, r->name);
		if (r->off != ~0ULL)
			rsp_buf_printf(o, " @%016" PRIx64, r->off);
		rsp_buf_puts(o, "\n");
	}
}

/* The ranges of one space: hyve's devices and KVM's own. */
static void mt_space(struct vm *vm, enum io_space sp, struct mt_list *l)
{
	struct arch_region k[8];
	int n = arch_kernel_regions(vm, sp, k, (int)ARRAY_SIZE(k));

	io_foreach(&vm->io, sp, mt_visit, l);
	for (int i = 0; i < n; i++)
		mt_add(l, k[i].base, k[i].size, ~0ULL, k[i].prio, "i/o", k[i].name);
}

/*
 * info mtree [-f]: QEMU's flat view of the system memory and I/O address
 * spaces (the tree without -f is printed flat as well: hyve has no region
 * hierarchy to show).
 */
static int info_mtree(struct dtarget *t, const char *args, struct rsp_buf *o)
{
	struct vm *vm = t->vm;
	struct mt_list *l;

	if (*args && strcmp(args, "-f"))
		return -EINVAL;
	l = calloc(1, sizeof(*l));
	if (!l)
		return -ENOMEM;
	mt_add(l, 0, vm->mem.low_size, ~0ULL, 0, "ram", "pc.ram");
	if (vm->mem.size > vm->mem.low_size)
		mt_add(l, GMEM_HIGH_BASE, vm->mem.size - vm->mem.low_size, vm->mem.low_size, 0,
		       "ram", "pc.ram");
	if (vm->rom)
		mt_add(l, vm->rom_gpa, vm->rom_size, ~0ULL, 0, "rom", "pc.bios");
	mt_space(vm, IO_MMIO, l);
	rsp_buf_puts(o, "FlatView #0\n AS \"memory\", root: system\n");
	for (int i = 0; i < vm->ncpus; i++)
		rsp_buf_printf(o, " AS \"cpu-memory-%d\", root: system\n", i);
	rsp_buf_puts(o, " Root memory region: system\n");
	mt_print(o, l);
	memset(l, 0, sizeof(*l));
	mt_space(vm, IO_PIO, l);
	rsp_buf_puts(o, "\nFlatView #1\n AS \"I/O\", root: io\n Root memory region: io\n");
	mt_print(o, l);
	rsp_buf_puts(o, "\n");
	free(l);
	return 0;
}

const struct mon_cmd qemu_mon_cmds[] = {
	{ "gva2gpa", "ADDR", "QEMU: the guest-physical address of a virtual one", gva2gpa },
	{ "gpa2hva", "ADDR", "QEMU: where a guest-physical address is in hyve's memory", gpa2hva },
	{ "xp", "/FMT ADDR", "QEMU: guest-physical memory, FMT = [count][o|d|u|x|c][b|h|w|g]", xp },
	{ "x", "/FMT ADDR", "QEMU: guest-virtual memory (the vCPU's page tables), FMT as xp", x },
	{ "info cpus", "", "QEMU: one line per vCPU (* the current one), its host thread", info_cpus },
	{ "info kvm", "", "QEMU: says KVM is in use", info_kvm },
	{ "info version", "", "QEMU: hyve's version", info_version },
	{ "info mtree", "[-f]", "QEMU: the flat memory and I/O map: RAM, ROM, devices", info_mtree },
};
const int qemu_mon_ncmds = (int)ARRAY_SIZE(qemu_mon_cmds);
