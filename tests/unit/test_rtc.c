/* test_rtc.c -- CMOS memory bytes, clock formatting, and the 0x70/0x71 ports. */
#include <time.h>

#include "test.h"
#include "dev_harness.h"
#include "dev/rtc.h"

#define MiB	(1ULL << 20)
#define GiB	(1ULL << 30)

static unsigned word(unsigned lo, uint64_t low, uint64_t high, int ncpus)
{
	return rtc_cmos_default(lo, low, high, ncpus) |
	       (unsigned)rtc_cmos_default(lo + 1, low, high, ncpus) << 8;
}

static unsigned high24(uint64_t low, uint64_t high)
{
	return rtc_cmos_default(0x5b, low, high, 1) |
	       (unsigned)rtc_cmos_default(0x5c, low, high, 1) << 8 |
	       (unsigned)rtc_cmos_default(0x5d, low, high, 1) << 16;
}

TEST(cmos_64m)
{
	uint64_t low = 64 * MiB;

	CHECK_EQ(word(0x15, low, 0, 1), 640);
	CHECK_EQ(word(0x17, low, 0, 1), 63 * 1024);	/* KiB above 1 MiB */
	CHECK_EQ(word(0x30, low, 0, 1), 63 * 1024);
	CHECK_EQ(word(0x34, low, 0, 1), 48 * 16);	/* 64 KiB units above 16 MiB */
	CHECK_EQ(high24(low, 0), 0);
	CHECK_EQ(rtc_cmos_default(0x5f, low, 0, 1), 0);
	CHECK_EQ(rtc_cmos_default(0x5f, low, 0, 4), 3);
}

TEST(cmos_512m)
{
	uint64_t low = 512 * MiB;

	CHECK_EQ(word(0x17, low, 0, 2), 0xffff);	/* capped */
	CHECK_EQ(word(0x30, low, 0, 2), 0xffff);
	CHECK_EQ(word(0x34, low, 0, 2), 496 * 16);
	CHECK_EQ(high24(low, 0), 0);
	CHECK_EQ(rtc_cmos_default(0x5f, low, 0, 2), 1);
}

TEST(cmos_5g)
{
	/* 5 GiB: 3 GiB below the hole, 2 GiB from 4 GiB. */
	uint64_t low = 3 * GiB, high = 2 * GiB;

	CHECK_EQ(word(0x17, low, high, 1), 0xffff);
	CHECK_EQ(word(0x34, low, high, 1), (3 * 1024 - 16) * 16);
	CHECK_EQ(high24(low, high), 2 * GiB >> 16);
	CHECK_EQ(rtc_cmos_default(0x5b, low, high, 1), 0x00);
	CHECK_EQ(rtc_cmos_default(0x5c, low, high, 1), 0x80);
	CHECK_EQ(rtc_cmos_default(0x5d, low, high, 1), 0x00);
}

TEST(cmos_small_and_fixed_bytes)
{
	CHECK_EQ(word(0x17, 512 * 1024, 0, 1), 0);	/* below 1 MiB */
	CHECK_EQ(word(0x34, 8 * MiB, 0, 1), 0);		/* below 16 MiB */
	CHECK_EQ(rtc_cmos_default(0x0a, MiB, 0, 1), 0x26);
	CHECK_EQ(rtc_cmos_default(0x0b, MiB, 0, 1), 0x02);
	CHECK_EQ(rtc_cmos_default(0x0d, MiB, 0, 1), 0x80);
	CHECK_EQ(rtc_cmos_default(0x10, MiB, 0, 1), 0);
	CHECK_EQ(rtc_cmos_default(0x12, MiB, 0, 1), 0);
	CHECK_EQ(rtc_cmos_default(0x0f, MiB, 0, 1), 0);
	CHECK_EQ(rtc_cmos_default(0x3d, MiB, 0, 1), 0);
	CHECK_EQ(rtc_cmos_default(0x14, MiB, 0, 1), 0x06);
}

TEST(cmos_checksum)
{
	uint64_t low = 256 * MiB;
	unsigned sum = 0;

	for (unsigned i = 0x10; i < 0x2e; i++)
		sum += rtc_cmos_default(i, low, 0, 1);
	CHECK(sum != 0);
	CHECK_EQ(rtc_cmos_default(0x2e, low, 0, 1), (sum >> 8) & 0xff);
	CHECK_EQ(rtc_cmos_default(0x2f, low, 0, 1), sum & 0xff);
}

TEST(clock_formats)
{
	/* Thursday 2024-02-29 13:05:09 UTC */
	struct tm tm = { .tm_sec = 9, .tm_min = 5, .tm_hour = 13, .tm_mday = 29,
			 .tm_mon = 1, .tm_year = 124, .tm_wday = 4 };

	CHECK_EQ(rtc_clock_reg(0x00, &tm, 0x02), 0x09);
	CHECK_EQ(rtc_clock_reg(0x02, &tm, 0x02), 0x05);
	CHECK_EQ(rtc_clock_reg(0x04, &tm, 0x02), 0x13);
	CHECK_EQ(rtc_clock_reg(0x06, &tm, 0x02), 5);
	CHECK_EQ(rtc_clock_reg(0x07, &tm, 0x02), 0x29);
	CHECK_EQ(rtc_clock_reg(0x08, &tm, 0x02), 0x02);
	CHECK_EQ(rtc_clock_reg(0x09, &tm, 0x02), 0x24);
	CHECK_EQ(rtc_clock_reg(0x32, &tm, 0x02), 0x20);
	CHECK_EQ(rtc_clock_reg(0x04, &tm, 0x00), 0x81);	/* 12-hour: 1 PM */
	CHECK_EQ(rtc_clock_reg(0x04, &tm, 0x06), 13);	/* binary, 24-hour */
	CHECK_EQ(rtc_clock_reg(0x07, &tm, 0x06), 29);
	tm.tm_hour = 0;
	CHECK_EQ(rtc_clock_reg(0x04, &tm, 0x00), 0x12);	/* 12 AM */
	tm.tm_hour = 12;
	CHECK_EQ(rtc_clock_reg(0x04, &tm, 0x00), 0x92);	/* 12 PM */
}

static uint8_t cmos_read(uint8_t idx)
{
	outb(0x70, idx);
	return inb(0x71);
}

static unsigned from_bcd(uint8_t v)
{
	return (v >> 4) * 10 + (v & 15);
}

TEST(ports)
{
	time_t now;
	struct tm tm;
	unsigned year;

	fake_config_quiet();
	CHECK_EQ(fake_vm_up(64 * MiB, 3), 0);
	CHECK_EQ(cmos_read(0x34), 0x00);
	CHECK_EQ(cmos_read(0x35), 0x03);
	CHECK_EQ(cmos_read(0x5f), 2);
	CHECK_EQ(cmos_read(0x0d), 0x80);
	CHECK_EQ(cmos_read(0x0a) & 0x80, 0);	/* never updating */
	CHECK_EQ(cmos_read(0x0b), 0x02);
	CHECK_EQ(cmos_read(0x8f), 0);		/* NMI-mask bit ignored: index 0x0f */
	outb(0x71, 0x0a);
	CHECK_EQ(cmos_read(0x0f), 0x0a);	/* shutdown status is read/write */
	CHECK_EQ(cmos_read(0x8f), 0x0a);
	outb(0x70, 0x0d);
	outb(0x71, 0x00);			/* read-only */
	CHECK_EQ(cmos_read(0x0d), 0x80);

	/* The date is the host's (a check across New Year's midnight may flake). */
	year = from_bcd(cmos_read(0x32)) * 100 + from_bcd(cmos_read(0x09));
	now = time(NULL);
	gmtime_r(&now, &tm);
	CHECK_EQ(year, (unsigned)tm.tm_year + 1900);
	CHECK(from_bcd(cmos_read(0x08)) >= 1 && from_bcd(cmos_read(0x08)) <= 12);
	CHECK(from_bcd(cmos_read(0x00)) < 60);

	/* Binary mode through status B. */
	outb(0x70, 0x0b);
	outb(0x71, 0x06);
	CHECK_EQ(cmos_read(0x32), 20);
	fake_vm_down();
}

TEST_MAIN()
