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
};
#define NTAGS	(sizeof(tags) / sizeof(tags[0]))
#define TAG_UART	tags[0]
#define TAG_RTC		tags[1]
#define TAG_ACPI	tags[2]
#define TAG_I8042	tags[3]
#define TAG_PCI		tags[4]

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

/* Byte `off` of record `tag` set to `v` (off -1: the record truncated by one). */
struct damage {
	uint32_t tag;
	int off;
	uint8_t v;
};

TEST(small_devices_damaged_records_refused)
{
	static const struct damage dmg[] = {
		{ SNAP_TAG('C', 'M', 'O', 'S'), -1, 0 },
		{ SNAP_TAG('C', 'M', 'O', 'S'), 0, 9 },		/* version */
		{ SNAP_TAG('C', 'M', 'O', 'S'), 4, 0x80 },	/* index past CMOS */
		{ SNAP_TAG('C', 'M', 'O', 'S'), 8 + 0x0a, 0xa6 },	/* UIP set */
		{ SNAP_TAG('A', 'C', 'P', 'I'), -1, 0 },
		{ SNAP_TAG('A', 'C', 'P', 'I'), 8, 0x00 },	/* PM1_CNT without SCI_EN */
		{ SNAP_TAG('A', 'C', 'P', 'I'), 9, 0x20 | 0x0c },	/* with SLP_EN */
		{ SNAP_TAG('I', '8', '0', '4'), -1, 0 },
		{ SNAP_TAG('I', '8', '0', '4'), 4, 0x09 },	/* status beyond STS_CMD */
		{ SNAP_TAG('I', '8', '0', '4'), 8, 2 },		/* out_full not a flag */
		{ SNAP_TAG('I', '8', '0', '4'), 9, 4 },		/* no such pending byte */
		{ SNAP_TAG('P', 'C', 'I', 'H'), -1, 0 },
		{ SNAP_TAG('P', 'C', 'I', 'H'), 8, 0x04 },	/* the reset bit kept */
	};
	uint8_t rec[256];
	struct snap_w w, w2;
	struct snap_r r, bad;

	up();
	small_state_a();
	r = save(&w);
	small_state_b();
	for (unsigned i = 0; i < sizeof(dmg) / sizeof(dmg[0]); i++) {
		size_t n = record(&r, dmg[i].tag, rec, sizeof(rec));

		if (dmg[i].off < 0)
			n--;
		else
			rec[dmg[i].off] = dmg[i].v;
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

TEST_MAIN();
