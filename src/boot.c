/* boot.c -- read images, load the guest, set the boot vCPU; see boot.h. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/mman.h>

#include "boot.h"
#include "core/trap_swbp.h"
#include "config.h"
#include "dev/virtio_blk.h"
#include "arch/x86/platform.h"
#include "util.h"
#include "core/vcpu.h"
#include "core/vm.h"
#include "arch/x86/x86_vcpu.h"

/* What boot_reset needs: the images, and every vCPU's state at boot. */
static struct boot_images *boot_img;
static struct vcpu_state *boot_states;
static struct kvm_lapic_state *boot_lapics;

#define BIOS_LEGACY_MAX	0x20000ULL	/* the last 128 KiB also appear below 1 MiB */

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

/* Firmware: read-only at the top of 4 GiB, and its last 128 KiB copied below 1 MiB. */
static int map_bios(struct vm *vm, struct boot_images *img, char *err, size_t errlen)
{
	uint64_t size = img->bios_size;
	uint64_t legacy = MIN(size, BIOS_LEGACY_MAX);
	void *rom;
	int r;

	if (vm->rom)		/* reset: the ROM is still mapped, refresh the copy */
		return gmem_write(&vm->mem, 0x100000 - legacy, img->bios + size - legacy, legacy);
	rom = mmap(NULL, size, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	if (rom == MAP_FAILED) {
		snprintf(err, errlen, "cannot allocate the BIOS image: %s", strerror(errno));
		return -ENOMEM;
	}
	memcpy(rom, img->bios, size);
	r = vm_map(vm, 0x100000000ULL - size, size, rom, true);
	if (r) {
		snprintf(err, errlen, "cannot map the BIOS image: %s", strerror(-r));
		return r;
	}
	vm->rom = rom;
	vm->rom_gpa = 0x100000000ULL - size;
	vm->rom_size = size;
	if (gmem_write(&vm->mem, 0x100000 - legacy, img->bios + size - legacy, legacy)) {
		snprintf(err, errlen, "memory too small for the BIOS image");
		return -ENOMEM;
	}
	return 0;
}

int boot_load(struct vm *vm, struct boot_images *img, struct boot_state *bs,
	      char *err, size_t errlen)
{
	struct loader_ctx ctx;
	const struct loader *ld;
	const char *fmt = config_str("boot.format");
	int r;

	memset(bs, 0, sizeof(*bs));
	boot_img = img;
	if (img->bios) {
		bios_boot_state(bs);
		return map_bios(vm, img, err, errlen);
	}
	ld = loader_find(fmt, img->kernel, img->kernel_size);
	if (!ld) {
		snprintf(err, errlen, "kernel '%s': not a format hyve can boot "
			 "(multiboot, PVH ELF, bzImage, ELF64; raw images need -o boot.format=raw)",
			 img->kernel_path);
		return -ENOEXEC;
	}
	memset(&ctx, 0, sizeof(ctx));
	ctx.mem = &vm->mem;
	ctx.kernel_path = img->kernel_path;
	ctx.kernel = img->kernel;
	ctx.kernel_size = img->kernel_size;
	ctx.initrd = img->initrd;
	ctx.initrd_size = img->initrd_size;
	ctx.cmdline = img->cmdline;
	ctx.ncpus = vm->ncpus;
	ctx.raw.load_addr = config_uint("raw.addr");
	ctx.raw.entry = config_is_set("raw.entry") ? config_uint("raw.entry") : ctx.raw.load_addr;
	fmt = config_str("raw.mode");
	ctx.raw.mode = !strcmp(fmt, "prot32") ? BOOT_PROT32 :
		       !strcmp(fmt, "long64") ? BOOT_LONG64 : BOOT_REAL16;
	r = ld->load(&ctx, bs);
	if (r) {
		if (ctx.err[0])
			snprintf(err, errlen, "%s", ctx.err);
		else
			snprintf(err, errlen, "%s: %s", img->kernel_path, strerror(-r));
		return r;
	}
	log_debug("loaded %s as %s, entry 0x%llx", img->kernel_path, ld->name,
		  (unsigned long long)bs->rip);
	return 0;
}

int boot_vcpu(struct vm *vm, const struct boot_state *bs)
{
	int r = x86_vcpu_boot(vm->vcpus[0], bs);

	if (r)
		return r;
	free(boot_states);
	free(boot_lapics);
	boot_states = calloc((size_t)vm->ncpus, sizeof(*boot_states));
	boot_lapics = calloc((size_t)vm->ncpus, sizeof(*boot_lapics));
	if (!boot_states || !boot_lapics)
		return -ENOMEM;
	for (int i = 0; i < vm->ncpus; i++) {
		r = vcpu_get_state(vm->vcpus[i], &boot_states[i]);
		if (!r && ioctl(vm->vcpus[i]->fd, KVM_GET_LAPIC, &boot_lapics[i]) < 0)
			r = -errno;
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

	if (!boot_img || !boot_states)
		return -ENODEV;
	if (!vcpu_all_parked(vm))
		return -EBUSY;
	/* fresh zero pages for all of RAM, then the guest as at start-up */
	if (madvise(vm->mem.host, vm->mem.size, MADV_DONTNEED) < 0)
		return -errno;
	r = boot_load(vm, boot_img, &bs, err, sizeof(err));
	if (r) {
		log_err("reset: %s", err);
		return r;
	}
	for (int i = 0; i < vm->ncpus; i++) {
		r = vcpu_set_state(vm->vcpus[i], &boot_states[i]);
		if (!r && ioctl(vm->vcpus[i]->fd, KVM_SET_LAPIC, &boot_lapics[i]) < 0)
			r = -errno;
		if (r)
			return r;
	}
	bp_sw_rearm(&vm->mem);
	return 0;
}
