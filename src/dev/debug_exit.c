/*
 * debug_exit.c -- port 0xf4, where QEMU's isa-debug-exit is commonly placed:
 * a guest (test programs, mostly) ends hyve by writing its exit status.
 * Unlike QEMU, whose status is (value << 1) | 1, hyve exits with the value's
 * low byte as is (documented in hyve.1), so 0 means success.
 */
#include <string.h>

#include "core/device.h"
#include "core/io.h"
#include "core/runctl.h"
#include "util.h"
#include "core/vm.h"

#define DEBUG_EXIT_PORT	0xf4

static int debug_exit_io(struct vcpu *vcpu, uint64_t addr, uint8_t *data,
			 unsigned len, bool is_write, void *opaque)
{
	if (!is_write) {
		memset(data, 0, len);
		return 0;
	}
	vm_request_exit(opaque, data[0], "debug-exit");	/* opaque: the vm */
	return 0;
}

static int debug_exit_init(struct vm *vm)
{
	int r;

	r = io_register(&vm->io, IO_PIO, DEBUG_EXIT_PORT, 1, debug_exit_io, vm, "debug-exit");
	if (r)
		log_err("debug-exit: cannot register port 0xf4: %s", strerror(-r));
	return r;
}

/* No save/load: the device has no state (a write ends the machine at once). */
static const struct device debug_exit = {
	.name = "debug_exit",
	.prio = 20,
	.init = debug_exit_init,
};
DEVICE_REGISTER(debug_exit);
