/*
 * boot.h -- from the configuration to a loaded guest: read the image files,
 * pick the loader (or map firmware), write platform tables, set the boot vCPU.
 */
#ifndef HYVE_BOOT_H
#define HYVE_BOOT_H

#include <stddef.h>
#include <stdint.h>

#include "loader/loader.h"

struct vm;

struct boot_images {
	const char *kernel_path, *initrd_path, *bios_path;
	uint8_t *kernel, *initrd, *bios;
	size_t kernel_size, initrd_size, bios_size;
	char *cmdline;			/* append + devices' additions */
};

/* Read kernel/initrd/bios named by the config.  0 or -errno with err set. */
int boot_read_images(struct boot_images *img, char *err, size_t errlen);
void boot_free_images(struct boot_images *img);
/*
 * Check, before KVM is touched, that the image loads into a guest of this
 * size and vCPU count: the loader runs over scratch memory, which is then
 * freed.  0 or -errno with err set (the same message boot_load would give).
 */
int boot_check(const struct boot_images *img, int ncpus, uint64_t mem_size,
	       char *err, size_t errlen);
/* Put the guest in RAM and fill the boot state.  0 or -errno with err set. */
int boot_load(struct vm *vm, struct boot_images *img, struct boot_state *bs,
	      char *err, size_t errlen);
/*
 * Load the boot state into vCPU 0 and remember every vCPU's state as it is
 * now (for boot_reset).  0 or -errno.
 */
int boot_vcpu(struct vm *vm, const struct boot_state *bs);
/*
 * Reset the machine (monitor reset): RAM cleared and the guest loaded again,
 * every vCPU back to its state at boot, software breakpoints re-armed.  All
 * vCPUs must be parked.  Devices keep their state.  0 or -errno.
 */
int boot_reset(struct vm *vm);

#endif
