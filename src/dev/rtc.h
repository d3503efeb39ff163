/*
 * rtc.h -- the MC146818 RTC / CMOS at ports 0x70 (index) and 0x71 (data):
 * host-clock time and date, and the CMOS bytes PC firmware reads for memory
 * size and CPU count.
 */
#ifndef HYVE_DEV_RTC_H
#define HYVE_DEV_RTC_H

#include <stdint.h>
#include <time.h>

#define RTC_CMOS_SIZE	128

/*
 * The power-on value of CMOS byte `idx` (not the clock registers 0x00..0x0d,
 * which read 0 here) for a guest with `low_ram` bytes of RAM from address 0,
 * `high_ram` bytes from 4 GiB, and `ncpus` CPUs.  Pure, for tests.
 */
uint8_t rtc_cmos_default(unsigned idx, uint64_t low_ram, uint64_t high_ram, int ncpus);

/*
 * The clock register `idx` (0x00..0x09, 0x32 century) for UTC time *tm,
 * formatted per status register B (bit 2: binary, else BCD; bit 1: 24-hour,
 * else 12-hour with bit 7 = PM).  Pure, for tests.
 */
uint8_t rtc_clock_reg(unsigned idx, const struct tm *tm, uint8_t reg_b);

#endif
