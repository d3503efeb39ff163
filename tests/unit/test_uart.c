/* test_uart.c -- the 16550A's registers through io_dispatch, and the Ctrl-A escape. */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <unistd.h>

#include "test.h"
#include "dev_harness.h"
#include "dev/console.h"
#include "dev/uart8250.h"

#define COM1	0x3f8
#define RBR	(COM1 + 0)
#define IER	(COM1 + 1)
#define IIR	(COM1 + 2)
#define LCR	(COM1 + 3)
#define MCR	(COM1 + 4)
#define LSR	(COM1 + 5)
#define MSR	(COM1 + 6)
#define SCR	(COM1 + 7)

static void up(void)
{
	fake_config_quiet();
	CHECK_EQ(fake_vm_up(1 << 20, 1), 0);
}

TEST(dlab_selects_divisor_latch)
{
	up();
	outb(LCR, 0x83);		/* DLAB, 8N1 */
	outb(RBR, 0x01);		/* DLL: 115200 baud */
	outb(IER, 0x00);		/* DLM */
	CHECK_EQ(inb(RBR), 0x01);
	CHECK_EQ(inb(IER), 0x00);
	CHECK_EQ(inb(LCR), 0x83);
	outb(LCR, 0x03);
	outb(IER, 0xff);		/* IER keeps its 4 defined bits */
	CHECK_EQ(inb(IER), 0x0f);
	outb(IER, 0x00);
	outb(LCR, 0x80);
	CHECK_EQ(inb(RBR), 0x01);	/* the divisor survived */
	CHECK_EQ(inb(IER), 0x00);
	outb(LCR, 0x03);
	outb(SCR, 0x5a);
	CHECK_EQ(inb(SCR), 0x5a);
	fake_vm_down();
}

TEST(idle_line_status_and_modem)
{
	up();
	CHECK_EQ(inb(LSR), 0x60);	/* THRE | TEMT, no data */
	CHECK_EQ(inb(IIR), 0x01);	/* nothing pending, FIFOs off */
	CHECK_EQ(inb(MSR) & 0xf0, 0xb0);	/* DCD, DSR, CTS */
	outb(0x3fa, 0x07);		/* FCR: enable + clear */
	CHECK_EQ(inb(IIR), 0xc1);
	outb(0x3fa, 0x00);
	CHECK_EQ(inb(IIR), 0x01);
	fake_vm_down();
}

TEST(receive_via_inject)
{
	up();
	CHECK_EQ(uart8250_inject("hi", 2), 2);
	CHECK_EQ(inb(LSR) & 0x01, 0x01);
	CHECK_EQ(inb(IIR), 0x01);	/* IER off: no interrupt */
	outb(IER, 0x01);
	CHECK_EQ(inb(IIR), 0x04);	/* received data available */
	CHECK_EQ(inb(RBR), 'h');
	CHECK_EQ(inb(IIR), 0x04);
	CHECK_EQ(inb(RBR), 'i');
	CHECK_EQ(inb(LSR) & 0x01, 0);
	CHECK_EQ(inb(IIR), 0x01);
	fake_vm_down();
	CHECK_EQ(uart8250_inject("x", 1), -ENODEV);
}

TEST(thr_empty_interrupt)
{
	up();
	outb(IER, 0x02);		/* newly enabled while THR empty: pending */
	CHECK_EQ(inb(IIR), 0x02);
	CHECK_EQ(inb(IIR), 0x01);	/* reading IIR acknowledged it */
	outb(RBR, 'a');			/* transmitted at once: empty again */
	CHECK_EQ(inb(IIR), 0x02);
	CHECK_EQ(inb(IIR), 0x01);
	outb(IER, 0x02);		/* already enabled: no new interrupt */
	CHECK_EQ(inb(IIR), 0x01);
	outb(IER, 0x00);
	outb(IER, 0x02);		/* re-enabled (Linux's THRE probe) */
	CHECK_EQ(inb(IIR), 0x02);
	fake_vm_down();
}

TEST(iir_priority)
{
	up();
	outb(RBR, 'z');			/* THRE pending, IER still 0 */
	CHECK_EQ(uart8250_inject("q", 1), 1);
	outb(IER, 0x03);
	CHECK_EQ(inb(IIR), 0x04);	/* data outranks THR empty */
	CHECK_EQ(inb(IIR), 0x04);	/* and reading IIR does not clear it */
	CHECK_EQ(inb(RBR), 'q');
	CHECK_EQ(inb(IIR), 0x02);	/* THRE was kept pending underneath */
	CHECK_EQ(inb(IIR), 0x01);
	fake_vm_down();
}

TEST(overrun_drops_and_flags)
{
	static uint8_t big[UART_RX_SIZE + 10];

	up();
	memset(big, 'b', sizeof(big));
	CHECK_EQ(uart8250_inject(big, sizeof(big)), UART_RX_SIZE);
	outb(IER, 0x04);
	CHECK_EQ(inb(IIR), 0x06);	/* receiver line status */
	CHECK_EQ(inb(LSR), 0x63);	/* DR | OE | THRE | TEMT */
	CHECK_EQ(inb(LSR), 0x61);	/* OE cleared by the read */
	CHECK_EQ(inb(IIR), 0x01);
	outb(0x3fa, 0x03);		/* FCR clear RX */
	CHECK_EQ(inb(LSR) & 0x01, 0);
	fake_vm_down();
}

TEST(loopback)
{
	up();
	outb(MCR, 0x1a);		/* LOOP | RTS | OUT2: Linux's probe */
	CHECK_EQ(inb(MSR) & 0xf0, 0x90);	/* DCD | CTS */
	outb(MCR, 0x1f);
	CHECK_EQ(inb(MSR) & 0xf0, 0xf0);
	outb(RBR, 'L');
	CHECK_EQ(inb(LSR) & 0x01, 0x01);
	CHECK_EQ(inb(RBR), 'L');
	outb(MCR, 0x0b);
	CHECK_EQ(inb(MCR), 0x0b);
	CHECK_EQ(inb(MSR) & 0xf0, 0xb0);
	fake_vm_down();
}

TEST(output_to_file)
{
	char path[] = "/tmp/hyve-test-uart-XXXXXX", spec[64], buf[16] = { 0 };
	int fd = mkstemp(path);

	CHECK(fd >= 0);
	close(fd);
	config_reset();
	snprintf(spec, sizeof(spec), "file:%s", path);
	CHECK_EQ(config_set("serial", spec), 0);
	CHECK_EQ(fake_vm_up(1 << 20, 1), 0);
	outb(RBR, 'o');
	outb(RBR, 'k');
	outb(LCR, 0x80);
	outb(RBR, 'X');			/* DLL, not THR */
	outb(LCR, 0x03);
	outb(RBR, '\n');
	fake_vm_down();
	fd = open(path, O_RDONLY);
	CHECK(fd >= 0);
	CHECK_EQ(read(fd, buf, sizeof(buf) - 1), 3);
	CHECK_STR(buf, "ok\n");
	close(fd);
	unlink(path);
}

TEST(output_open_failure_is_an_init_error)
{
	config_reset();
	CHECK_EQ(config_set("serial", "file:/nonexistent-dir/x/serial.log"), 0);
	CHECK_EQ(fake_vm_up(1 << 20, 1), -ENOENT);
	fake_vm_down();
}

TEST(escape_filter)
{
	struct console_esc e = { 0 };
	uint8_t out[16];
	bool quit;
	size_t n;

	n = console_escape(&e, (const uint8_t *)"ab", 2, out, &quit);
	CHECK_EQ(n, 2);
	CHECK(!quit);
	n = console_escape(&e, (const uint8_t *)"\x01\x01z", 3, out, &quit);
	CHECK_EQ(n, 2);
	CHECK(out[0] == 0x01 && out[1] == 'z');
	n = console_escape(&e, (const uint8_t *)"\x01q", 2, out, &quit);
	CHECK_EQ(n, 2);
	CHECK(out[0] == 0x01 && out[1] == 'q' && !quit);
	/* split across reads */
	n = console_escape(&e, (const uint8_t *)"c\x01", 2, out, &quit);
	CHECK_EQ(n, 1);
	CHECK(!quit);
	n = console_escape(&e, (const uint8_t *)"xyz", 3, out, &quit);
	CHECK_EQ(n, 0);
	CHECK(quit);
}

TEST(console_not_a_tty)
{
	int p[2];

	CHECK_EQ(pipe(p), 0);
	CHECK_EQ(console_raw_init(p[0]), 0);
	CHECK(!console_is_raw());
	console_restore();
	close(p[0]);
	close(p[1]);
}

TEST_MAIN()
