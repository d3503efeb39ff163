/*
 * pvpanic.c -- QEMU's ISA pvpanic device at port 0x505 (announced in the DSDT
 * as ACPI device QEMU0001, arch/x86/platform.c): a guest kernel with a
 * pvpanic driver (Linux: CONFIG_PVPANIC_MMIO, which also drives the port
 * form) writes PANICKED to it from panic().  Reading the port tells which
 * events the device understands.  A panic ends the machine with exit status
 * EXIT_PANIC and the vCPU's registers on stderr -- or, with a debugger
 * attached, stops it for the debugger (SIGABRT), like any guest-caused end.
 * CRASH_LOADED (a kdump kernel takes over) is only logged: the guest goes on.
 */
#include <string.h>

#include "arch/arch.h"
#include "core/device.h"
#include "core/io.h"
#include "core/runctl.h"
#include "core/vcpu.h"
#include "core/vm.h"
#include "util.h"

#define PVPANIC_PANICKED	(1u << 0)
#define PVPANIC_CRASH_LOADED	(1u << 1)

static int pvpanic_io(struct vcpu *vcpu, uint64_t addr, uint8_t *data, unsigned len,
		      bool is_write, void *opaque)
{
	struct vm *vm = opaque;

	if (!is_write) {
		memset(data, 0, len);
		data[0] = PVPANIC_PANICKED | PVPANIC_CRASH_LOADED;
		return 0;
	}
	if (data[0] & PVPANIC_CRASH_LOADED)
		log_info("pvpanic: the guest crashed and has loaded its crash kernel");
	if (data[0] & PVPANIC_PANICKED) {
		log_err("pvpanic: the guest kernel panicked");
		if (vcpu)
			arch_vcpu_dump(vcpu);
		vm_request_exit(vm, EXIT_PANIC, "guest panic (pvpanic)");
	}
	return 0;
}

static int pvpanic_init(struct vm *vm)
{
	int r = io_register(&vm->io, IO_PIO, LAYOUT_PVPANIC, 1, pvpanic_io, vm, "pvpanic");

	if (r)
		log_err("pvpanic: cannot register port 0x%x: %s", LAYOUT_PVPANIC, strerror(-r));
	return r;
}

/* No save/load: the device has no state (reads are constant, writes act at once). */
static const struct device pvpanic = {
	.name = "pvpanic",
	.prio = 20,
	.init = pvpanic_init,
};
DEVICE_REGISTER(pvpanic);
