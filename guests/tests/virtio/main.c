/*
 * virtio -- a polled virtio-blk driver over virtio-mmio at 0xd0000000.
 *
 * Probe (magic, version 2, device id 2), reset, ACKNOWLEDGE, DRIVER, accept
 * VIRTIO_F_VERSION_1 only, FEATURES_OK (and check it stuck), one split
 * virtqueue, DRIVER_OK.  Then: read sector 0 and check the text the test
 * script put there; write sector 1 with "HYVE-WROTE-THIS" and a byte counter;
 * read sector 1 back.  Completion is polled on the used ring; the interrupt
 * status register must show the used-buffer bit, which is acknowledged.
 *
 * The command line may name another base ("virtio=0xfeb00e00"), to try the
 * driver against other VMMs' virtio-mmio devices.
 */
#include "boot.h"
#include "console.h"
#include "io.h"
#include "report.h"
#include "string.h"
#include "virtio_mmio.h"

enum {
	E_MAGIC = 0x20,
	E_VERSION = 0x21,
	E_DEVICE_ID = 0x22,
	E_RESET = 0x23,		/* status did not read back 0 after reset */
	E_NO_VERSION_1 = 0x24,
	E_FEATURES_OK = 0x25,	/* device cleared FEATURES_OK */
	E_QUEUE_BUSY = 0x26,	/* queue 0 already ready after reset */
	E_QUEUE_MAX = 0x27,	/* queue 0 has size 0 */
	E_CAPACITY = 0x28,
	E_TIMEOUT = 0x29,	/* a request never completed */
	E_USED = 0x2a,		/* wrong id or length in the used ring */
	E_STATUS = 0x2b,	/* the request's status byte is not OK */
	E_SECTOR0 = 0x2c,	/* sector 0 lacks the script's marker */
	E_READBACK = 0x2d,	/* sector 1 reads back differently */
	E_ISR = 0x2e,		/* interrupt status bit missing or not cleared */
	E_NEEDS_RESET = 0x2f,	/* device set NEEDS_RESET or FAILED */
};

#define QSIZE		8
#define POLL_LIMIT	5000000UL
#define SECTOR0_MARK	"HYVE-DISK-SECTOR0"
#define SECTOR1_MARK	"HYVE-WROTE-THIS"

/* The split virtqueue, in one page: descriptors, avail ring, used ring. */
static struct {
	struct virtq_desc desc[QSIZE];			/* 16-byte aligned */
	struct {
		uint16_t flags, idx, ring[QSIZE], used_event;
	} avail __attribute__((aligned(2)));
	struct {
		uint16_t flags, idx;
		struct virtq_used_elem ring[QSIZE];
		uint16_t avail_event;
	} used __attribute__((aligned(4)));
} vq __attribute__((aligned(4096)));

static struct virtio_blk_req_hdr req_hdr __attribute__((aligned(16)));
static uint8_t sector_buf[VIRTIO_BLK_SECTOR_SIZE] __attribute__((aligned(512)));
static volatile uint8_t req_status;
static uint16_t last_used;
static uintptr_t base = VIRTIO_MMIO_BASE;

static uint32_t rd(uint32_t off)
{
	return mmio_read32(base + off);
}

static void wr(uint32_t off, uint32_t v)
{
	mmio_write32(base + off, v);
}

static void set_status(uint32_t bits)
{
	wr(VIRTIO_MMIO_STATUS, rd(VIRTIO_MMIO_STATUS) | bits);
}

static void set_addr(uint32_t lo_reg, const volatile void *p)
{
	uint64_t pa = virt_to_phys(p);

	wr(lo_reg, (uint32_t)pa);
	wr(lo_reg + 4, (uint32_t)(pa >> 32));
}

static void parse_cmdline(const char *s)
{
	const char *p;

	for (p = s; *p; p++) {
		if (strncmp(p, "virtio=0x", 9) == 0) {
			uintptr_t v = 0;

			for (p += 9; (*p >= '0' && *p <= '9') || (*p >= 'a' && *p <= 'f'); p++)
				v = v * 16 + (uintptr_t)(*p <= '9' ? *p - '0' : *p - 'a' + 10);
			base = v;
			return;
		}
	}
}

/* One request: header, 512 data bytes (device-writable for a read), status. */
static void blk_request(uint32_t type, uint64_t sector, const char *what)
{
	uint16_t slot = vq.avail.idx % QSIZE;
	unsigned long polls = 0;
	uint32_t isr, want_len = type == VIRTIO_BLK_T_IN ? VIRTIO_BLK_SECTOR_SIZE + 1 : 1;
	volatile struct virtq_used_elem *e;

	req_hdr = (struct virtio_blk_req_hdr){ .type = type, .sector = sector };
	req_status = 0xff;
	vq.desc[0] = (struct virtq_desc){ virt_to_phys(&req_hdr), sizeof(req_hdr),
					  VIRTQ_DESC_F_NEXT, 1 };
	vq.desc[1] = (struct virtq_desc){ virt_to_phys(sector_buf), sizeof(sector_buf),
					  (uint16_t)(VIRTQ_DESC_F_NEXT |
						     (type == VIRTIO_BLK_T_IN ? VIRTQ_DESC_F_WRITE : 0)),
					  2 };
	vq.desc[2] = (struct virtq_desc){ virt_to_phys(&req_status), 1, VIRTQ_DESC_F_WRITE, 0 };
	vq.avail.ring[slot] = 0;
	barrier();		/* ring entry before the index the device reads */
	vq.avail.idx++;
	barrier();
	wr(VIRTIO_MMIO_QUEUE_NOTIFY, 0);
	while (*(volatile uint16_t *)&vq.used.idx == last_used && polls < POLL_LIMIT) {
		cpu_relax();
		polls++;
	}
	CHECK(E_TIMEOUT, *(volatile uint16_t *)&vq.used.idx != last_used,
	      "%s: no completion after %lu polls (device status 0x%x)", what, polls,
	      rd(VIRTIO_MMIO_STATUS));
	e = &vq.used.ring[last_used % QSIZE];
	last_used++;
	barrier();
	CHECK(E_USED, e->id == 0 && e->len == want_len,
	      "%s: used element id=%u len=%u, want id=0 len=%u", what, e->id, e->len, want_len);
	CHECK(E_STATUS, req_status == VIRTIO_BLK_S_OK, "%s: request status %u", what,
	      req_status);
	isr = rd(VIRTIO_MMIO_INTERRUPT_STATUS);
	CHECK(E_ISR, isr & VIRTIO_INT_USED_BUFFER, "%s: interrupt status 0x%x lacks the "
	      "used-buffer bit", what, isr);
	wr(VIRTIO_MMIO_INTERRUPT_ACK, isr);
	isr = rd(VIRTIO_MMIO_INTERRUPT_STATUS);
	CHECK(E_ISR, !(isr & VIRTIO_INT_USED_BUFFER), "%s: interrupt status 0x%x after ACK",
	      what, isr);
	CHECK(E_NEEDS_RESET, !(rd(VIRTIO_MMIO_STATUS) &
			       (VIRTIO_STATUS_NEEDS_RESET | VIRTIO_STATUS_FAILED)),
	      "%s: device status 0x%x", what, rd(VIRTIO_MMIO_STATUS));
}

static void fill_pattern(uint8_t *buf)
{
	size_t n = strlen(SECTOR1_MARK);

	memcpy(buf, SECTOR1_MARK, n);
	for (size_t i = n; i < VIRTIO_BLK_SECTOR_SIZE; i++)
		buf[i] = (uint8_t)i;	/* the byte counter the script checks */
}

int guest_main(const struct boot_info *bi)
{
	uint8_t expect[VIRTIO_BLK_SECTOR_SIZE];
	uint32_t v, feat_lo, feat_hi, qmax;
	uint64_t capacity;

	report_init("virtio");
	parse_cmdline(bi->cmdline);
	v = rd(VIRTIO_MMIO_MAGIC_VALUE);
	CHECK(E_MAGIC, v == VIRTIO_MAGIC, "magic at 0x%lx is 0x%x", (unsigned long)base, v);
	v = rd(VIRTIO_MMIO_VERSION);
	CHECK(E_VERSION, v == 2, "version %u, want 2 (virtio 1.x)", v);
	v = rd(VIRTIO_MMIO_DEVICE_ID);
	CHECK(E_DEVICE_ID, v == VIRTIO_ID_BLOCK, "device id %u, want %u (block)", v,
	      VIRTIO_ID_BLOCK);

	wr(VIRTIO_MMIO_STATUS, 0);
	v = rd(VIRTIO_MMIO_STATUS);
	CHECK(E_RESET, v == 0, "status 0x%x after reset", v);
	set_status(VIRTIO_STATUS_ACKNOWLEDGE);
	set_status(VIRTIO_STATUS_DRIVER);

	wr(VIRTIO_MMIO_DEVICE_FEATURES_SEL, 0);
	feat_lo = rd(VIRTIO_MMIO_DEVICE_FEATURES);
	wr(VIRTIO_MMIO_DEVICE_FEATURES_SEL, 1);
	feat_hi = rd(VIRTIO_MMIO_DEVICE_FEATURES);
	CHECK(E_NO_VERSION_1, feat_hi & VIRTIO_F_VERSION_1_HI,
	      "device features 0x%08x%08x lack VIRTIO_F_VERSION_1", feat_hi, feat_lo);
	wr(VIRTIO_MMIO_DRIVER_FEATURES_SEL, 0);
	wr(VIRTIO_MMIO_DRIVER_FEATURES, 0);
	wr(VIRTIO_MMIO_DRIVER_FEATURES_SEL, 1);
	wr(VIRTIO_MMIO_DRIVER_FEATURES, VIRTIO_F_VERSION_1_HI);
	set_status(VIRTIO_STATUS_FEATURES_OK);
	v = rd(VIRTIO_MMIO_STATUS);
	CHECK(E_FEATURES_OK, v & VIRTIO_STATUS_FEATURES_OK,
	      "device refused the features (status 0x%x)", v);

	wr(VIRTIO_MMIO_QUEUE_SEL, 0);
	CHECK(E_QUEUE_BUSY, rd(VIRTIO_MMIO_QUEUE_READY) == 0, "queue 0 ready before setup");
	qmax = rd(VIRTIO_MMIO_QUEUE_NUM_MAX);
	CHECK(E_QUEUE_MAX, qmax >= QSIZE, "queue 0 max size %u, want >= %u", qmax, QSIZE);
	memset(&vq, 0, sizeof(vq));
	wr(VIRTIO_MMIO_QUEUE_NUM, QSIZE);
	set_addr(VIRTIO_MMIO_QUEUE_DESC_LOW, vq.desc);
	set_addr(VIRTIO_MMIO_QUEUE_DRIVER_LOW, &vq.avail);
	set_addr(VIRTIO_MMIO_QUEUE_DEVICE_LOW, &vq.used);
	wr(VIRTIO_MMIO_QUEUE_READY, 1);
	set_status(VIRTIO_STATUS_DRIVER_OK);

	capacity = rd(VIRTIO_MMIO_CONFIG) | (uint64_t)rd(VIRTIO_MMIO_CONFIG + 4) << 32;
	CHECK(E_CAPACITY, capacity >= 2, "capacity %lu sectors, want >= 2",
	      (unsigned long)capacity);
	gprintf("virtio-blk at 0x%lx: vendor 0x%x, features 0x%08x%08x, queue max %u, "
		"%lu sectors\n", (unsigned long)base, rd(VIRTIO_MMIO_VENDOR_ID), feat_hi,
		feat_lo, qmax, (unsigned long)capacity);

	memset(sector_buf, 0, sizeof(sector_buf));
	blk_request(VIRTIO_BLK_T_IN, 0, "read sector 0");
	CHECK(E_SECTOR0, memcmp(sector_buf, SECTOR0_MARK, strlen(SECTOR0_MARK)) == 0,
	      "sector 0 starts with %02x %02x %02x %02x, not \"" SECTOR0_MARK "\"",
	      sector_buf[0], sector_buf[1], sector_buf[2], sector_buf[3]);
	gprintf("sector 0: %.17s\n", (const char *)sector_buf);

	fill_pattern(sector_buf);
	blk_request(VIRTIO_BLK_T_OUT, 1, "write sector 1");
	memset(sector_buf, 0, sizeof(sector_buf));
	blk_request(VIRTIO_BLK_T_IN, 1, "read sector 1");
	fill_pattern(expect);
	for (int i = 0; i < VIRTIO_BLK_SECTOR_SIZE; i++)
		CHECK(E_READBACK, sector_buf[i] == expect[i],
		      "sector 1 byte %d reads 0x%02x, wrote 0x%02x", i, sector_buf[i], expect[i]);
	gprintf("VIRTIO OK\n");
	return 0;
}
