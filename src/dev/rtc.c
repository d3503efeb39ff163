/*
 * rtc.c -- the RTC/CMOS at ports 0x70/0x71.  The clock reads the host's UTC
 * time at every access (never "updating": UIP stays clear); the guest may
 * change status register B's format bits but not the time itself (writes to
 * the clock registers are ignored, so a guest's hwclock cannot move the host
 * clock or drift from it).  No RTC interrupts (periodic, alarm, update).
 */
#include <errno.h>
#include <pthread.h>
#include <string.h>
#include <time.h>

#include "core/gmem.h"
#include "core/device.h"
#include "core/io.h"
#include "core/snapbuf.h"
#include "dev/devsnap.h"
#include "dev/rtc.h"
#include "util.h"
#include "core/vm.h"

#define PORT_INDEX	0x70
#define PORT_DATA	0x71

enum {
	REG_SEC = 0x00, REG_SEC_ALARM = 0x01, REG_MIN = 0x02, REG_MIN_ALARM = 0x03,
	REG_HOUR = 0x04, REG_HOUR_ALARM = 0x05, REG_WDAY = 0x06, REG_MDAY = 0x07,
	REG_MON = 0x08, REG_YEAR = 0x09, REG_A = 0x0a, REG_B = 0x0b, REG_C = 0x0c,
	REG_D = 0x0d, REG_SHUTDOWN = 0x0f, REG_FLOPPY = 0x10, REG_DISK = 0x12,
	REG_EQUIP = 0x14, REG_BASE_LO = 0x15, REG_BASE_HI = 0x16, REG_EXT_LO = 0x17,
	REG_EXT_HI = 0x18, REG_CSUM_HI = 0x2e, REG_CSUM_LO = 0x2f,
	REG_EXT2_LO = 0x30, REG_EXT2_HI = 0x31, REG_CENTURY = 0x32,
	REG_RAM16_LO = 0x34, REG_RAM16_HI = 0x35, REG_BOOT_ORDER = 0x3d,
	REG_HIGH_LO = 0x5b, REG_HIGH_MID = 0x5c, REG_HIGH_HI = 0x5d, REG_NCPUS = 0x5f,
};

#define A_DEFAULT	0x26	/* 32.768 kHz time base, 1024 Hz rate; UIP clear */
#define A_UIP		0x80
#define B_24H		0x02
#define B_BINARY	0x04
#define D_VRT		0x80	/* battery good: the time is valid */

#define MiB		(1ULL << 20)

static uint64_t ram_above(uint64_t ram, uint64_t base, unsigned shift, uint64_t cap)
{
	uint64_t v = ram > base ? (ram - base) >> shift : 0;

	return v > cap ? cap : v;
}

uint8_t rtc_cmos_default(unsigned idx, uint64_t low_ram, uint64_t high_ram, int ncpus)
{
	uint64_t ext = ram_above(low_ram, MiB, 10, 0xffff);	/* KiB above 1 MiB */
	uint64_t r16 = ram_above(low_ram, 16 * MiB, 16, 0xffff);/* 64 KiB units */
	uint64_t high = ram_above(high_ram, 0, 16, 0xffffff);	/* 64 KiB units */
	unsigned sum = 0;

	switch (idx) {
	case REG_A:		return A_DEFAULT;
	case REG_B:		return B_24H;
	case REG_D:		return D_VRT;
	case REG_EQUIP:		return 0x06;	/* FPU, PS/2 mouse port; no floppy */
	case REG_BASE_LO:	return 640 & 0xff;
	case REG_BASE_HI:	return 640 >> 8;
	case REG_EXT_LO:
	case REG_EXT2_LO:	return (uint8_t)ext;
	case REG_EXT_HI:
	case REG_EXT2_HI:	return (uint8_t)(ext >> 8);
	case REG_RAM16_LO:	return (uint8_t)r16;
	case REG_RAM16_HI:	return (uint8_t)(r16 >> 8);
	case REG_HIGH_LO:	return (uint8_t)high;
	case REG_HIGH_MID:	return (uint8_t)(high >> 8);
	case REG_HIGH_HI:	return (uint8_t)(high >> 16);
	case REG_NCPUS:		return (uint8_t)(ncpus > 0 ? ncpus - 1 : 0);
	case REG_CSUM_HI:
	case REG_CSUM_LO:
		/* The classic checksum over 0x10..0x2d, big-endian. */
		for (unsigned i = 0x10; i < REG_CSUM_HI; i++)
			sum += rtc_cmos_default(i, low_ram, high_ram, ncpus);
		return idx == REG_CSUM_HI ? (uint8_t)(sum >> 8) : (uint8_t)sum;
	default:
		/* shutdown status, floppy and disk types, boot order: 0 */
		return 0;
	}
}

static uint8_t to_bcd(unsigned v)
{
	return (uint8_t)(((v / 10) << 4) | (v % 10));
}

uint8_t rtc_clock_reg(unsigned idx, const struct tm *tm, uint8_t reg_b)
{
	unsigned v, pm = 0;

	switch (idx) {
	case REG_SEC:	v = (unsigned)tm->tm_sec % 60; break;	/* no leap second 60 */
	case REG_MIN:	v = (unsigned)tm->tm_min; break;
	case REG_HOUR:
		v = (unsigned)tm->tm_hour;
		if (!(reg_b & B_24H)) {
			pm = v >= 12 ? 0x80 : 0;
			v %= 12;
			if (!v)
				v = 12;
		}
		break;
	case REG_WDAY:	v = (unsigned)tm->tm_wday + 1; break;	/* Sunday = 1 */
	case REG_MDAY:	v = (unsigned)tm->tm_mday; break;
	case REG_MON:	v = (unsigned)tm->tm_mon + 1; break;
	case REG_YEAR:	v = (unsigned)(tm->tm_year + 1900) % 100; break;
	case REG_CENTURY: v = (unsigned)(tm->tm_year + 1900) / 100; break;
	default:	return 0;
	}
	return (uint8_t)((reg_b & B_BINARY ? v : to_bcd(v)) | pm);
}

/* Guards the index and the CMOS bytes: every vCPU thread reaches these ports. */
static pthread_mutex_t lock = PTHREAD_MUTEX_INITIALIZER;
static uint8_t index_reg;
static uint8_t cmos[RTC_CMOS_SIZE];

static bool is_clock(unsigned idx)
{
	return idx == REG_SEC || idx == REG_MIN || idx == REG_HOUR || idx == REG_WDAY ||
	       idx == REG_MDAY || idx == REG_MON || idx == REG_YEAR || idx == REG_CENTURY;
}

/* Lock held. */
static uint8_t data_read(unsigned idx)
{
	struct timespec ts;
	struct tm tm;
	uint8_t v;

	if (is_clock(idx)) {
		clock_gettime(CLOCK_REALTIME, &ts);
		gmtime_r(&ts.tv_sec, &tm);
		return rtc_clock_reg(idx, &tm, cmos[REG_B]);
	}
	switch (idx) {
	case REG_A:
		return cmos[REG_A] & ~A_UIP;
	case REG_C:
		v = cmos[REG_C];	/* interrupt flags: cleared by reading */
		cmos[REG_C] = 0;
		return v;
	case REG_D:
		return D_VRT;
	default:
		return cmos[idx];
	}
}

/* Lock held. */
static void data_write(unsigned idx, uint8_t v)
{
	if (is_clock(idx) || idx == REG_C || idx == REG_D)
		return;
	if (idx == REG_A)
		v &= ~A_UIP;
	cmos[idx] = v;
}

static int rtc_io(struct vcpu *vcpu, uint64_t addr, uint8_t *data,
		  unsigned len, bool is_write, void *opaque)
{
	pthread_mutex_lock(&lock);
	if (!is_write)
		memset(data, 0, len);
	if (addr == PORT_INDEX) {
		if (is_write)
			index_reg = data[0] & 0x7f;	/* bit 7 masks NMIs: ignored */
		else
			data[0] = index_reg;
	} else if (is_write) {
		data_write(index_reg, data[0]);
	} else {
		data[0] = data_read(index_reg);
	}
	pthread_mutex_unlock(&lock);
	return 0;
}

static int rtc_init(struct vm *vm)
{
	uint64_t low = gmem_low_end(&vm->mem);
	uint64_t high = vm->mem.size - vm->mem.low_size;
	int r;

	pthread_mutex_lock(&lock);
	index_reg = 0;
	for (unsigned i = 0; i < RTC_CMOS_SIZE; i++)
		cmos[i] = rtc_cmos_default(i, low, high, vm->ncpus);
	pthread_mutex_unlock(&lock);
	r = io_register(&vm->io, IO_PIO, PORT_INDEX, 2, rtc_io, NULL, "rtc");
	if (r)
		log_err("rtc: cannot register ports 0x70-0x71: %s", strerror(-r));
	return r;
}

/*
 * The snapshot: the index register and all 128 CMOS bytes (status registers
 * A-C, the alarm bytes, the NVRAM a guest may have written, the firmware's
 * memory and CPU bytes).  The time is not state: the clock registers are
 * read from the host's clock at every access, so after a load the guest sees
 * the host's time now, not the time of the save (their bytes in cmos[] are
 * never read, and are saved only as part of the array).
 */
#define RTC_SNAP_TAG		SNAP_TAG('C', 'M', 'O', 'S')
#define RTC_SNAP_VERSION	1

struct rtc_snap {
	uint32_t version;
	uint8_t index;
	uint8_t pad[3];
	uint8_t cmos[RTC_CMOS_SIZE];
} __attribute__((packed));

static int rtc_save(struct vm *vm, struct snap_w *w)
{
	struct rtc_snap s;

	memset(&s, 0, sizeof(s));
	s.version = RTC_SNAP_VERSION;
	pthread_mutex_lock(&lock);
	s.index = index_reg;
	memcpy(s.cmos, cmos, sizeof(s.cmos));
	pthread_mutex_unlock(&lock);
	snapw_put(w, RTC_SNAP_TAG, 0, &s, sizeof(s));
	return w->err;
}

static int rtc_load(struct vm *vm, const struct snap_r *r, bool check)
{
	struct rtc_snap s;
	/* Only called once rtc_init has run (core/device.c): the device is there. */
	int e = devsnap_get(r, RTC_SNAP_TAG, 0, true, &s, sizeof(s), RTC_SNAP_VERSION);

	if (e)
		return e > 0 ? 0 : e;
	/* The index picks a cmos[] byte; writes never leave UIP set. */
	if (s.index >= RTC_CMOS_SIZE || (s.cmos[REG_A] & A_UIP))
		return -EINVAL;
	if (check)
		return 0;
	pthread_mutex_lock(&lock);
	index_reg = s.index;
	memcpy(cmos, s.cmos, sizeof(cmos));
	pthread_mutex_unlock(&lock);
	return 0;
}

static const struct device rtc = {
	.name = "rtc",
	.prio = 20,
	.init = rtc_init,
	.save = rtc_save,
	.load = rtc_load,
};
DEVICE_REGISTER(rtc);
