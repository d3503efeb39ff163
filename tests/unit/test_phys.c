/*
 * test_phys.c -- guest-physical access for the debugger (core/phys.c) at
 * the edges: low RAM's end, the hole, high RAM above 4 GiB, firmware ROM
 * (read-only), MMIO through the device with natural sizes, wrapping.
 * A VM with no KVM behind it: RAM is a buffer, the ROM another.
 */
#include <stdlib.h>

#include <errno.h>

#include "test.h"
#include "core/io.h"
#include "core/phys.h"
#include "core/vm.h"

static struct vm vm;
static uint8_t *ram, rom[0x10000];
static unsigned mmio_sizes[16], nmmio;

static int mmio(struct vcpu *v, uint64_t addr, uint8_t *data, unsigned len, bool is_write,
		void *opaque)
{
	if (nmmio < 16)
		mmio_sizes[nmmio++] = len;
	if (!is_write)
		memset(data, 0x5a, len);
	return 0;
}

/*
 * 8 KiB of low RAM and 4 KiB of high RAM at 4 GiB (a split gmem_init makes
 * only past 3 GiB; set by hand to keep the buffer small), a ROM under 4 GiB,
 * a device in the hole.
 */
#define LOW	0x2000ULL

static void up(void)
{
	vm_init(&vm, 1);
	ram = calloc(1, LOW + 0x1000);
	vm.mem.host = ram;
	vm.mem.size = LOW + 0x1000;
	vm.mem.low_size = LOW;
	for (int i = 0; i < 0x10000; i++)
		rom[i] = (uint8_t)i;
	vm.rom = rom;
	vm.rom_gpa = 0x100000000ULL - sizeof(rom);
	vm.rom_size = sizeof(rom);
	CHECK_EQ(io_register(&vm.io, IO_MMIO, 0xd0000000, 0x100, mmio, NULL, "dev"), 0);
	nmmio = 0;
}

static void down(void)
{
	vm.rom = NULL;
	vm_destroy(&vm);	/* no fds, no mapping of ours: frees the tables */
	free(ram);
}

TEST(ram_edges)
{
	uint8_t b[16];

	up();
	ram[LOW - 1] = 0x11;
	CHECK_EQ(phys_access(&vm, LOW - 1, b, 1, false), 1);
	CHECK_EQ(b[0], 0x11);
	/* running off the end of low RAM: short, up to the last byte */
	CHECK_EQ(phys_access(&vm, LOW - 4, b, 16, false), 4);
	/* the first byte past it: nothing */
	CHECK_EQ(phys_access(&vm, LOW, b, 1, false), -EFAULT);
	CHECK_EQ(phys_access(&vm, GMEM_HIGH_BASE - 0x20000, b, 1, false), -EFAULT);
	/* high RAM at 4 GiB: all of it, and not one byte more */
	memcpy(b, "high", 4);
	CHECK_EQ(phys_access(&vm, GMEM_HIGH_BASE + 0xffc, b, 4, true), 4);
	CHECK(!memcmp(ram + LOW + 0xffc, "high", 4));
	CHECK_EQ(phys_access(&vm, GMEM_HIGH_BASE + 0xffc, b, 8, false), 4);
	CHECK_EQ(phys_access(&vm, GMEM_HIGH_BASE + 0x1000, b, 1, false), -EFAULT);
	/* wrapping past 2^64 stops at the wrap */
	CHECK_EQ(phys_access(&vm, ~0ULL, b, 2, false), -EFAULT);
	down();
}

TEST(rom_is_read_only)
{
	uint8_t b[4];

	up();
	CHECK_EQ(phys_access(&vm, 0xfffffff0ULL, b, 4, false), 4);
	CHECK_EQ(b[0], 0xf0);
	CHECK_EQ(phys_access(&vm, 0xfffffff0ULL, b, 4, true), -EFAULT);
	CHECK_EQ(rom[0xfff0], 0xf0);
	/* the last ROM byte is the last byte below 4 GiB; RAM follows only at 4 GiB */
	CHECK_EQ(phys_access(&vm, 0xffffffffULL, b, 2, false), 2);
	down();
}

TEST(mmio_natural_sizes)
{
	uint8_t b[8];

	up();
	/* 7 bytes from an odd address: 1, 2, 4 as alignment allows */
	CHECK_EQ(phys_access(&vm, 0xd0000001, b, 7, false), 7);
	CHECK_EQ(nmmio, 3);
	CHECK_EQ(mmio_sizes[0], 1);
	CHECK_EQ(mmio_sizes[1], 2);
	CHECK_EQ(mmio_sizes[2], 4);
	CHECK_EQ(b[6], 0x5a);
	/* past the device: the hole */
	CHECK_EQ(phys_access(&vm, 0xd00000fe, b, 4, false), 2);
	CHECK_EQ(phys_access(&vm, 0xd0000100, b, 4, false), -EFAULT);
	down();
}

TEST_MAIN()
