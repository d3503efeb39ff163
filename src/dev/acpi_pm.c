/*
 * acpi_pm.c -- the ACPI PM1a event and control blocks the FADT points at.
 * ACPI is always enabled (SCI_EN reads set; there is no SMI_CMD handshake) and
 * no fixed event ever fires; the one thing that matters is sleep: SLP_EN with
 * the DSDT's \_S5 type powers the machine off.
 */
#include <errno.h>
#include <pthread.h>
#include <string.h>

#include "core/device.h"
#include "core/io.h"
#include "core/runctl.h"
#include "core/snapbuf.h"
#include "arch/arch.h"
#include "dev/devsnap.h"
#include "util.h"
#include "core/vm.h"

#define PM1_CNT_SCI_EN		0x0001
#define PM1_CNT_SLP_TYP_SHIFT	10
#define PM1_CNT_SLP_TYP_MASK	0x7
#define PM1_CNT_SLP_EN		0x2000	/* write-only: reads 0 */

/* Guards the registers: every vCPU thread may reach these ports. */
static pthread_mutex_t lock = PTHREAD_MUTEX_INITIALIZER;
static uint16_t pm1_sts, pm1_en, pm1_cnt;

/* Little-endian byte `i` of a 16-bit register, and its update. */
static uint8_t byte_of(uint16_t r, unsigned i)
{
	return (uint8_t)(r >> (8 * i));
}

static uint16_t with_byte(uint16_t r, unsigned i, uint8_t v)
{
	return (uint16_t)((r & ~(0xff << (8 * i))) | (v << (8 * i)));
}

static int pm1_evt_io(struct vcpu *vcpu, uint64_t addr, uint8_t *data,
		      unsigned len, bool is_write, void *opaque)
{
	pthread_mutex_lock(&lock);
	for (unsigned i = 0; i < len; i++) {
		uint64_t off = addr + i - LAYOUT_PM1A_EVT;

		if (off >= 4) {
			if (!is_write)
				data[i] = 0;
			continue;
		}
		if (off < 2) {
			if (is_write)	/* status bits are write-1-to-clear */
				pm1_sts &= (uint16_t)~(data[i] << (8 * off));
			else
				data[i] = byte_of(pm1_sts, (unsigned)off);
		} else {
			if (is_write)
				pm1_en = with_byte(pm1_en, (unsigned)off - 2, data[i]);
			else
				data[i] = byte_of(pm1_en, (unsigned)off - 2);
		}
	}
	pthread_mutex_unlock(&lock);
	return 0;
}

static int pm1_cnt_io(struct vcpu *vcpu, uint64_t addr, uint8_t *data,
		      unsigned len, bool is_write, void *opaque)
{
	struct vm *vm = opaque;
	uint16_t v;
	bool off = false;

	pthread_mutex_lock(&lock);
	v = pm1_cnt | PM1_CNT_SCI_EN;
	for (unsigned i = 0; i < len; i++) {
		uint64_t o = addr + i - LAYOUT_PM1A_CNT;

		if (o >= 2) {
			if (!is_write)
				data[i] = 0;
			continue;
		}
		if (is_write)
			v = with_byte(v, (unsigned)o, data[i]);
		else
			data[i] = byte_of(v, (unsigned)o);
	}
	if (is_write) {
		unsigned typ = (v >> PM1_CNT_SLP_TYP_SHIFT) & PM1_CNT_SLP_TYP_MASK;

		if ((v & PM1_CNT_SLP_EN) && typ == ACPI_S5_SLP_TYP)
			off = true;
		else if (v & PM1_CNT_SLP_EN)
			log_debug("acpi: sleep type %u requested; only S5 is supported", typ);
		pm1_cnt = (v & ~PM1_CNT_SLP_EN) | PM1_CNT_SCI_EN;
	}
	pthread_mutex_unlock(&lock);
	if (off)
		vm_request_exit(vm, EXIT_POWEROFF, "guest power-off (ACPI S5)");
	return 0;
}

static int acpi_pm_init(struct vm *vm)
{
	int r;

	pthread_mutex_lock(&lock);
	pm1_sts = pm1_en = 0;
	pm1_cnt = PM1_CNT_SCI_EN;
	pthread_mutex_unlock(&lock);
	r = io_register(&vm->io, IO_PIO, LAYOUT_PM1A_EVT, 4, pm1_evt_io, vm, "acpi-pm1a-evt");
	if (!r)
		r = io_register(&vm->io, IO_PIO, LAYOUT_PM1A_CNT, 2, pm1_cnt_io, vm, "acpi-pm1a-cnt");
	if (r)
		log_err("acpi: cannot register the PM1a ports: %s", strerror(-r));
	return r;
}

/*
 * The snapshot: the three PM1a registers.  There is no PM timer (the FADT
 * announces none), so no time base to save.
 */
#define ACPI_SNAP_TAG		SNAP_TAG('A', 'C', 'P', 'I')
#define ACPI_SNAP_VERSION	1

struct acpi_snap {
	uint32_t version;
	uint16_t pm1_sts, pm1_en, pm1_cnt;
	uint16_t pad;
} __attribute__((packed));

static int acpi_pm_save(struct vm *vm, struct snap_w *w)
{
	struct acpi_snap s = { .version = ACPI_SNAP_VERSION };

	pthread_mutex_lock(&lock);
	s.pm1_sts = pm1_sts;
	s.pm1_en = pm1_en;
	s.pm1_cnt = pm1_cnt;
	pthread_mutex_unlock(&lock);
	snapw_put(w, ACPI_SNAP_TAG, 0, &s, sizeof(s));
	return w->err;
}

static int acpi_pm_load(struct vm *vm, const struct snap_r *r, bool check)
{
	struct acpi_snap s;
	/* Only called once acpi_pm_init has run (core/device.c): the device is there. */
	int e = devsnap_get(r, ACPI_SNAP_TAG, 0, true, &s, sizeof(s), ACPI_SNAP_VERSION);

	if (e)
		return e > 0 ? 0 : e;
	/* PM1_CNT always keeps SCI_EN and never keeps the write-only SLP_EN. */
	if (!(s.pm1_cnt & PM1_CNT_SCI_EN) || (s.pm1_cnt & PM1_CNT_SLP_EN))
		return -EINVAL;
	if (check)
		return 0;
	pthread_mutex_lock(&lock);
	pm1_sts = s.pm1_sts;
	pm1_en = s.pm1_en;
	pm1_cnt = s.pm1_cnt;
	pthread_mutex_unlock(&lock);
	return 0;
}

static const struct device acpi_pm = {
	.name = "acpi_pm",
	.prio = 20,
	.init = acpi_pm_init,
	.save = acpi_pm_save,
	.load = acpi_pm_load,
};
DEVICE_REGISTER(acpi_pm);
