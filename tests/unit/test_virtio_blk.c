/*
 * test_virtio_blk.c -- the virtio-mmio transport and virtio-blk end to end:
 * a driver written here sets the device up through MMIO registers, builds a
 * split virtqueue in fake guest RAM and sends requests to a temp image file.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <unistd.h>

#include "test.h"
#include "dev_harness.h"
#include "dev/virtio_blk.h"
#include "dev/virtio_mmio.h"
#include "arch/x86/platform.h"

#define BASE		LAYOUT_VIRTIO_MMIO
#define RAM		(1ULL << 20)
#define QN		16
#define DESC		0x1000ULL
#define AVAIL		0x2000ULL
#define USED		0x3000ULL
#define BUF		0x10000ULL	/* request buffers from here */
#define IMG_SECTORS	128

#define F_SEG_MAX	(1u << 2)
#define F_RO		(1u << 5)
#define F_BLK_SIZE	(1u << 6)
#define F_FLUSH		(1u << 9)

enum { T_IN = 0, T_OUT = 1, T_FLUSH = 4, T_GET_ID = 8 };

static char img[64];
static uint16_t avail_idx;

static uint32_t reg(unsigned off) { return (uint32_t)mmio_read(BASE + off, 4); }
static void wreg(unsigned off, uint32_t v) { mmio_write(BASE + off, v, 4); }

static void make_image(off_t size)
{
	int fd;

	snprintf(img, sizeof(img), "/tmp/hyve-test-blk-XXXXXX");
	fd = mkstemp(img);
	CHECK(fd >= 0);
	CHECK_EQ(ftruncate(fd, size), 0);
	close(fd);
}

/* Bring the machine up with the image as "disk"; 0 or devices_init's error. */
static int up(bool readonly)
{
	fake_config_quiet();
	CHECK_EQ(config_set("disk", img), 0);
	if (readonly)
		CHECK_EQ(config_set("disk.readonly", "true"), 0);
	avail_idx = 0;
	return fake_vm_up(RAM, 1);
}

static void down(void)
{
	fake_vm_down();
	unlink(img);
}

static void set_desc(unsigned i, uint64_t addr, uint32_t len, uint16_t flags, uint16_t next)
{
	struct virtq_desc d = { addr, len, flags, next };

	memcpy(fake_ram + DESC + 16 * i, &d, sizeof(d));
}

static void avail_push(uint16_t head)
{
	memcpy(fake_ram + AVAIL + 4 + 2 * (avail_idx % QN), &head, 2);
	avail_idx++;
	memcpy(fake_ram + AVAIL + 2, &avail_idx, 2);
}

static uint16_t used_idx(void)
{
	uint16_t v;

	memcpy(&v, fake_ram + USED + 2, 2);
	return v;
}

static struct virtq_used_elem used_elem(unsigned i)
{
	struct virtq_used_elem e;

	memcpy(&e, fake_ram + USED + 4 + 8 * (i % QN), sizeof(e));
	return e;
}

/* The driver side of initialisation (3.1.1) up to FEATURES_OK; returns the status read back. */
static uint32_t negotiate(uint32_t lo, uint32_t hi)
{
	wreg(VIRTIO_MMIO_STATUS, 0);
	wreg(VIRTIO_MMIO_STATUS, VIRTIO_STATUS_ACKNOWLEDGE);
	wreg(VIRTIO_MMIO_STATUS, VIRTIO_STATUS_ACKNOWLEDGE | VIRTIO_STATUS_DRIVER);
	wreg(VIRTIO_MMIO_DRIVER_FEATURES_SEL, 0);
	wreg(VIRTIO_MMIO_DRIVER_FEATURES, lo);
	wreg(VIRTIO_MMIO_DRIVER_FEATURES_SEL, 1);
	wreg(VIRTIO_MMIO_DRIVER_FEATURES, hi);
	wreg(VIRTIO_MMIO_STATUS, VIRTIO_STATUS_ACKNOWLEDGE | VIRTIO_STATUS_DRIVER |
	     VIRTIO_STATUS_FEATURES_OK);
	return reg(VIRTIO_MMIO_STATUS);
}

static void queue_setup(uint64_t desc, uint64_t avail, uint64_t used)
{
	wreg(VIRTIO_MMIO_QUEUE_SEL, 0);
	wreg(VIRTIO_MMIO_QUEUE_NUM, QN);
	wreg(VIRTIO_MMIO_QUEUE_DESC_LOW, (uint32_t)desc);
	wreg(VIRTIO_MMIO_QUEUE_DESC_HIGH, (uint32_t)(desc >> 32));
	wreg(VIRTIO_MMIO_QUEUE_AVAIL_LOW, (uint32_t)avail);
	wreg(VIRTIO_MMIO_QUEUE_AVAIL_HIGH, (uint32_t)(avail >> 32));
	wreg(VIRTIO_MMIO_QUEUE_USED_LOW, (uint32_t)used);
	wreg(VIRTIO_MMIO_QUEUE_USED_HIGH, (uint32_t)(used >> 32));
	wreg(VIRTIO_MMIO_QUEUE_READY, 1);
}

static void driver_ok(void)
{
	CHECK(negotiate(F_BLK_SIZE | F_FLUSH, 1) & VIRTIO_STATUS_FEATURES_OK);
	queue_setup(DESC, AVAIL, USED);
	CHECK_EQ(reg(VIRTIO_MMIO_QUEUE_READY), 1);
	wreg(VIRTIO_MMIO_STATUS, VIRTIO_STATUS_ACKNOWLEDGE | VIRTIO_STATUS_DRIVER |
	     VIRTIO_STATUS_FEATURES_OK | VIRTIO_STATUS_DRIVER_OK);
	CHECK_EQ(reg(VIRTIO_MMIO_STATUS), VIRTIO_STATUS_ACKNOWLEDGE | VIRTIO_STATUS_DRIVER |
		 VIRTIO_STATUS_FEATURES_OK | VIRTIO_STATUS_DRIVER_OK);
}

/*
 * One three-descriptor request at descriptors first..first+2: header, data
 * (device-writable for IN/GET_ID), status.  Returns the status byte.
 */
static uint8_t request(unsigned first, uint32_t type, uint64_t sector, uint64_t data,
		       uint32_t len)
{
	uint64_t hdr = BUF + 0x100 * first, st = hdr + 0x40;
	bool in = type == T_IN || type == T_GET_ID;

	memcpy(fake_ram + hdr, &type, 4);
	memset(fake_ram + hdr + 4, 0, 4);
	memcpy(fake_ram + hdr + 8, &sector, 8);
	fake_ram[st] = 0xee;
	set_desc(first, hdr, 16, VIRTQ_DESC_F_NEXT, (uint16_t)(first + 1));
	set_desc(first + 1, data, len, VIRTQ_DESC_F_NEXT | (in ? VIRTQ_DESC_F_WRITE : 0),
		 (uint16_t)(first + 2));
	set_desc(first + 2, st, 1, VIRTQ_DESC_F_WRITE, 0);
	avail_push((uint16_t)first);
	wreg(VIRTIO_MMIO_QUEUE_NOTIFY, 0);
	return fake_ram[st];
}

TEST(cmdline)
{
	config_reset();
	CHECK(virtio_blk_cmdline() == NULL);
	CHECK_EQ(config_set("disk", "/some/image"), 0);
	CHECK_STR(virtio_blk_cmdline(), "virtio_mmio.device=4K@0xd0000000:5");
	config_reset();
}

TEST(bad_images_fail_init)
{
	make_image(1000);			/* not a multiple of 512 */
	CHECK_EQ(up(false), -EINVAL);
	down();
	make_image(0);
	CHECK_EQ(up(false), -EINVAL);
	down();
	snprintf(img, sizeof(img), "/nonexistent-hyve-image");
	CHECK_EQ(up(false), -ENOENT);
	fake_vm_down();
}

TEST(no_disk_no_device)
{
	fake_config_quiet();
	CHECK_EQ(fake_vm_up(RAM, 1), 0);
	CHECK_EQ(reg(VIRTIO_MMIO_MAGIC), 0xffffffff);	/* nothing registered */
	fake_vm_down();
}

TEST(identity_and_config)
{
	make_image(IMG_SECTORS * 512);
	CHECK_EQ(up(false), 0);
	CHECK_EQ(reg(VIRTIO_MMIO_MAGIC), 0x74726976);
	CHECK_EQ(reg(VIRTIO_MMIO_VERSION), 2);
	CHECK_EQ(reg(VIRTIO_MMIO_DEVICE_ID), 2);
	CHECK_EQ(reg(VIRTIO_MMIO_VENDOR_ID), VIRTIO_MMIO_VENDOR);
	CHECK_EQ(mmio_read(BASE + VIRTIO_MMIO_MAGIC, 2), 0);	/* not a 32-bit access */
	CHECK_EQ(mmio_read(BASE + VIRTIO_MMIO_MAGIC + 1, 4), 0);	/* misaligned */
	wreg(VIRTIO_MMIO_DEVICE_FEATURES_SEL, 0);
	CHECK_EQ(reg(VIRTIO_MMIO_DEVICE_FEATURES) & (F_SEG_MAX | F_BLK_SIZE | F_FLUSH | F_RO),
		 F_SEG_MAX | F_BLK_SIZE | F_FLUSH);
	wreg(VIRTIO_MMIO_DEVICE_FEATURES_SEL, 1);
	CHECK_EQ(reg(VIRTIO_MMIO_DEVICE_FEATURES), 1);		/* VERSION_1 */
	wreg(VIRTIO_MMIO_DEVICE_FEATURES_SEL, 2);
	CHECK_EQ(reg(VIRTIO_MMIO_DEVICE_FEATURES), 0);
	CHECK_EQ(mmio_read(BASE + VIRTIO_MMIO_CONFIG, 8), IMG_SECTORS);	/* capacity */
	CHECK_EQ(mmio_read(BASE + VIRTIO_MMIO_CONFIG, 4), IMG_SECTORS);
	CHECK_EQ(mmio_read(BASE + VIRTIO_MMIO_CONFIG + 4, 4), 0);
	CHECK_EQ(mmio_read(BASE + VIRTIO_MMIO_CONFIG + 20, 4), 512);	/* blk_size */
	CHECK_EQ(mmio_read(BASE + VIRTIO_MMIO_CONFIG + 20, 2), 512);
	CHECK_EQ(mmio_read(BASE + VIRTIO_MMIO_CONFIG + 0x200, 4), 0);
	wreg(VIRTIO_MMIO_QUEUE_SEL, 0);
	CHECK_EQ(reg(VIRTIO_MMIO_QUEUE_NUM_MAX), 256);
	wreg(VIRTIO_MMIO_QUEUE_SEL, 1);
	CHECK_EQ(reg(VIRTIO_MMIO_QUEUE_NUM_MAX), 0);		/* one queue only */
	down();
}

TEST(feature_negotiation)
{
	make_image(IMG_SECTORS * 512);
	CHECK_EQ(up(false), 0);
	/* A legacy driver (no VERSION_1) is refused. */
	CHECK_EQ(negotiate(F_FLUSH, 0) & VIRTIO_STATUS_FEATURES_OK, 0);
	/* So is one that accepts what was not offered (RO on a writable disk). */
	CHECK_EQ(negotiate(F_RO, 1) & VIRTIO_STATUS_FEATURES_OK, 0);
	CHECK(negotiate(F_FLUSH, 1) & VIRTIO_STATUS_FEATURES_OK);
	wreg(VIRTIO_MMIO_STATUS, 0);
	CHECK_EQ(reg(VIRTIO_MMIO_STATUS), 0);
	down();
}

TEST(write_then_read)
{
	uint8_t pattern[1024], back[1024];
	int fd;

	for (unsigned i = 0; i < sizeof(pattern); i++)
		pattern[i] = (uint8_t)(i * 7 + 3);
	make_image(IMG_SECTORS * 512);
	CHECK_EQ(up(false), 0);
	driver_ok();

	memcpy(fake_ram + 0x20000, pattern, sizeof(pattern));
	CHECK_EQ(request(0, T_OUT, 3, 0x20000, sizeof(pattern)), 0);	/* VIRTIO_BLK_S_OK */
	CHECK_EQ(used_idx(), 1);
	CHECK_EQ(used_elem(0).id, 0);
	CHECK_EQ(used_elem(0).len, 1);
	CHECK_EQ(reg(VIRTIO_MMIO_INTERRUPT_STATUS), VIRTIO_ISR_QUEUE);
	wreg(VIRTIO_MMIO_INTERRUPT_ACK, VIRTIO_ISR_QUEUE);
	CHECK_EQ(reg(VIRTIO_MMIO_INTERRUPT_STATUS), 0);

	fd = open(img, O_RDONLY);
	CHECK(fd >= 0);
	CHECK_EQ(pread(fd, back, sizeof(back), 3 * 512), sizeof(back));
	CHECK(!memcmp(back, pattern, sizeof(back)));
	close(fd);

	CHECK_EQ(request(3, T_IN, 3, 0x30000, sizeof(pattern)), 0);
	CHECK_EQ(used_idx(), 2);
	CHECK_EQ(used_elem(1).id, 3);
	CHECK_EQ(used_elem(1).len, sizeof(pattern) + 1);
	CHECK(!memcmp(fake_ram + 0x30000, pattern, sizeof(pattern)));
	CHECK_EQ(reg(VIRTIO_MMIO_INTERRUPT_STATUS), VIRTIO_ISR_QUEUE);

	CHECK_EQ(request(6, T_FLUSH, 0, 0x40000, 0), 0);
	CHECK_EQ(request(9, T_GET_ID, 0, 0x40000, 20), 0);
	CHECK_STR((char *)fake_ram + 0x40000, VIRTIO_BLK_ID);
	CHECK_EQ(used_elem(3).len, 21);
	CHECK_EQ(used_idx(), 4);
	down();
}

TEST(errors_in_band)
{
	make_image(IMG_SECTORS * 512);
	CHECK_EQ(up(false), 0);
	driver_ok();
	CHECK_EQ(request(0, T_IN, IMG_SECTORS - 1, 0x20000, 1024), 1);	/* past the end: IOERR */
	CHECK_EQ(request(3, T_OUT, ~0ULL, 0x20000, 512), 1);		/* wrapping sector */
	CHECK_EQ(request(6, T_IN, 0, 0x20000, 100), 1);			/* partial sector */
	CHECK_EQ(request(9, 99, 0, 0x20000, 512), 2);			/* UNSUPP */
	CHECK_EQ(used_idx(), 4);
	CHECK_EQ(reg(VIRTIO_MMIO_STATUS) & VIRTIO_STATUS_NEEDS_RESET, 0);
	CHECK_EQ(request(0, T_IN, IMG_SECTORS - 2, 0x20000, 1024), 0);	/* the last two: fine */
	down();
}

TEST(readonly_disk)
{
	uint8_t zero[512] = { 0 }, back[512];
	int fd;

	make_image(IMG_SECTORS * 512);
	CHECK_EQ(up(true), 0);
	wreg(VIRTIO_MMIO_DEVICE_FEATURES_SEL, 0);
	CHECK(reg(VIRTIO_MMIO_DEVICE_FEATURES) & F_RO);
	driver_ok();
	memset(fake_ram + 0x20000, 0xab, 512);
	CHECK_EQ(request(0, T_OUT, 0, 0x20000, 512), 1);	/* IOERR */
	fd = open(img, O_RDONLY);
	CHECK_EQ(pread(fd, back, 512, 0), 512);
	CHECK(!memcmp(back, zero, 512));
	close(fd);
	CHECK_EQ(request(3, T_IN, 0, 0x20000, 512), 0);
	CHECK(!memcmp(fake_ram + 0x20000, zero, 512));
	down();
}

/* A chain that breaks the protocol must flag NEEDS_RESET and change nothing else. */
static void expect_needs_reset(uint16_t used_before)
{
	CHECK(reg(VIRTIO_MMIO_STATUS) & VIRTIO_STATUS_NEEDS_RESET);
	CHECK(reg(VIRTIO_MMIO_INTERRUPT_STATUS) & VIRTIO_ISR_CONFIG);
	CHECK_EQ(used_idx(), used_before);
}

TEST(buffer_outside_ram)
{
	make_image(IMG_SECTORS * 512);
	CHECK_EQ(up(false), 0);
	driver_ok();
	request(0, T_IN, 0, RAM - 256, 512);		/* runs off the end of RAM */
	expect_needs_reset(0);
	/* Nothing is served until a reset... */
	request(3, T_IN, 0, 0x20000, 512);
	CHECK_EQ(used_idx(), 0);
	/* ...after which the device works again. */
	avail_idx = 0;
	memset(fake_ram + AVAIL, 0, 0x100);
	memset(fake_ram + USED, 0, 0x100);
	driver_ok();
	CHECK_EQ(reg(VIRTIO_MMIO_STATUS) & VIRTIO_STATUS_NEEDS_RESET, 0);
	CHECK_EQ(request(0, T_IN, 0, 0x20000, 512), 0);
	CHECK_EQ(used_idx(), 1);
	request(3, T_IN, 0, 0xfee00000ULL, 512);	/* MMIO, not RAM */
	expect_needs_reset(1);
	down();
}

TEST(descriptor_loop)
{
	make_image(IMG_SECTORS * 512);
	CHECK_EQ(up(false), 0);
	driver_ok();
	set_desc(0, BUF, 16, VIRTQ_DESC_F_NEXT, 1);
	set_desc(1, BUF + 16, 16, VIRTQ_DESC_F_NEXT, 0);	/* back to 0 */
	avail_push(0);
	wreg(VIRTIO_MMIO_QUEUE_NOTIFY, 0);
	expect_needs_reset(0);
	down();
}

TEST(bad_indices)
{
	uint16_t bogus = 500;

	make_image(IMG_SECTORS * 512);
	CHECK_EQ(up(false), 0);
	driver_ok();
	avail_push(bogus);				/* head past the table */
	wreg(VIRTIO_MMIO_QUEUE_NOTIFY, 0);
	expect_needs_reset(0);

	wreg(VIRTIO_MMIO_STATUS, 0);
	avail_idx = 0;
	memset(fake_ram + AVAIL, 0, 0x100);
	driver_ok();
	set_desc(0, BUF, 16, VIRTQ_DESC_F_NEXT, 40);	/* next past the table */
	avail_push(0);
	wreg(VIRTIO_MMIO_QUEUE_NOTIFY, 0);
	expect_needs_reset(0);

	wreg(VIRTIO_MMIO_STATUS, 0);
	avail_idx = 0;
	memset(fake_ram + AVAIL, 0, 0x100);
	driver_ok();
	avail_idx = 1000;				/* more than QN new entries */
	avail_push(0);
	wreg(VIRTIO_MMIO_QUEUE_NOTIFY, 0);
	expect_needs_reset(0);
	down();
}

TEST(bad_queue_setup)
{
	make_image(IMG_SECTORS * 512);
	CHECK_EQ(up(false), 0);
	CHECK(negotiate(0, 1) & VIRTIO_STATUS_FEATURES_OK);
	queue_setup(RAM - 16, AVAIL, USED);		/* descriptor table off the end */
	CHECK_EQ(reg(VIRTIO_MMIO_QUEUE_READY), 0);
	CHECK(reg(VIRTIO_MMIO_STATUS) & VIRTIO_STATUS_NEEDS_RESET);

	CHECK(negotiate(0, 1) & VIRTIO_STATUS_FEATURES_OK);
	wreg(VIRTIO_MMIO_QUEUE_NUM, 12);		/* not a power of two */
	wreg(VIRTIO_MMIO_QUEUE_READY, 1);
	CHECK_EQ(reg(VIRTIO_MMIO_QUEUE_READY), 0);
	CHECK(reg(VIRTIO_MMIO_STATUS) & VIRTIO_STATUS_NEEDS_RESET);

	CHECK(negotiate(0, 1) & VIRTIO_STATUS_FEATURES_OK);
	queue_setup(DESC + 8, AVAIL, USED);		/* misaligned */
	CHECK_EQ(reg(VIRTIO_MMIO_QUEUE_READY), 0);
	down();
}

TEST(no_service_before_driver_ok)
{
	make_image(IMG_SECTORS * 512);
	CHECK_EQ(up(false), 0);
	CHECK(negotiate(0, 1) & VIRTIO_STATUS_FEATURES_OK);
	queue_setup(DESC, AVAIL, USED);
	request(0, T_IN, 0, 0x20000, 512);
	CHECK_EQ(used_idx(), 0);
	wreg(VIRTIO_MMIO_STATUS, VIRTIO_STATUS_ACKNOWLEDGE | VIRTIO_STATUS_DRIVER |
	     VIRTIO_STATUS_FEATURES_OK | VIRTIO_STATUS_DRIVER_OK);
	CHECK_EQ(used_idx(), 1);			/* served at DRIVER_OK */
	CHECK_EQ(reg(VIRTIO_MMIO_INTERRUPT_STATUS), VIRTIO_ISR_QUEUE);
	down();
}

TEST_MAIN()
