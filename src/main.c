/*
 * main.c -- start-up order, written in one place and unwound in reverse:
 *   options → config → read images → event loop → VM (KVM, RAM, vCPUs) →
 *   load guest → devices → boot vCPU state → threads → wait → tear down.
 */
#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/signalfd.h>
#include <unistd.h>

#include "boot.h"
#include "config.h"
#include "core/device.h"
#include "debug/target.h"
#include "core/event.h"
#include "gdb/server.h"
#include "options.h"
#include "util.h"
#include "core/runctl.h"
#include "core/snapshot.h"
#include "core/vm.h"

static struct vm vm;

static void on_signal(int fd, uint32_t events, void *opaque)
{
	struct signalfd_siginfo si;

	if (read(fd, &si, sizeof(si)) != sizeof(si))
		return;
	vm_request_exit(&vm, 128 + (int)si.ssi_signo,
			si.ssi_signo == SIGINT ? "interrupted" : "terminated by a signal");
}

static int setup_signals(void)
{
	sigset_t set;
	int fd;

	sigemptyset(&set);
	sigaddset(&set, SIGINT);
	sigaddset(&set, SIGTERM);
	sigaddset(&set, SIGHUP);
	/* blocked in every thread (inherited), delivered to the event thread */
	pthread_sigmask(SIG_BLOCK, &set, NULL);
	signal(SIGPIPE, SIG_IGN);
	fd = signalfd(-1, &set, SFD_CLOEXEC | SFD_NONBLOCK);
	if (fd < 0)
		return -errno;
	return event_add(fd, EPOLLIN, on_signal, NULL);
}

/* --probe: a VM of one vCPU, and what the architecture found out about the host. */
static int probe_host(void)
{
	char err[512];

	if (vm_create(&vm, 1, 2 << 20, err, sizeof(err)))
		die("%s", err);
	arch_vm_report(&vm, stdout);
	vm_destroy(&vm);
	return 0;
}

int main(int argc, char **argv)
{
	char err[512] = "";
	struct boot_state bs;
	struct boot_images img;
	void *target = NULL;
	struct snapshot *snap = NULL;
	int r, status = EXIT_ERROR;

	r = options_parse(argc, argv, err, sizeof(err));
	if (r == 2)
		return probe_host();
	if (r > 0)
		return 0;
	if (r < 0)
		die("%s", err);
	log_debug_on = config_bool("log.debug");

	/*
	 * Everything the user named must exist and make sense before KVM is
	 * touched: the images load (into scratch memory), the RAM fits the host,
	 * the devices' files are usable, the options agree.
	 */
	if (config_bool("gdb.wait") && !config_is_set("gdb.port") && !config_is_set("gdb.unix")) {
		die("gdb.wait needs a debug server port (-G w[ADDRESS:]PORT)");
	}
	if (boot_read_images(&img, err, sizeof(err)) ||
	    vm_check_memory(config_uint("memory"), err, sizeof(err)) ||
	    boot_check(&img, (int)config_uint("cpus"), config_uint("memory"), err, sizeof(err)))
		goto out_images;
	if (devices_check()) {
		err[0] = 0;	/* the device has said what is wrong, in one line */
		goto out_images;
	}
	/* a snapshot to start from: read and checked whole before KVM is touched */
	if (config_is_set("snapshot.load")) {
		r = snapfile_read(config_str("snapshot.load"), &snap, err, sizeof(err));
		if (r)
			goto out_images;
		if (snap->ncpus != (int)config_uint("cpus") || snap->mem_size != config_uint("memory")) {
			snprintf(err, sizeof(err), "%s: the snapshot is of a machine with %d vCPUs and "
				 "%llu MiB of RAM; give -c %d -m %lluM", config_str("snapshot.load"),
				 snap->ncpus, (unsigned long long)(snap->mem_size >> 20), snap->ncpus,
				 (unsigned long long)(snap->mem_size >> 20));
			goto out_images;
		}
	}
	r = event_init();
	if (!r)
		r = setup_signals();
	if (r) {
		snprintf(err, sizeof(err), "event loop: %s", strerror(-r));
		goto out_images;
	}
	r = vm_create(&vm, (int)config_uint("cpus"), config_uint("memory"), err, sizeof(err));
	if (!r)
		r = boot_load(&vm, &img, &bs, err, sizeof(err));
	if (r)
		goto out_vm;
	r = devices_init(&vm);
	if (r) {
		err[0] = 0;	/* the device has said what is wrong, in one line */
		goto out_vm;
	}
	r = boot_vcpu(&vm, &bs);
	if (r) {
		snprintf(err, sizeof(err), "cannot set the boot vCPU's registers: %s", strerror(-r));
		goto out_devices;
	}
	if (snap) {
		r = snapshot_restore(&vm, snap, err, sizeof(err));
		if (r)
			goto out_devices;
		log_info("started from snapshot %s (%s)", snap->name, config_str("snapshot.load"));
		if (snapshot_keep(&vm, snap))
			snapshot_free(snap);
		snap = NULL;
	}
	if (config_is_set("gdb.port") || config_is_set("gdb.unix")) {
		target = debug_target_new(&vm);
		if (!target) {
			snprintf(err, sizeof(err), "cannot start the debug server: out of memory");
			goto out_target;
		}
		if (gdb_server_start(&debug_target_ops, target)) {
			err[0] = 0;	/* the server has said what is wrong, in one line */
			goto out_target;
		}
		/* `w`: not one guest instruction before the debugger says continue */
		if (config_bool("gdb.wait"))
			vcpu_ctl_init_stopped(&vm);
	}

	r = event_start();
	if (!r)
		r = vcpus_start(&vm);
	/* with a CPU of its own the event thread may wait awake for the vCPUs */
	if (!r && config_bool("cpu.pin"))
		event_allow_spin(vcpus_pin(&vm, event_thread_id()));
	if (r) {
		vm_force_exit(&vm, EXIT_ERROR, NULL);
		log_err("cannot start threads: %s", strerror(-r));
	}

	status = vm_wait(&vm);
	err[0] = 0;

	vcpus_join(&vm);
	event_stop();
	gdb_server_exit(status);	/* a debugger in `continue` gets W<status> */
out_target:
	debug_target_free(target);
out_devices:
	devices_exit(&vm);
out_vm:
	vm_destroy(&vm);
out_images:
	snapshot_free(snap);
	boot_free_images(&img);
	if (err[0])
		die("%s", err);
	return status;
}
