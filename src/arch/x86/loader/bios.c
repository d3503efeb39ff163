/*
 * bios.c -- firmware images (SeaBIOS bios.bin and the like): the image
 * check, the reset state, and the mapping (read-only at the top of 4 GiB,
 * its last 128 KiB also copied below 1 MiB, as a PC's chipset shows it).
 */
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <sys/mman.h>

#include "core/gmem.h"
#include "core/memslot.h"
#include "core/vm.h"
#include "loader/loader.h"
#include "util.h"

#define BIOS_LEGACY_MAX	0x20000ULL	/* the last 128 KiB also appear below 1 MiB */
#define BIOS_LEGACY_END	0x100000ULL
#define BIOS_TOP	0x100000000ULL

#define BIOS_UNIT	(64u << 10)
#define BIOS_MAX	(16u << 20)

int bios_check(size_t size, char *err, size_t errlen)
{
	if (size < BIOS_UNIT || size > BIOS_MAX || size % BIOS_UNIT) {
		snprintf(err, errlen, "firmware image is %zu bytes: it must be a multiple of "
			 "64 KiB between 64 KiB and 16 MiB", size);
		return -EINVAL;
	}
	return 0;
}

/* The x86 reset state: real mode at 0xf000:0xfff0 with cs base 0xffff0000. */
void bios_boot_state(struct boot_state *bs)
{
	memset(bs, 0, sizeof(*bs));
	bs->mode = BOOT_REAL16;
	bs->cs = 0xf000;
	bs->cs_base = 0xffff0000ULL;
	bs->rip = 0xfff0;
}

int bios_map(struct vm *vm, const uint8_t *img, size_t size, char *err, size_t errlen)
{
	uint64_t legacy = MIN(size, BIOS_LEGACY_MAX);
	const uint8_t *tail = img + size - legacy;
	void *rom;
	int r;

	if (vm->rom)		/* reset: the ROM is still mapped, refresh the copy */
		return gmem_write(&vm->mem, BIOS_LEGACY_END - legacy, tail, legacy);
	rom = mmap(NULL, size, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	if (rom == MAP_FAILED) {
		snprintf(err, errlen, "cannot allocate the BIOS image: %s", strerror(errno));
		return -ENOMEM;
	}
	memcpy(rom, img, size);
	r = vm_map(vm, BIOS_TOP - size, size, rom, true);
	if (r) {
		munmap(rom, size);
		snprintf(err, errlen, "cannot map the BIOS image: %s", strerror(-r));
		return r;
	}
	vm->rom = rom;
	vm->rom_gpa = BIOS_TOP - size;
	vm->rom_size = size;
	if (gmem_write(&vm->mem, BIOS_LEGACY_END - legacy, tail, legacy)) {
		snprintf(err, errlen, "memory too small for the BIOS image");
		return -ENOMEM;
	}
	return 0;
}
