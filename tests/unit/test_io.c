/*
 * test_io.c -- the port/MMIO bus: registration (overlaps and bad ranges
 * refused, sorted lookup), dispatch to the right handler with the right
 * offsets, unclaimed and failing reads as all-ones, the two spaces apart.
 */
#include <errno.h>

#include "test.h"
#include "core/io.h"

struct dev {
	uint64_t last_addr;
	unsigned last_len;
	bool last_write;
	uint8_t last[8];
	int calls;
	int fail;
};

static int dev_io(struct vcpu *v, uint64_t addr, uint8_t *data, unsigned len, bool is_write,
		  void *opaque)
{
	struct dev *d = opaque;

	d->calls++;
	d->last_addr = addr;
	d->last_len = len;
	d->last_write = is_write;
	if (d->fail)
		return -EIO;
	if (is_write)
		memcpy(d->last, data, len);
	else
		for (unsigned i = 0; i < len; i++)
			data[i] = (uint8_t)(addr + i);
	return 0;
}

TEST(register_and_overlaps)
{
	struct io_bus b;
	struct dev a = { 0 }, c = { 0 };

	io_bus_init(&b);
	CHECK_EQ(io_register(&b, IO_PIO, 0x3f8, 8, dev_io, &a, "uart"), 0);
	CHECK_EQ(io_register(&b, IO_PIO, 0x3ff, 1, dev_io, &c, "x"), -EEXIST);	/* last byte */
	CHECK_EQ(io_register(&b, IO_PIO, 0x3f0, 9, dev_io, &c, "x"), -EEXIST);	/* first byte */
	CHECK_EQ(io_register(&b, IO_PIO, 0x3f0, 8, dev_io, &c, "below"), 0);	/* adjacent */
	CHECK_EQ(io_register(&b, IO_PIO, 0x400, 1, dev_io, &c, "above"), 0);
	CHECK_EQ(io_register(&b, IO_PIO, 0x500, 0, dev_io, &c, "empty"), -EINVAL);
	CHECK_EQ(io_register(&b, IO_MMIO, ~0ULL - 3, 8, dev_io, &c, "wraps"), -EINVAL);
	CHECK_EQ(io_register(&b, IO_PIO, 0x600, 1, NULL, &c, "nofn"), -EINVAL);
	/* the same range in the other space is no overlap */
	CHECK_EQ(io_register(&b, IO_MMIO, 0x3f8, 8, dev_io, &c, "mmio"), 0);
	CHECK_STR(io_lookup_name(&b, IO_PIO, 0x3f7), "below");
	CHECK_STR(io_lookup_name(&b, IO_PIO, 0x3f8), "uart");
	CHECK_STR(io_lookup_name(&b, IO_PIO, 0x3ff), "uart");
	CHECK_STR(io_lookup_name(&b, IO_PIO, 0x400), "above");
	CHECK(io_lookup_name(&b, IO_PIO, 0x401) == NULL);
	CHECK_STR(io_lookup_name(&b, IO_MMIO, 0x3f8), "mmio");
	io_bus_reset(&b);
	CHECK(io_lookup_name(&b, IO_PIO, 0x3f8) == NULL);
}

TEST(dispatch)
{
	struct io_bus b;
	struct dev a = { 0 }, m = { 0 };
	uint8_t d[8];

	io_bus_init(&b);
	CHECK_EQ(io_register(&b, IO_PIO, 0x60, 1, dev_io, &a, "kbd"), 0);
	CHECK_EQ(io_register(&b, IO_MMIO, 0xd0000000, 0x1000, dev_io, &m, "virtio"), 0);
	memset(d, 0, sizeof(d));
	CHECK_EQ(io_dispatch(&b, IO_MMIO, NULL, 0xd0000070, d, 4, false), 0);
	CHECK_EQ(m.last_addr, 0xd0000070);		/* the absolute address */
	CHECK_EQ(m.last_len, 4);
	CHECK_EQ(d[1], 0x71);
	memcpy(d, "\xde\xad", 2);
	CHECK_EQ(io_dispatch(&b, IO_PIO, NULL, 0x60, d, 2, true), 0);
	CHECK(a.last_write);
	CHECK(!memcmp(a.last, "\xde\xad", 2));
	CHECK_EQ(m.calls, 1);
	/* nobody there: -ENOENT, reads all-ones */
	memset(d, 0, sizeof(d));
	CHECK_EQ(io_dispatch(&b, IO_PIO, NULL, 0x61, d, 2, false), -ENOENT);
	CHECK_EQ(d[0], 0xff);
	CHECK_EQ(d[1], 0xff);
	CHECK_EQ(d[2], 0);
	/* a failing handler: its error, reads all-ones */
	m.fail = 1;
	memset(d, 0, sizeof(d));
	CHECK_EQ(io_dispatch(&b, IO_MMIO, NULL, 0xd0000000, d, 8, false), -EIO);
	CHECK_EQ(d[7], 0xff);
	io_bus_reset(&b);
}

TEST(many_ranges_binary_search)
{
	struct io_bus b;
	struct dev a = { 0 };
	uint8_t d[1];

	io_bus_init(&b);
	/* registered out of order: lookups must still find each */
	for (int i = 63; i >= 0; i--)
		CHECK_EQ(io_register(&b, IO_MMIO, 0x100000 + (uint64_t)i * 0x100, 0x10, dev_io, &a,
				     "r"), 0);
	for (int i = 0; i < 64; i++) {
		CHECK_EQ(io_dispatch(&b, IO_MMIO, NULL, 0x100000 + (uint64_t)i * 0x100 + 0xf, d, 1,
				     false), 0);
		CHECK_EQ(io_dispatch(&b, IO_MMIO, NULL, 0x100000 + (uint64_t)i * 0x100 + 0x10, d,
				     1, false), -ENOENT);
	}
	io_bus_reset(&b);
}

TEST_MAIN()
