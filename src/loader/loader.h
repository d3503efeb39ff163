/*
 * loader.h -- guest image loaders.  One file per format; each is pure logic
 * over a struct gmem (no KVM), so unit tests drive them on a buffer.
 *
 * A loader copies the image (and initrd, command line, boot structures) into
 * guest RAM and fills a struct boot_state (the architecture's) describing
 * the boot vCPU's state at entry.  Application processors are not touched:
 * they wait for INIT/SIPI.  The boot protocols themselves are the
 * architecture's (arch/x86/loader/: multiboot, PVH, bzImage, ELF64, raw,
 * firmware); here are the format registry and the helpers they share.
 */
#ifndef HYVE_LOADER_H
#define HYVE_LOADER_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "arch/arch.h"
#include "core/gmem.h"

/* Where a loaded segment's virtual addresses went in guest-physical memory. */
struct loader_seg {
	uint64_t va, gpa, len;
};
#define LOADER_MAX_SEGS	16

struct loader_ctx {
	struct gmem *mem;
	const char *kernel_path;	/* for messages */
	const uint8_t *kernel;		/* whole image file */
	size_t kernel_size;
	const uint8_t *initrd;		/* NULL if none */
	size_t initrd_size;
	const char *cmdline;		/* never NULL ("" if none) */
	int ncpus;
	struct raw_opts raw;
	char err[256];			/* set by a failing loader: one line, no "hyve:" */
	/* out: the ELF segments loaded (the first LOADER_MAX_SEGS), for the debugger */
	struct loader_seg segs[LOADER_MAX_SEGS];
	int nsegs;
};

struct loader {
	const char *name;		/* "multiboot", "pvh", "bzimage", "elf64", "raw", "bios" */
	/* true if the image is of this format (cheap header check only) */
	bool (*probe)(const uint8_t *img, size_t size);
	/* 0, or -errno with ctx->err set to a one-line reason */
	int (*load)(struct loader_ctx *ctx, struct boot_state *bs);
};

extern const struct loader loader_multiboot, loader_pvh, loader_bzimage,
	loader_elf64, loader_raw;

/*
 * Pick the loader for an image: "auto" probes bzimage, pvh, multiboot, elf64 in
 * that order (raw is never auto-detected).  NULL if none matches / unknown name.
 */
const struct loader *loader_find(const char *format, const uint8_t *img, size_t size);

/*
 * Set ctx->err to "<kernel_path>: <message>" (no path prefix if kernel_path is
 * NULL); returns err (a negative errno) for "return loader_error(ctx, -EINVAL, ...)".
 * ctx may be NULL (probing): then only err is returned.
 */
int loader_error(struct loader_ctx *ctx, int err, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));

/* ---- helpers shared by the loaders (loader.c, pvh.c); not for other layers ---- */

/* Linux's __START_KERNEL_map: the higher-half alias of physical 0. */
#define LOADER_KMAP_BASE	0xffffffff80000000ULL

/* "64 MiB", "5 GiB", "1536 KiB", "100 bytes": sizes in error messages. */
void loader_size_str(uint64_t bytes, char *buf, size_t len);
/* Fail with a message unless low RAM reaches at least `need` (a GPA). */
int loader_check_low_ram(struct loader_ctx *ctx, uint64_t need);
/*
 * Copy ctx->cmdline (NUL included) to LAYOUT_CMDLINE.  max_len bounds its
 * strlen (the kernel's limit; 0: only the buffer's).  0 or -E2BIG.
 */
int loader_put_cmdline(struct loader_ctx *ctx, uint64_t max_len);
/*
 * Place the initrd page-aligned as high as possible in low RAM, ending at or
 * below `limit` (exclusive GPA) and starting at or above kernel_end.  *gpa = 0
 * when there is no initrd.  0 or -ENOMEM with a message.
 */
int loader_put_initrd(struct loader_ctx *ctx, uint64_t kernel_end, uint64_t limit,
		      uint64_t *gpa);
/* Write the MP and ACPI tables for ctx->ncpus CPUs; *rsdp gets the RSDP's GPA. */
int loader_put_tables(struct loader_ctx *ctx, uint64_t *rsdp);
/*
 * PVH's struct hvm_start_info (with cmdline, initrd module, memory map, RSDP) at
 * LAYOUT_ZERO_PAGE, for the pvh and elf64 loaders.  kernel_end bounds the
 * initrd from below.  *gpa gets the start info's GPA.  0 or -errno + message.
 */
int pvh_write_start_info(struct loader_ctx *ctx, uint64_t kernel_end, uint64_t *gpa);

/*
 * Firmware: bios_check validates the image (size a multiple of 64 KiB,
 * 64 KiB..16 MiB); bios_map maps it into the VM (memory slots: not pure);
 * the boot state is the reset vector.  0 or -errno with err set.
 */
struct vm;
int bios_check(size_t size, char *err, size_t errlen);
int bios_map(struct vm *vm, const uint8_t *img, size_t size, char *err, size_t errlen);
void bios_boot_state(struct boot_state *bs);

#endif
