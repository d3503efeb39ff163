/*
 * debugcon.c -- QEMU's debug console on port 0x402: every byte written goes to
 * the "debugcon" destination.  Reads return 0xe9, the value SeaBIOS checks
 * before it logs there.  Present only when the "debugcon" key is set.
 */
#include <errno.h>
#include <pthread.h>
#include <string.h>

#include "config.h"
#include "dev/console.h"
#include "core/device.h"
#include "core/io.h"
#include "core/vm.h"
#include "util.h"

#define DEBUGCON_PORT	0x402
#define DEBUGCON_MAGIC	0xe9

/* Guards out_fd: vCPU threads write concurrently, and exit closes it. */
static pthread_mutex_t lock = PTHREAD_MUTEX_INITIALIZER;
static int out_fd = -1;

static int debugcon_io(struct vcpu *vcpu, uint64_t addr, uint8_t *data,
		       unsigned len, bool is_write, void *opaque)
{
	if (!is_write) {
		memset(data, 0, len);
		data[0] = DEBUGCON_MAGIC;
		return 0;
	}
	/* Only the port's own byte: a wider write's upper bytes hit other ports. */
	pthread_mutex_lock(&lock);
	console_write_all(out_fd, data, 1);
	pthread_mutex_unlock(&lock);
	return 0;
}

static int debugcon_init(struct vm *vm)
{
	const char *spec = config_str("debugcon");
	int fd, r;

	if (!spec)
		return 0;
	if (!strcmp(spec, "none"))
		return 0;
	fd = console_open_output(spec, "debugcon");
	if (fd < -1)
		return fd;
	r = io_register(&vm->io, IO_PIO, DEBUGCON_PORT, 1, debugcon_io, NULL, "debugcon");
	if (r) {
		log_err("debugcon: cannot register port 0x402: %s", strerror(-r));
		console_close_output(fd);
		return r;
	}
	pthread_mutex_lock(&lock);
	out_fd = fd;
	pthread_mutex_unlock(&lock);
	return 0;
}

static void debugcon_exit(struct vm *vm)
{
	int fd;

	pthread_mutex_lock(&lock);
	fd = out_fd;
	out_fd = -1;
	pthread_mutex_unlock(&lock);
	console_close_output(fd);
}

/* No save/load: the output fd is host-side plumbing, and there is no other state. */
static const struct device debugcon = {
	.name = "debugcon",
	.prio = 10,
	.init = debugcon_init,
	.exit = debugcon_exit,
};
DEVICE_REGISTER(debugcon);
