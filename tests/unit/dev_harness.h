/*
 * dev_harness.h -- a fake machine for device unit tests: a struct vm with no
 * KVM behind it (vm_fd -1, so vm_irq_line returns -EBADF) and a calloc'd RAM,
 * the devices initialised on it through devices_init, and port/MMIO accessors
 * that go through io_dispatch like a vCPU exit would.
 */
#ifndef HYVE_TEST_DEV_HARNESS_H
#define HYVE_TEST_DEV_HARNESS_H

#include <pthread.h>
#include <stdlib.h>
#include <string.h>

#include "config.h"
#include "core/device.h"
#include "core/gmem.h"
#include "core/io.h"
#include "core/runctl.h"
#include "core/vm.h"

static struct vm fake_vm;
static uint8_t *fake_ram;

/* Build the fake VM with `ram` bytes; the caller has set config keys already. */
static inline int fake_vm_up(uint64_t ram, int ncpus)
{
	vm_init(&fake_vm, ncpus);
	/* Only touched pages are backed, so a "5 GiB" machine costs nothing. */
	fake_ram = calloc(1, ram);
	if (!fake_ram)
		return -1;
	gmem_init(&fake_vm.mem, fake_ram, ram);
	return devices_init(&fake_vm);
}

static inline void fake_vm_down(void)
{
	devices_exit(&fake_vm);
	io_bus_reset(&fake_vm.io);
	free(fake_ram);
	fake_ram = NULL;
	config_reset();
}

/* Keys every device test sets so no test touches the terminal. */
static inline void fake_config_quiet(void)
{
	config_reset();
	config_set("serial", "none");
}

static inline uint32_t pio_in(uint16_t port, unsigned len)
{
	uint8_t d[4] = { 0 };
	uint32_t v = 0;

	io_dispatch(&fake_vm.io, IO_PIO, NULL, port, d, len, false);
	memcpy(&v, d, len);
	return v;
}

static inline void pio_out(uint16_t port, uint32_t v, unsigned len)
{
	uint8_t d[4];

	memcpy(d, &v, sizeof(d));
	io_dispatch(&fake_vm.io, IO_PIO, NULL, port, d, len, true);
}

static inline uint8_t inb(uint16_t port) { return (uint8_t)pio_in(port, 1); }
static inline void outb(uint16_t port, uint8_t v) { pio_out(port, v, 1); }

static inline uint64_t mmio_read(uint64_t addr, unsigned len)
{
	uint8_t d[8] = { 0 };
	uint64_t v = 0;

	io_dispatch(&fake_vm.io, IO_MMIO, NULL, addr, d, len, false);
	memcpy(&v, d, len);
	return v;
}

static inline void mmio_write(uint64_t addr, uint64_t v, unsigned len)
{
	uint8_t d[8];

	memcpy(d, &v, sizeof(d));
	io_dispatch(&fake_vm.io, IO_MMIO, NULL, addr, d, len, true);
}

/* The machine's end, as vm_request_exit recorded it (-1: still running). */
static inline int fake_vm_exit_status(void)
{
	return vm_exit_status(&fake_vm);
}

#endif
