/*
 * pci_none.c -- a PCI host bridge with nothing behind it (ports 0xcf8..0xcff).
 * Configuration mechanism #1 works (the CONFIG_ADDRESS latch reads back, so
 * probes find the mechanism) but every config read is all-ones: no device.
 * Byte port 0xcf9 is the reset control register: setting bit 2 resets.
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

#define PCI_CONFIG_ADDR	0xcf8
#define PCI_RESET_CTL	0xcf9
#define PCI_CONFIG_DATA	0xcfc
#define RCR_RESET	0x04	/* 0 -> 1 performs the reset (0x06 hard, 0x0e full) */
#define RCR_MASK	0x0e

/* Guards the latch and the reset control value (any vCPU thread). */
static pthread_mutex_t lock = PTHREAD_MUTEX_INITIALIZER;
static uint32_t config_addr;
static uint8_t reset_ctl;
static struct vm *pci_vm;

static int pci_io(struct vcpu *vcpu, uint64_t addr, uint8_t *data,
		  unsigned len, bool is_write, void *opaque)
{
	bool reset = false;
	struct vm *vm;

	pthread_mutex_lock(&lock);
	vm = pci_vm;
	if (addr == PCI_CONFIG_ADDR && len == 4) {
		/* Only a dword access at 0xcf8 reaches the latch. */
		if (is_write)
			memcpy(&config_addr, data, 4);
		else
			memcpy(data, &config_addr, 4);
	} else if (addr == PCI_RESET_CTL && len == 1) {
		if (is_write) {
			reset = data[0] & RCR_RESET;
			reset_ctl = data[0] & RCR_MASK & ~RCR_RESET;
		} else {
			data[0] = reset_ctl;
		}
	} else if (!is_write) {
		memset(data, 0xff, len);	/* config data: no device */
	}
	pthread_mutex_unlock(&lock);
	if (reset && vm)
		vm_request_exit(vm, EXIT_RESET, "guest reset (port 0xcf9)");
	return 0;
}

static int pci_init(struct vm *vm)
{
	int r;

	pthread_mutex_lock(&lock);
	config_addr = 0;
	reset_ctl = 0;
	pci_vm = vm;
	pthread_mutex_unlock(&lock);
	r = io_register(&vm->io, IO_PIO, PCI_CONFIG_ADDR, 8, pci_io, NULL, "pci");
	if (r)
		log_err("pci: cannot register ports 0xcf8-0xcff: %s", strerror(-r));
	return r;
}

static void pci_exit(struct vm *vm)
{
	pthread_mutex_lock(&lock);
	pci_vm = NULL;
	pthread_mutex_unlock(&lock);
}

/* The snapshot: the CONFIG_ADDRESS latch and the reset control value. */
#define PCI_SNAP_TAG		SNAP_TAG('P', 'C', 'I', 'H')
#define PCI_SNAP_VERSION	1

struct pci_snap {
	uint32_t version;
	uint32_t config_addr;
	uint8_t reset_ctl;
	uint8_t pad[3];
} __attribute__((packed));

static int pci_save(struct vm *vm, struct snap_w *w)
{
	struct pci_snap s = { .version = PCI_SNAP_VERSION };

	pthread_mutex_lock(&lock);
	if (!pci_vm) {
		pthread_mutex_unlock(&lock);
		return 0;	/* not initialised */
	}
	s.config_addr = config_addr;
	s.reset_ctl = reset_ctl;
	pthread_mutex_unlock(&lock);
	snapw_put(w, PCI_SNAP_TAG, 0, &s, sizeof(s));
	return w->err;
}

static int pci_load(struct vm *vm, const struct snap_r *r, bool check)
{
	struct pci_snap s;
	bool present;
	int e;

	pthread_mutex_lock(&lock);
	present = pci_vm != NULL;
	pthread_mutex_unlock(&lock);
	e = devsnap_get(r, PCI_SNAP_TAG, 0, present, &s, sizeof(s), PCI_SNAP_VERSION);
	if (e)
		return e > 0 ? 0 : e;
	/* The reset bit is an action, never kept; other bits outside the mask read 0. */
	if (s.reset_ctl & ~(RCR_MASK & ~RCR_RESET))
		return -EINVAL;
	if (check)
		return 0;
	pthread_mutex_lock(&lock);
	config_addr = s.config_addr;
	reset_ctl = s.reset_ctl;
	pthread_mutex_unlock(&lock);
	return 0;
}

static const struct device pci_none = {
	.name = "pci_none",
	.prio = 20,
	.init = pci_init,
	.exit = pci_exit,
	.save = pci_save,
	.load = pci_load,
};
DEVICE_REGISTER(pci_none);
