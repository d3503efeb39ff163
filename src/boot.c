/* boot.c -- read images, load the guest, set the boot vCPU; see boot.h. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>

#include "boot.h"
#include "core/trap_swbp.h"
#include "config.h"
#include "dev/virtio_blk.h"
#include "arch/arch.h"
#include "util.h"
#include "core/vcpu.h"
#include "core/vm.h"


static int read_named(const char *what, const char *path, uint8_t **buf, size_t *size,
		      char *err, size_t errlen)
{
	int r = read_file(path, buf, size);

	if (r)
		snprintf(err, errlen, "cannot read %s '%s': %s", what, path, strerror(-r));
	else if (*size == 0) {
		snprintf(err, errlen, "%s '%s' is empty", what, path);
		free(*buf);
		*buf = NULL;
		r = -EINVAL;
	}
	return r;
}

static int build_cmdline(struct boot_images *img)
{
	const char *append = config_str("append");
	const char *extra = virtio_blk_cmdline();	/* announce the disk, if any */
	size_t n = strlen(append) + (extra ? strlen(extra) + 1 : 0) + 1;

	img->cmdline = malloc(n);
	if (!img->cmdline)
		return -ENOMEM;
	snprintf(img->cmdline, n, "%s%s%s", append, extra && *append ? " " : "",
		 extra ? extra : "");
	return 0;
}

int boot_read_images(struct boot_images *img, char *err, size_t errlen)
{
	int r;

	memset(img, 0, sizeof(*img));
	img->kernel_path = config_str("kernel");
	img->initrd_path = config_str("initrd");
	img->bios_path = config_str("bios");
	if (!img->kernel_path && !img->bios_path) {
		snprintf(err, errlen, "nothing to boot: give --kernel FILE or --bios FILE "
			 "(try --help)");
		return -EINVAL;
	}
	if (img->kernel_path && img->bios_path) {
		snprintf(err, errlen, "--kernel and --bios cannot be used together");
		return -EINVAL;
	}
	if (img->initrd_path && !img->kernel_path) {
		snprintf(err, errlen, "--initrd needs --kernel");
		return -EINVAL;
	}
	if (img->kernel_path) {
		r = read_named("kernel", img->kernel_path, &img->kernel, &img->kernel_size,
			       err, errlen);
		if (r)
			return r;
	}
	if (img->initrd_path) {
		r = read_named("initrd", img->initrd_path, &img->initrd, &img->initrd_size,
			       err, errlen);
		if (r)
			return r;
	}
	if (img->bios_path) {
		r = read_named("BIOS image", img->bios_path, &img->bios, &img->bios_size,
			       err, errlen);
		if (r)
			return r;
		if (bios_check(img->bios_size, err, errlen)) {
			char msg[256];

			snprintf(msg, sizeof(msg), "%s", err);
			snprintf(err, errlen, "BIOS image '%s': %s", img->bios_path, msg);
			return -EINVAL;
		}
	}
	return build_cmdline(img) ? -ENOMEM : 0;
}

void boot_free_images(struct boot_images *img)
{
	free(img->kernel);
	free(img->initrd);
	free(img->bios);
	free(img->cmdline);
	memset(img, 0, sizeof(*img));
}

/*
 * Run the image's loader over `mem`: 0, or -errno with err set.  ctx is left
 * for the caller (the segments loaded).
 */
static int run_loader(struct gmem *mem, int ncpus, const struct boot_images *img,
		      struct loader_ctx *ctx, struct boot_state *bs, char *err, size_t errlen)
{
	const struct loader *ld;
	const char *fmt = config_str("boot.format");
	int r;

	memset(bs, 0, sizeof(*bs));
	ld = loader_find(fmt, img->kernel, img->kernel_size);
	if (!ld) {
		snprintf(err, errlen, "kernel '%s': not a format hyve can boot "
			 "(multiboot, PVH ELF, bzImage, ELF64; raw images need -o boot.format=raw)",
			 img->kernel_path);
		return -ENOEXEC;
	}
	memset(ctx, 0, sizeof(*ctx));
	ctx->mem = mem;
	ctx->kernel_path = img->kernel_path;
	ctx->kernel = img->kernel;
	ctx->kernel_size = img->kernel_size;
	ctx->initrd = img->initrd;
	ctx->initrd_size = img->initrd_size;
	ctx->cmdline = img->cmdline;
	ctx->ncpus = ncpus;
	ctx->raw.load_addr = config_uint("raw.addr");
	ctx->raw.entry = config_is_set("raw.entry") ? config_uint("raw.entry") : ctx->raw.load_addr;
	fmt = config_str("raw.mode");
	ctx->raw.mode = !strcmp(fmt, "prot32") ? BOOT_PROT32 :
			!strcmp(fmt, "long64") ? BOOT_LONG64 : BOOT_REAL16;
	r = ld->load(ctx, bs);
	if (r) {
		if (ctx->err[0])
			snprintf(err, errlen, "%s", ctx->err);
		else
			snprintf(err, errlen, "%s: %s", img->kernel_path, strerror(-r));
		return r;
	}
	log_debug("loaded %s as %s", img->kernel_path, ld->name);
	return 0;
}

int boot_check(const struct boot_images *img, int ncpus, uint64_t mem_size,
	       char *err, size_t errlen)
{
	struct loader_ctx ctx;
	struct boot_state bs;
	struct gmem mem;
	void *p;
	int r;

	if (img->bios)
		return 0;	/* its size was checked when it was read */
	/* untouched pages cost nothing; the ones the loader writes go with munmap */
	p = mmap(NULL, mem_size, PROT_READ | PROT_WRITE,
		 MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE, -1, 0);
	if (p == MAP_FAILED) {
		snprintf(err, errlen, "cannot allocate %llu MiB of guest memory: %s",
			 (unsigned long long)(mem_size >> 20), strerror(errno));
		return -ENOMEM;
	}
	gmem_init(&mem, p, mem_size);
	r = run_loader(&mem, ncpus, img, &ctx, &bs, err, errlen);
	munmap(p, mem_size);
	return r;
}

int boot_load(struct vm *vm, struct boot_images *img, struct boot_state *bs,
	      char *err, size_t errlen)
{
	struct loader_ctx ctx;
	int r;

	memset(bs, 0, sizeof(*bs));
	vm->boot_img = img;
	if (img->bios) {
		bios_boot_state(bs);
		return bios_map(vm, img->bios, img->bios_size, err, errlen);
	}
	r = run_loader(&vm->mem, vm->ncpus, img, &ctx, bs, err, errlen);
	if (r)
		return r;
	vm->nboot_segs = 0;
	for (int i = 0; i < ctx.nsegs && i < (int)ARRAY_SIZE(vm->boot_segs); i++) {
		vm->boot_segs[i] = (struct vm_segment){ ctx.segs[i].va, ctx.segs[i].gpa,
							 ctx.segs[i].len };
		vm->nboot_segs++;
	}
	return 0;
}

int boot_vcpu(struct vm *vm, const struct boot_state *bs)
{
	int r = arch_vcpu_boot(vm->vcpus[0], bs);

	if (r)
		return r;
	free(vm->boot_states);
	vm->boot_states = calloc((size_t)vm->ncpus, sizeof(*vm->boot_states));
	if (!vm->boot_states)
		return -ENOMEM;
	for (int i = 0; i < vm->ncpus; i++) {
		r = vcpu_get_state_parts(vm->vcpus[i], &vm->boot_states[i], VS_ALL | VS_LAPIC);
		if (r)
			return r;
	}
	return 0;
}

int boot_reset(struct vm *vm)
{
	struct boot_state bs;
	char err[256];
	int r;

	if (!vm->boot_img || !vm->boot_states)
		return -ENODEV;
	if (!vcpu_all_parked(vm))
		return -EBUSY;
	/* fresh zero pages for all of RAM, then the guest as at start-up */
	if (madvise(vm->mem.host, vm->mem.size, MADV_DONTNEED) < 0)
		return -errno;
	vm_dirty_all(vm);	/* a snapshot after this copies all of RAM */
	r = boot_load(vm, vm->boot_img, &bs, err, sizeof(err));
	if (r) {
		log_err("reset: %s", err);
		return r;
	}
	for (int i = 0; i < vm->ncpus; i++) {
		r = vcpu_set_state(vm->vcpus[i], &vm->boot_states[i]);
		if (r)
			return r;
	}
	trap_swbp_rearm(&vm->swbp);
	return 0;
}
