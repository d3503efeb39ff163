/*
 * test_pio_devices.c -- the small port devices: i8042, PCI reset control,
 * debug-exit, ACPI PM1a, debugcon.  Each is reached only through io_dispatch,
 * so this test needs every device object linked in (whole archive).
 */
#include <fcntl.h>
#include <stdio.h>
#include <unistd.h>

#include "test.h"
#include "dev_harness.h"
#include "arch/x86/platform.h"

static void up(void)
{
	fake_config_quiet();
	CHECK_EQ(fake_vm_up(1 << 20, 1), 0);
}

TEST(all_devices_linked)
{
	up();
	CHECK_STR(io_lookup_name(&fake_vm.io, IO_PIO, 0x64), "i8042");
	CHECK_STR(io_lookup_name(&fake_vm.io, IO_PIO, 0xcf9), "pci");
	CHECK_STR(io_lookup_name(&fake_vm.io, IO_PIO, 0xf4), "debug-exit");
	CHECK_STR(io_lookup_name(&fake_vm.io, IO_PIO, LAYOUT_PM1A_CNT), "acpi-pm1a-cnt");
	CHECK_STR(io_lookup_name(&fake_vm.io, IO_PIO, 0x71), "rtc");
	CHECK(io_lookup_name(&fake_vm.io, IO_PIO, 0x402) == NULL);	/* debugcon unset */
	CHECK(io_lookup_name(&fake_vm.io, IO_PIO, 0x61) == NULL);	/* KVM's PIT owns it */
	fake_vm_down();
}

TEST(i8042_probe_and_reset)
{
	up();
	CHECK_EQ(inb(0x64), 0x1c);		/* no data */
	outb(0x64, 0xaa);			/* self-test */
	CHECK_EQ(inb(0x64) & 1, 1);
	CHECK_EQ(inb(0x60), 0x55);
	CHECK_EQ(inb(0x64) & 1, 0);
	outb(0x64, 0x60);			/* write command byte */
	outb(0x60, 0x47);
	outb(0x64, 0x20);
	CHECK_EQ(inb(0x60), 0x47);
	outb(0x64, 0xd1);			/* output port with reset high: A20 only */
	outb(0x60, 0xdf);
	outb(0x64, 0xd0);
	CHECK_EQ(inb(0x60), 0xdf);
	outb(0x60, 0xf4);			/* a keyboard command: ignored */
	CHECK_EQ(fake_vm_exit_status(), -1);
	outb(0x64, 0xfe);
	CHECK_EQ(fake_vm_exit_status(), EXIT_RESET);
	fake_vm_down();

	up();
	outb(0x64, 0xd1);
	outb(0x60, 0xde);			/* bit 0 clear: reset */
	CHECK_EQ(fake_vm_exit_status(), EXIT_RESET);
	fake_vm_down();
}

TEST(pci_none)
{
	up();
	pio_out(0xcf8, 0x80000000, 4);
	CHECK_EQ(pio_in(0xcf8, 4), 0x80000000);
	CHECK_EQ(pio_in(0xcfc, 4), 0xffffffff);
	CHECK_EQ(pio_in(0xcfe, 2), 0xffff);
	pio_out(0xcfc, 0x12345678, 4);
	CHECK_EQ(pio_in(0xcfc, 4), 0xffffffff);
	outb(0xcf9, 0x02);			/* no reset bit */
	CHECK_EQ(inb(0xcf9), 0x02);
	CHECK_EQ(fake_vm_exit_status(), -1);
	CHECK_EQ(pio_in(0xcf8, 4), 0x80000000);	/* byte access left the latch alone */
	outb(0xcf9, 0x06);
	CHECK_EQ(fake_vm_exit_status(), EXIT_RESET);
	fake_vm_down();
}

TEST(debug_exit)
{
	up();
	CHECK_EQ(inb(0xf4), 0);
	pio_out(0xf4, 0x1234, 2);		/* the low byte, as is */
	CHECK_EQ(fake_vm_exit_status(), 0x34);
	fake_vm_down();
	up();
	outb(0xf4, 0);
	CHECK_EQ(fake_vm_exit_status(), 0);
	fake_vm_down();
}

TEST(acpi_pm)
{
	uint16_t cnt = LAYOUT_PM1A_CNT, evt = LAYOUT_PM1A_EVT;

	up();
	CHECK_EQ(pio_in(cnt, 2) & 1, 1);		/* SCI_EN */
	pio_out(evt + 2, 0x0121, 2);			/* enable bits */
	CHECK_EQ(pio_in(evt + 2, 2), 0x0121);
	CHECK_EQ(pio_in(evt, 4), 0x01210000);
	pio_out(evt, 0xffff, 2);			/* write-1-to-clear: nothing set */
	CHECK_EQ(pio_in(evt, 2), 0);
	pio_out(cnt, (3 << 10) | (1 << 13), 2);	/* S3: not supported, no exit */
	CHECK_EQ(fake_vm_exit_status(), -1);
	CHECK_EQ(pio_in(cnt, 2) & (1 << 13), 0);	/* SLP_EN reads 0 */
	pio_out(cnt, ACPI_S5_SLP_TYP << 10, 2);		/* type without SLP_EN */
	CHECK_EQ(fake_vm_exit_status(), -1);
	pio_out(cnt, (ACPI_S5_SLP_TYP << 10) | (1 << 13), 2);
	CHECK_EQ(fake_vm_exit_status(), EXIT_POWEROFF);
	fake_vm_down();

	up();
	/* Byte-wide: the high byte alone carries SLP_TYP and SLP_EN. */
	outb(cnt + 1, (uint8_t)((ACPI_S5_SLP_TYP << 2) | 0x20));
	CHECK_EQ(fake_vm_exit_status(), EXIT_POWEROFF);
	fake_vm_down();
}

TEST(debugcon)
{
	char path[] = "/tmp/hyve-test-debugcon-XXXXXX", spec[64], buf[8] = { 0 };
	int fd = mkstemp(path);

	CHECK(fd >= 0);
	close(fd);
	fake_config_quiet();
	snprintf(spec, sizeof(spec), "file:%s", path);
	CHECK_EQ(config_set("debugcon", spec), 0);
	CHECK_EQ(fake_vm_up(1 << 20, 1), 0);
	CHECK_EQ(inb(0x402), 0xe9);
	outb(0x402, 'S');
	outb(0x402, 'B');
	fake_vm_down();
	fd = open(path, O_RDONLY);
	CHECK_EQ(read(fd, buf, sizeof(buf) - 1), 2);
	CHECK_STR(buf, "SB");
	close(fd);
	unlink(path);
}

TEST_MAIN()
