/*
 * bios.c -- firmware images (SeaBIOS bios.bin and the like).  Mapping the image
 * below 4 GiB needs memory slots, so the VM layer does it; here only the image
 * check and the reset state.
 */
#include <errno.h>
#include <stdio.h>
#include <string.h>

#include "loader/loader.h"

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
