/*
 * i8042.c -- just enough of the PC keyboard controller (ports 0x60, 0x64) for
 * firmware and kernels to probe it and to reset the machine through it.  No
 * keyboard or mouse is attached: bytes for the devices get no answer, which
 * drivers read as "nothing plugged in".  Port 0x61 belongs to KVM's in-kernel
 * PIT and is not ours.
 */
#include <errno.h>
#include <pthread.h>
#include <string.h>

#include "core/device.h"
#include "core/io.h"
#include "core/runctl.h"
#include "core/snapbuf.h"
#include "dev/devsnap.h"
#include "util.h"
#include "core/vm.h"

#define PORT_DATA	0x60
#define PORT_CMD	0x64

#define STS_OBF		0x01	/* output buffer full: data for the host at 0x60 */
#define STS_SYS		0x04	/* system flag: self-test passed */
#define STS_CMD		0x08	/* last write was to the command port */
#define STS_UNLOCKED	0x10	/* keyboard not inhibited */

#define CTR_DEFAULT	0x61	/* kbd IRQ on, system flag, translation on */
#define CTR_KBD_OFF	0x10
#define CTR_AUX_OFF	0x20
#define OUTP_DEFAULT	0x03	/* reset line inactive, A20 on */

enum pending { PEND_NONE, PEND_CTR, PEND_OUTPORT, PEND_DEVICE };

/* Guards the controller state: ports are reached from every vCPU thread. */
static pthread_mutex_t lock = PTHREAD_MUTEX_INITIALIZER;
static struct {
	struct vm *vm;
	uint8_t status;		/* STS_CMD only; the rest is derived */
	uint8_t ctr;		/* controller command byte */
	uint8_t outport;
	uint8_t out;		/* output buffer */
	bool out_full;
	enum pending pending;	/* what the next data-port write means */
} k;

static void put_out(uint8_t v)
{
	k.out = v;
	k.out_full = true;
}

/* A controller command.  Returns true when it asks for a reset.  Lock held. */
static bool command(uint8_t cmd)
{
	switch (cmd) {
	case 0x20:			/* read command byte */
		put_out(k.ctr);
		break;
	case 0x60:			/* write command byte: next data byte */
		k.pending = PEND_CTR;
		break;
	case 0xa7:			/* disable aux */
		k.ctr |= CTR_AUX_OFF;
		break;
	case 0xa8:
		k.ctr &= ~CTR_AUX_OFF;
		break;
	case 0xaa:			/* self-test: passed */
		put_out(0x55);
		break;
	case 0xab:			/* keyboard interface test: no error */
		put_out(0x00);
		break;
	case 0xad:			/* disable keyboard */
		k.ctr |= CTR_KBD_OFF;
		break;
	case 0xae:
		k.ctr &= ~CTR_KBD_OFF;
		break;
	case 0xd0:			/* read output port */
		put_out(k.outport);
		break;
	case 0xd1:			/* write output port: next data byte */
		k.pending = PEND_OUTPORT;
		break;
	case 0xd2: case 0xd3: case 0xd4: /* bytes for a device: none attached */
		k.pending = PEND_DEVICE;
		break;
	default:
		/* 0xf0..0xff pulse output lines low for every clear bit of the
		 * low nibble; bit 0 is the CPU reset line (0xfe). */
		if ((cmd & 0xf0) == 0xf0 && !(cmd & 1))
			return true;
		break;		/* others (0xdd/0xdf A20, 0xa9 ...) need no answer */
	}
	return false;
}

/* A data-port write.  Returns true when it asks for a reset.  Lock held. */
static bool data_write(uint8_t v)
{
	enum pending p = k.pending;

	k.pending = PEND_NONE;
	switch (p) {
	case PEND_CTR:
		k.ctr = v;
		break;
	case PEND_OUTPORT:
		k.outport = v;
		return !(v & 1);	/* the reset line is active low */
	default:
		break;		/* keyboard commands: no keyboard answers */
	}
	return false;
}

static int i8042_io(struct vcpu *vcpu, uint64_t addr, uint8_t *data,
		    unsigned len, bool is_write, void *opaque)
{
	bool reset = false;
	struct vm *vm;

	pthread_mutex_lock(&lock);
	vm = k.vm;
	if (!is_write) {
		memset(data, 0, len);
		if (addr == PORT_CMD) {
			data[0] = k.status | STS_SYS | STS_UNLOCKED |
				  (k.out_full ? STS_OBF : 0);
		} else {
			data[0] = k.out;
			k.out_full = false;
		}
	} else if (addr == PORT_CMD) {
		k.status |= STS_CMD;
		k.pending = PEND_NONE;
		reset = command(data[0]);
	} else {
		k.status &= ~STS_CMD;
		reset = data_write(data[0]);
	}
	pthread_mutex_unlock(&lock);
	if (reset && vm)
		vm_request_exit(vm, EXIT_RESET, "guest reset (i8042)");
	return 0;
}

static int i8042_init(struct vm *vm)
{
	int r;

	pthread_mutex_lock(&lock);
	memset(&k, 0, sizeof(k));
	k.status = STS_CMD;	/* reads 0x1c, as after a BIOS */
	k.ctr = CTR_DEFAULT;
	k.outport = OUTP_DEFAULT;
	k.vm = vm;
	pthread_mutex_unlock(&lock);
	r = io_register(&vm->io, IO_PIO, PORT_DATA, 1, i8042_io, NULL, "i8042");
	if (!r)
		r = io_register(&vm->io, IO_PIO, PORT_CMD, 1, i8042_io, NULL, "i8042");
	if (r)
		log_err("i8042: cannot register ports 0x60/0x64: %s", strerror(-r));
	return r;
}

static void i8042_exit(struct vm *vm)
{
	pthread_mutex_lock(&lock);
	k.vm = NULL;
	pthread_mutex_unlock(&lock);
}

/* The snapshot: the controller's state (not the vm pointer). */
#define I8042_SNAP_TAG		SNAP_TAG('I', '8', '0', '4')
#define I8042_SNAP_VERSION	1

struct i8042_snap {
	uint32_t version;
	uint8_t status, ctr, outport, out;
	uint8_t out_full;		/* 0 or 1 */
	uint8_t pending;		/* enum pending */
	uint8_t pad[2];
} __attribute__((packed));

static int i8042_save(struct vm *vm, struct snap_w *w)
{
	struct i8042_snap s = { .version = I8042_SNAP_VERSION };

	pthread_mutex_lock(&lock);
	if (!k.vm) {
		pthread_mutex_unlock(&lock);
		return 0;	/* not initialised */
	}
	s.status = k.status;
	s.ctr = k.ctr;
	s.outport = k.outport;
	s.out = k.out;
	s.out_full = k.out_full;
	s.pending = (uint8_t)k.pending;
	pthread_mutex_unlock(&lock);
	snapw_put(w, I8042_SNAP_TAG, 0, &s, sizeof(s));
	return w->err;
}

static int i8042_load(struct vm *vm, const struct snap_r *r, bool check)
{
	struct i8042_snap s;
	bool present;
	int e;

	pthread_mutex_lock(&lock);
	present = k.vm != NULL;
	pthread_mutex_unlock(&lock);
	e = devsnap_get(r, I8042_SNAP_TAG, 0, present, &s, sizeof(s), I8042_SNAP_VERSION);
	if (e)
		return e > 0 ? 0 : e;
	/* status keeps only STS_CMD (the rest is derived when read). */
	if ((s.status & ~STS_CMD) || !devsnap_bool_ok(s.out_full) || s.pending > PEND_DEVICE)
		return -EINVAL;
	if (check)
		return 0;
	pthread_mutex_lock(&lock);
	k.status = s.status;
	k.ctr = s.ctr;
	k.outport = s.outport;
	k.out = s.out;
	k.out_full = s.out_full;
	k.pending = (enum pending)s.pending;
	pthread_mutex_unlock(&lock);
	return 0;
}

static const struct device i8042 = {
	.name = "i8042",
	.prio = 20,
	.init = i8042_init,
	.exit = i8042_exit,
	.save = i8042_save,
	.load = i8042_load,
};
DEVICE_REGISTER(i8042);
