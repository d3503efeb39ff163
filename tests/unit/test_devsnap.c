/*
 * test_devsnap.c -- the devices' snapshot state (core/device.h save/load):
 * each device is put in a state through its own registers, saved, moved on,
 * loaded, and read back through its registers; damaged records are refused
 * by load with check set, which must change nothing.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <unistd.h>

#include "test.h"
#include "dev_harness.h"
#include "core/snapbuf.h"
#include "arch/x86/platform.h"
#include "dev/uart8250.h"
#include "dev/virtio_mmio.h"
#include "util.h"

#define COM1	0x3f8
#define RBR	(COM1 + 0)
#define IER	(COM1 + 1)
#define IIR	(COM1 + 2)
#define LCR	(COM1 + 3)
#define MCR	(COM1 + 4)
#define LSR	(COM1 + 5)
#define SCR	(COM1 + 7)

/* Every record the devices write (tag, instance), to rebuild damaged copies. */
static const uint32_t tags[] = {
	SNAP_TAG('U', 'A', 'R', 'T'),
	SNAP_TAG('C', 'M', 'O', 'S'),
	SNAP_TAG('A', 'C', 'P', 'I'),
	SNAP_TAG('I', '8', '0', '4'),
	SNAP_TAG('P', 'C', 'I', 'H'),
	SNAP_TAG('V', 'B', 'L', 'K'),
	SNAP_TAG('V', 'I', 'R', 'T'),
};
#define NTAGS	(sizeof(tags) / sizeof(tags[0]))
#define TAG_UART	tags[0]
#define TAG_RTC		tags[1]
#define TAG_ACPI	tags[2]
#define TAG_I8042	tags[3]
#define TAG_PCI		tags[4]
#define TAG_VBLK	tags[5]
#define TAG_VIRT	tags[6]

static void up(void)
{
	fake_config_quiet();
	CHECK_EQ(fake_vm_up(1 << 20, 1), 0);
}

/* The whole machine's device state. */
static struct snap_r save(struct snap_w *w)
{
	*w = (struct snap_w){ 0 };
	CHECK_EQ(devices_save(&fake_vm, w), 0);
	CHECK_EQ(w->err, 0);
	return (struct snap_r){ w->p, w->len };
}

/*
 * A copy of `src` with record (tag, 0) replaced by `len` bytes of `data`, or
 * left out (data NULL).
 */
static struct snap_r rebuild(const struct snap_r *src, uint32_t tag, const void *data,
			     size_t len, struct snap_w *out)
{
	*out = (struct snap_w){ 0 };
	for (unsigned i = 0; i < NTAGS; i++) {
		const void *d;
		size_t n;

		if (tags[i] == tag) {
			if (data)
				snapw_put(out, tag, 0, data, len);
		} else if (!snapr_find(src, tags[i], 0, &d, &n)) {
			snapw_put(out, tags[i], 0, d, n);
		}
	}
	CHECK_EQ(out->err, 0);
	return (struct snap_r){ out->p, out->len };
}

/* A copy of record `tag` of `src` (at most `cap` bytes); its length. */
static size_t record(const struct snap_r *src, uint32_t tag, void *dst, size_t cap)
{
	const void *d;
	size_t n = 0;

	CHECK_EQ(snapr_find(src, tag, 0, &d, &n), 0);
	CHECK(n <= cap);
	memcpy(dst, d, MIN(n, cap));
	return n;
}

/* UART: registers, divisor latch, FIFO with one byte read, RDA pending. */
static void uart_state_a(void)
{
	outb(LCR, 0x83);		/* DLAB */
	outb(RBR, 0x01);		/* DLL */
	outb(IER, 0x02);		/* DLM */
	outb(LCR, 0x1b);		/* 8E1 */
	outb(IER, 0x05);		/* RDI | RLSI */
	outb(MCR, 0x0b);
	outb(SCR, 0x5a);
	outb(IIR, 0x01);		/* FIFOs on */
	CHECK_EQ(uart8250_inject("hello", 5), 5);
	CHECK_EQ(inb(RBR), 'h');
}

/* What uart_state_a reads back as (consuming the FIFO). */
static void uart_check_a(void)
{
	CHECK_EQ(inb(LCR), 0x1b);
	CHECK_EQ(inb(IER), 0x05);
	CHECK_EQ(inb(MCR), 0x0b);
	CHECK_EQ(inb(SCR), 0x5a);
	CHECK_EQ(inb(IIR), 0xc4);	/* data available, FIFOs on */
	CHECK_EQ(inb(LSR), 0x61);	/* DR | THRE | TEMT, no overrun */
	outb(LCR, 0x9b);
	CHECK_EQ(inb(RBR), 0x01);
	CHECK_EQ(inb(IER), 0x02);
	outb(LCR, 0x1b);
	CHECK_EQ(inb(RBR), 'e');
	CHECK_EQ(inb(RBR), 'l');
	CHECK_EQ(inb(RBR), 'l');
	CHECK_EQ(inb(RBR), 'o');
	CHECK_EQ(inb(LSR), 0x60);
	CHECK_EQ(inb(IIR), 0xc1);
}

/* Move the UART on from state a: every register and the FIFO differ. */
static void uart_state_b(void)
{
	outb(LCR, 0x80);
	outb(RBR, 0x0c);
	outb(IER, 0x00);
	outb(LCR, 0x03);
	outb(IER, 0x02);
	outb(MCR, 0x00);
	outb(SCR, 0x00);
	outb(IIR, 0x00);		/* FIFOs off: RX emptied */
	CHECK_EQ(uart8250_inject("XY", 2), 2);
}

/* What uart_state_b reads back as (not consuming anything but IIR's THRE). */
static void uart_check_b_regs(void)
{
	CHECK_EQ(inb(LCR), 0x03);
	CHECK_EQ(inb(IER), 0x02);
	CHECK_EQ(inb(MCR), 0x00);
	CHECK_EQ(inb(SCR), 0x00);
	CHECK_EQ(inb(LSR), 0x61);
}

TEST(uart_roundtrip)
{
	struct snap_w w;
	struct snap_r r;

	up();
	uart_state_a();
	r = save(&w);
	uart_state_b();
	CHECK_EQ(devices_load(&fake_vm, &r, true), 0);
	uart_check_b_regs();		/* check only: nothing changed */
	CHECK_EQ(inb(RBR), 'X');
	CHECK_EQ(devices_load(&fake_vm, &r, false), 0);
	uart_check_a();
	/* Loaded twice: the same state again (the FIFO bytes are the snapshot's). */
	CHECK_EQ(devices_load(&fake_vm, &r, false), 0);
	uart_check_a();
	snapw_free(&w);
	fake_vm_down();
}

TEST(uart_overrun_and_full_fifo)
{
	static uint8_t big[UART_RX_SIZE + 1];
	struct snap_w w;
	struct snap_r r;

	up();
	for (size_t i = 0; i < sizeof(big); i++)
		big[i] = (uint8_t)i;
	CHECK_EQ(uart8250_inject(big, 7), 7);
	for (int i = 0; i < 7; i++)
		CHECK_EQ(inb(RBR), i);		/* the ring's head is now at 7 */
	CHECK_EQ(uart8250_inject(big, sizeof(big)), UART_RX_SIZE);
	outb(IER, 0x04);
	r = save(&w);
	CHECK_EQ(inb(LSR), 0x63);	/* OE, cleared by this read */
	outb(0x3fa, 0x03);		/* clear RX */
	CHECK_EQ(inb(IIR), 0xc1);
	CHECK_EQ(devices_load(&fake_vm, &r, false), 0);
	CHECK_EQ(inb(IIR), 0x06);	/* overrun again, FIFOs off as saved */
	CHECK_EQ(inb(LSR), 0x63);
	for (size_t i = 0; i < UART_RX_SIZE; i++)
		if (inb(RBR) != (uint8_t)i) {
			CHECK(!"FIFO bytes differ after load");
			break;
		}
	CHECK_EQ(inb(LSR), 0x60);
	snapw_free(&w);
	fake_vm_down();
}

/* A damaged UART record in an otherwise good snapshot: refused, nothing changed. */
static void uart_refused(const struct snap_r *good, const void *rec, size_t len)
{
	struct snap_w w2;
	struct snap_r bad = rebuild(good, TAG_UART, rec, len, &w2);

	CHECK_EQ(devices_load(&fake_vm, &bad, true), -EINVAL);
	uart_check_b_regs();
	snapw_free(&w2);
}

TEST(uart_damaged_records_refused)
{
	uint8_t rec[UART_RX_SIZE + 64], bad[sizeof(rec)];
	struct snap_w w, w2;
	struct snap_r r, same;
	size_t n;
	uint32_t v;

	up();
	uart_state_a();
	r = save(&w);
	uart_state_b();
	n = record(&r, TAG_UART, rec, sizeof(rec));
	CHECK(n > 24);
	/* The rebuilt copy, undamaged, is taken: the helper is not what refuses. */
	same = rebuild(&r, TAG_UART, rec, n, &w2);
	CHECK_EQ(devices_load(&fake_vm, &same, true), 0);
	snapw_free(&w2);
	uart_refused(&r, rec, n - 1);			/* truncated */
	memcpy(bad, rec, n);
	bad[n] = 0;
	uart_refused(&r, bad, n + 1);			/* too long */
	uart_refused(&r, NULL, 0);			/* missing */
	memcpy(bad, rec, n);
	v = 2;
	memcpy(bad, &v, 4);
	uart_refused(&r, bad, n);			/* another version */
	/* rx_count past the buffer: the uint32 just before rx[] */
	memcpy(bad, rec, n);
	v = UART_RX_SIZE + 1;
	memcpy(bad + n - UART_RX_SIZE - 4, &v, 4);
	uart_refused(&r, bad, n);
	memcpy(bad, rec, n);
	v = UART_RX_SIZE;				/* rx_head past the buffer */
	memcpy(bad + n - UART_RX_SIZE - 8, &v, 4);
	uart_refused(&r, bad, n);
	memcpy(bad, rec, n);
	bad[4] = 0x10;					/* IER with an undefined bit */
	uart_refused(&r, bad, n);
	memcpy(bad, rec, n);
	bad[4 + 9] = 0;					/* IRQ level not the registers' */
	uart_refused(&r, bad, n);
	/* and the state is still b's, with its FIFO */
	CHECK_EQ(inb(RBR), 'X');
	CHECK_EQ(inb(RBR), 'Y');
	snapw_free(&w);
	fake_vm_down();
}

/*
 * The small port devices: RTC (index, status B, NVRAM bytes), ACPI PM1a
 * (enable and control), i8042 (command byte, a full output buffer, a
 * pending "write command byte"), the PCI host bridge (address latch, reset
 * control).
 */
static void small_state_a(void)
{
	outb(0x70, 0x0b);
	outb(0x71, 0x06);		/* binary, 24-hour */
	outb(0x70, 0x0e);
	outb(0x71, 0x42);
	outb(0x70, 0x40);
	outb(0x71, 0x99);		/* index left at 0x40 */
	pio_out(LAYOUT_PM1A_EVT + 2, 0x0121, 2);
	pio_out(LAYOUT_PM1A_CNT, 0x0c00, 2);	/* SLP_TYP 3, no SLP_EN */
	outb(0x64, 0x60);
	outb(0x60, 0x47);		/* command byte */
	outb(0x64, 0x20);		/* read it: output buffer full */
	outb(0x64, 0x60);		/* the next data byte is a command byte */
	pio_out(0xcf8, 0x80001234, 4);
	outb(0xcf9, 0x0a);
}

static void small_check_a(void)
{
	CHECK_EQ(inb(0x70), 0x40);
	CHECK_EQ(inb(0x71), 0x99);
	outb(0x70, 0x0e);
	CHECK_EQ(inb(0x71), 0x42);
	outb(0x70, 0x0b);
	CHECK_EQ(inb(0x71), 0x06);
	CHECK_EQ(pio_in(LAYOUT_PM1A_EVT + 2, 2), 0x0121);
	CHECK_EQ(pio_in(LAYOUT_PM1A_CNT, 2), 0x0c01);
	CHECK_EQ(inb(0x64), 0x1d);	/* OBF, after a command */
	CHECK_EQ(inb(0x60), 0x47);
	outb(0x60, 0x33);		/* taken as the command byte: still pending */
	outb(0x64, 0x20);
	CHECK_EQ(inb(0x60), 0x33);
	CHECK_EQ(pio_in(0xcf8, 4), 0x80001234);
	CHECK_EQ(inb(0xcf9), 0x0a);
}

static void small_state_b(void)
{
	outb(0x70, 0x0b);
	outb(0x71, 0x02);
	outb(0x70, 0x0e);
	outb(0x71, 0x00);
	outb(0x70, 0x40);
	outb(0x71, 0x00);
	outb(0x70, 0x10);
	pio_out(LAYOUT_PM1A_EVT + 2, 0, 2);
	pio_out(LAYOUT_PM1A_CNT, 0, 2);
	outb(0x60, 0x11);		/* consumes the pending command byte */
	CHECK_EQ(inb(0x60), 0x47);	/* and the output buffer */
	pio_out(0xcf8, 0, 4);
	outb(0xcf9, 0x00);
}

/* State b, without disturbing it (the RTC index is put back). */
static void small_check_b(void)
{
	CHECK_EQ(inb(0x70), 0x10);
	outb(0x70, 0x40);
	CHECK_EQ(inb(0x71), 0x00);
	outb(0x70, 0x0b);
	CHECK_EQ(inb(0x71), 0x02);
	outb(0x70, 0x10);
	CHECK_EQ(pio_in(LAYOUT_PM1A_EVT + 2, 2), 0);
	CHECK_EQ(pio_in(LAYOUT_PM1A_CNT, 2), 0x0001);
	CHECK_EQ(inb(0x64), 0x14);	/* no data, last write to the data port */
	CHECK_EQ(pio_in(0xcf8, 4), 0);
	CHECK_EQ(inb(0xcf9), 0);
}

TEST(small_devices_roundtrip)
{
	struct snap_w w;
	struct snap_r r;

	up();
	small_state_a();
	r = save(&w);
	small_state_b();
	small_check_b();
	CHECK_EQ(devices_load(&fake_vm, &r, true), 0);
	small_check_b();		/* check only: nothing changed */
	CHECK_EQ(devices_load(&fake_vm, &r, false), 0);
	small_check_a();
	snapw_free(&w);
	fake_vm_down();
}

/*
 * Bytes `off` and on of record `tag` set to `v`, `width` (1 or 2) bytes of it
 * little-endian (off -1: the record truncated by one byte instead).
 */
struct damage {
	uint32_t tag;
	int off;
	uint16_t v;
	unsigned width;
};

/* Record `tag` of `src`, damaged as `d` says, into rec; its length. */
static size_t damaged(const struct snap_r *src, const struct damage *d, uint8_t *rec,
		      size_t cap)
{
	size_t n = record(src, d->tag, rec, cap);

	if (d->off < 0)
		return n - 1;
	rec[d->off] = (uint8_t)d->v;
	if (d->width == 2)
		rec[d->off + 1] = (uint8_t)(d->v >> 8);
	return n;
}

TEST(small_devices_damaged_records_refused)
{
	static const struct damage dmg[] = {
		{ SNAP_TAG('C', 'M', 'O', 'S'), -1, 0, 1 },
		{ SNAP_TAG('C', 'M', 'O', 'S'), 0, 9, 1 },		/* version */
		{ SNAP_TAG('C', 'M', 'O', 'S'), 4, 0x80, 1 },	/* index past CMOS */
		{ SNAP_TAG('C', 'M', 'O', 'S'), 8 + 0x0a, 0xa6, 1 },	/* UIP set */
		{ SNAP_TAG('A', 'C', 'P', 'I'), -1, 0, 1 },
		{ SNAP_TAG('A', 'C', 'P', 'I'), 8, 0x00, 1 },	/* PM1_CNT without SCI_EN */
		{ SNAP_TAG('A', 'C', 'P', 'I'), 9, 0x20 | 0x0c, 1 },	/* with SLP_EN */
		{ SNAP_TAG('I', '8', '0', '4'), -1, 0, 1 },
		{ SNAP_TAG('I', '8', '0', '4'), 4, 0x09, 1 },	/* status beyond STS_CMD */
		{ SNAP_TAG('I', '8', '0', '4'), 8, 2, 1 },		/* out_full not a flag */
		{ SNAP_TAG('I', '8', '0', '4'), 9, 4, 1 },		/* no such pending byte */
		{ SNAP_TAG('P', 'C', 'I', 'H'), -1, 0, 1 },
		{ SNAP_TAG('P', 'C', 'I', 'H'), 8, 0x04, 1 },	/* the reset bit kept */
	};
	uint8_t rec[256];
	struct snap_w w, w2;
	struct snap_r r, bad;

	up();
	small_state_a();
	r = save(&w);
	small_state_b();
	for (unsigned i = 0; i < sizeof(dmg) / sizeof(dmg[0]); i++) {
		size_t n = damaged(&r, &dmg[i], rec, sizeof(rec));

		bad = rebuild(&r, dmg[i].tag, rec, n, &w2);
		if (devices_load(&fake_vm, &bad, true) != -EINVAL) {
			fprintf(stderr, "  damage %u was not refused\n", i);
			CHECK(!"a damaged record was taken");
		}
		snapw_free(&w2);
		/* each record, left out, is missed */
		bad = rebuild(&r, dmg[i].tag, NULL, 0, &w2);
		CHECK_EQ(devices_load(&fake_vm, &bad, true), -EINVAL);
		snapw_free(&w2);
	}
	small_check_b();
	snapw_free(&w);
	fake_vm_down();
}

/*
 * The virtio-mmio transport, driven as test_virtio_blk.c does: a driver here
 * sets the device up through its registers and serves requests from a split
 * virtqueue in fake RAM on a temp image.
 */
#define VBASE		LAYOUT_VIRTIO_MMIO
#define QN		16
#define DESC		0x1000ULL
#define AVAIL		0x2000ULL
#define USED		0x3000ULL
#define BUF		0x10000ULL
#define F_BLK_SIZE	(1u << 6)
#define F_FLUSH		(1u << 9)
#define ST_ALL		(VIRTIO_STATUS_ACKNOWLEDGE | VIRTIO_STATUS_DRIVER | \
			 VIRTIO_STATUS_FEATURES_OK | VIRTIO_STATUS_DRIVER_OK)

static char img[64];
static uint16_t avail_idx;

static uint32_t vreg(unsigned off) { return (uint32_t)mmio_read(VBASE + off, 4); }
static void vwreg(unsigned off, uint32_t v) { mmio_write(VBASE + off, v, 4); }

/* The machine with a 64 KiB image as its disk (sectors: its size / 512). */
static void up_disk(unsigned sectors)
{
	int fd;

	snprintf(img, sizeof(img), "/tmp/hyve-test-devsnap-XXXXXX");
	fd = mkstemp(img);
	CHECK(fd >= 0);
	CHECK_EQ(ftruncate(fd, (off_t)sectors * 512), 0);
	close(fd);
	fake_config_quiet();
	CHECK_EQ(config_set("disk", img), 0);
	avail_idx = 0;
	CHECK_EQ(fake_vm_up(1 << 20, 1), 0);
}

static void down_disk(void)
{
	fake_vm_down();
	unlink(img);
}

static void set_desc(unsigned i, uint64_t addr, uint32_t len, uint16_t flags, uint16_t next)
{
	struct virtq_desc d = { addr, len, flags, next };

	memcpy(fake_ram + DESC + 16 * i, &d, sizeof(d));
}

static uint16_t ram16(uint64_t a)
{
	uint16_t v;

	memcpy(&v, fake_ram + a, 2);
	return v;
}

/* A GET_ID request at descriptors first..first+2, made available and notified. */
static void get_id(unsigned first)
{
	uint64_t hdr = BUF + 0x100 * first, st = hdr + 0x40, data = hdr + 0x80;
	uint32_t type = 8;

	memset(fake_ram + hdr, 0, 16);
	memcpy(fake_ram + hdr, &type, 4);
	fake_ram[st] = 0xee;
	set_desc(first, hdr, 16, VIRTQ_DESC_F_NEXT, (uint16_t)(first + 1));
	set_desc(first + 1, data, 20, VIRTQ_DESC_F_NEXT | VIRTQ_DESC_F_WRITE,
		 (uint16_t)(first + 2));
	set_desc(first + 2, st, 1, VIRTQ_DESC_F_WRITE, 0);
	memcpy(fake_ram + AVAIL + 4 + 2 * (avail_idx % QN), &(uint16_t){ (uint16_t)first }, 2);
	avail_idx++;
	memcpy(fake_ram + AVAIL + 2, &avail_idx, 2);
	vwreg(VIRTIO_MMIO_QUEUE_NOTIFY, 0);
}

static uint8_t status_byte(unsigned first)
{
	return fake_ram[BUF + 0x100 * first + 0x40];
}

/* Driver ready, one request served, its interrupt not acknowledged. */
static void virt_state_a(void)
{
	vwreg(VIRTIO_MMIO_STATUS, 0);
	vwreg(VIRTIO_MMIO_STATUS, VIRTIO_STATUS_ACKNOWLEDGE | VIRTIO_STATUS_DRIVER);
	vwreg(VIRTIO_MMIO_DRIVER_FEATURES_SEL, 0);
	vwreg(VIRTIO_MMIO_DRIVER_FEATURES, F_BLK_SIZE | F_FLUSH);
	vwreg(VIRTIO_MMIO_DRIVER_FEATURES_SEL, 1);
	vwreg(VIRTIO_MMIO_DRIVER_FEATURES, 1);
	vwreg(VIRTIO_MMIO_STATUS, ST_ALL & ~VIRTIO_STATUS_DRIVER_OK);
	vwreg(VIRTIO_MMIO_QUEUE_SEL, 0);
	vwreg(VIRTIO_MMIO_QUEUE_NUM, QN);
	vwreg(VIRTIO_MMIO_QUEUE_DESC_LOW, (uint32_t)DESC);
	vwreg(VIRTIO_MMIO_QUEUE_AVAIL_LOW, (uint32_t)AVAIL);
	vwreg(VIRTIO_MMIO_QUEUE_USED_LOW, (uint32_t)USED);
	vwreg(VIRTIO_MMIO_QUEUE_READY, 1);
	vwreg(VIRTIO_MMIO_STATUS, ST_ALL);
	get_id(0);
	CHECK_EQ(status_byte(0), 0);
	CHECK_EQ(ram16(USED + 2), 1);
	vwreg(VIRTIO_MMIO_DEVICE_FEATURES_SEL, 1);
	CHECK_EQ(vreg(VIRTIO_MMIO_INTERRUPT_STATUS), VIRTIO_ISR_QUEUE);
}

/* Reset by the driver and set up again half-way, at other addresses; RAM untouched. */
static void virt_state_b(void)
{
	vwreg(VIRTIO_MMIO_INTERRUPT_ACK, VIRTIO_ISR_QUEUE);
	vwreg(VIRTIO_MMIO_STATUS, 0);
	vwreg(VIRTIO_MMIO_STATUS, VIRTIO_STATUS_ACKNOWLEDGE);
	vwreg(VIRTIO_MMIO_QUEUE_NUM, 8);
	vwreg(VIRTIO_MMIO_QUEUE_DESC_LOW, 0x8000);
	vwreg(VIRTIO_MMIO_QUEUE_SEL, 5);
	vwreg(VIRTIO_MMIO_DEVICE_FEATURES_SEL, 0);
}

static void virt_check_b(void)
{
	CHECK_EQ(vreg(VIRTIO_MMIO_STATUS), VIRTIO_STATUS_ACKNOWLEDGE);
	CHECK_EQ(vreg(VIRTIO_MMIO_INTERRUPT_STATUS), 0);
	CHECK_EQ(vreg(VIRTIO_MMIO_QUEUE_NUM_MAX), 0);	/* queue 5: none */
	CHECK_EQ(vreg(VIRTIO_MMIO_DEVICE_FEATURES) & F_BLK_SIZE, F_BLK_SIZE);	/* low half */
	vwreg(VIRTIO_MMIO_QUEUE_SEL, 0);
	CHECK_EQ(vreg(VIRTIO_MMIO_QUEUE_NUM), 8);
	CHECK_EQ(vreg(VIRTIO_MMIO_QUEUE_READY), 0);
	CHECK_EQ(vreg(VIRTIO_MMIO_QUEUE_DESC_LOW), 0x8000);
	vwreg(VIRTIO_MMIO_QUEUE_SEL, 5);
}

TEST(virtio_roundtrip)
{
	struct snap_w w;
	struct snap_r r;

	up_disk(128);
	virt_state_a();
	r = save(&w);
	virt_state_b();
	virt_check_b();
	CHECK_EQ(devices_load(&fake_vm, &r, true), 0);
	virt_check_b();			/* check only: nothing changed */
	CHECK_EQ(devices_load(&fake_vm, &r, false), 0);
	CHECK_EQ(vreg(VIRTIO_MMIO_STATUS), ST_ALL);
	CHECK_EQ(vreg(VIRTIO_MMIO_INTERRUPT_STATUS), VIRTIO_ISR_QUEUE);
	CHECK_EQ(vreg(VIRTIO_MMIO_DEVICE_FEATURES), 1);	/* high half selected: VERSION_1 */
	CHECK_EQ(vreg(VIRTIO_MMIO_QUEUE_NUM_MAX), 256);	/* queue 0 selected */
	CHECK_EQ(vreg(VIRTIO_MMIO_QUEUE_NUM), QN);
	CHECK_EQ(vreg(VIRTIO_MMIO_QUEUE_READY), 1);
	CHECK_EQ(vreg(VIRTIO_MMIO_QUEUE_DESC_LOW), DESC);
	CHECK_EQ(vreg(VIRTIO_MMIO_QUEUE_AVAIL_LOW), AVAIL);
	CHECK_EQ(vreg(VIRTIO_MMIO_QUEUE_USED_LOW), USED);
	/* The accepted features are kept: a driver can no longer change them. */
	vwreg(VIRTIO_MMIO_INTERRUPT_ACK, VIRTIO_ISR_QUEUE);
	CHECK_EQ(vreg(VIRTIO_MMIO_INTERRUPT_STATUS), 0);
	/*
	 * The queue goes on where it was: the next request is served into used
	 * slot 1, and the first (avail slot 0) is not served again.
	 */
	fake_ram[BUF + 0x40] = 0xee;
	get_id(3);
	CHECK_EQ(status_byte(3), 0);
	CHECK_EQ(status_byte(0), 0xee);
	CHECK_EQ(ram16(USED + 2), 2);
	CHECK_EQ(ram16(USED + 4 + 8), 3);		/* used[1].id */
	CHECK_EQ(vreg(VIRTIO_MMIO_INTERRUPT_STATUS), VIRTIO_ISR_QUEUE);
	snapw_free(&w);
	down_disk();
}

TEST(virtio_damaged_records_refused)
{
	static const struct damage dmg[] = {
		{ SNAP_TAG('V', 'I', 'R', 'T'), -1, 0, 1 },
		{ SNAP_TAG('V', 'I', 'R', 'T'), 0, 2, 1 },		/* version */
		{ SNAP_TAG('V', 'I', 'R', 'T'), 4, 2, 1 },		/* two queues */
		{ SNAP_TAG('V', 'I', 'R', 'T'), 8, 0, 1 },		/* other offered features */
		{ SNAP_TAG('V', 'I', 'R', 'T'), 20, 0, 1 },	/* accepted without VERSION_1 */
		{ SNAP_TAG('V', 'I', 'R', 'T'), 40, 5, 1 },	/* isr: an undefined bit */
		{ SNAP_TAG('V', 'I', 'R', 'T'), 48, 0, 1 },	/* IRQ level not isr's */
		{ SNAP_TAG('V', 'I', 'R', 'T'), 52, 0x08, 1 },	/* desc misaligned */
		{ SNAP_TAG('V', 'I', 'R', 'T'), 60 + 3, 0x01, 1 },	/* avail outside RAM */
		{ SNAP_TAG('V', 'I', 'R', 'T'), 76, 12, 2 },	/* size not a power of two */
		{ SNAP_TAG('V', 'I', 'R', 'T'), 76, 512, 2 },	/* size over the maximum */
		{ SNAP_TAG('V', 'I', 'R', 'T'), 76, 0, 2 },	/* size 0 */
		{ SNAP_TAG('V', 'I', 'R', 'T'), 78, 0, 1 },	/* last_avail != used_idx */
		{ SNAP_TAG('V', 'I', 'R', 'T'), 82, 2, 1 },	/* ready not a flag */
		{ SNAP_TAG('V', 'B', 'L', 'K'), -1, 0, 1 },
		{ SNAP_TAG('V', 'B', 'L', 'K'), 4, 1, 1 },		/* a read-only disk */
		{ SNAP_TAG('V', 'B', 'L', 'K'), 8, 64, 1 },	/* another size */
	};
	uint8_t rec[256];
	struct snap_w w, w2;
	struct snap_r r, bad;
	size_t n;

	up_disk(128);
	virt_state_a();
	r = save(&w);
	virt_state_b();
	n = record(&r, TAG_VIRT, rec, sizeof(rec));
	CHECK_EQ(n, 84);		/* one queue */
	CHECK_EQ(record(&r, TAG_VBLK, rec, sizeof(rec)), 16);
	for (unsigned i = 0; i < sizeof(dmg) / sizeof(dmg[0]); i++) {
		n = damaged(&r, &dmg[i], rec, sizeof(rec));
		bad = rebuild(&r, dmg[i].tag, rec, n, &w2);
		if (devices_load(&fake_vm, &bad, true) != -EINVAL) {
			fprintf(stderr, "  damage %u was not refused\n", i);
			CHECK(!"a damaged record was taken");
		}
		snapw_free(&w2);
		bad = rebuild(&r, dmg[i].tag, NULL, 0, &w2);
		CHECK_EQ(devices_load(&fake_vm, &bad, true), -EINVAL);	/* missing */
		snapw_free(&w2);
	}
	virt_check_b();
	snapw_free(&w);
	down_disk();
}

/* A disk's snapshot on a machine without, and the other way round: refused. */
TEST(virtio_device_presence_must_match)
{
	struct snap_w with, without;
	struct snap_r r_with, r_without;
	const void *d;
	size_t n;

	up_disk(128);
	virt_state_a();
	r_with = save(&with);
	down_disk();
	up();
	r_without = save(&without);
	CHECK_EQ(snapr_find(&r_without, TAG_VIRT, 0, &d, &n), -ENOENT);
	CHECK_EQ(snapr_find(&r_without, TAG_VBLK, 0, &d, &n), -ENOENT);
	CHECK_EQ(devices_load(&fake_vm, &r_without, true), 0);
	CHECK_EQ(devices_load(&fake_vm, &r_with, true), -EINVAL);
	CHECK_EQ(devices_load(&fake_vm, &r_with, false), -EINVAL);
	fake_vm_down();
	up_disk(128);
	CHECK_EQ(devices_load(&fake_vm, &r_without, true), -EINVAL);
	CHECK_EQ(devices_load(&fake_vm, &r_with, true), 0);
	down_disk();
	up_disk(64);			/* another disk size */
	CHECK_EQ(devices_load(&fake_vm, &r_with, true), -EINVAL);
	down_disk();
	snapw_free(&with);
	snapw_free(&without);
}

TEST_MAIN();
