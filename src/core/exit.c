/*
 * exit.c -- the exit table.  Each KVM exit reason the generic core
 * understands has one handler; the architecture interprets debug exits and
 * emulation failures (arch_handle_exit); anything else is fatal and dumps
 * the vCPU first.
 */
#include <errno.h>
#include <linux/kvm.h>
#include <stdbool.h>

#include "core/exit.h"
#include "core/io.h"
#include "core/trap_page.h"
#include "core/vcpu.h"
#include "core/vm.h"
#include "util.h"

typedef enum exit_action (*exit_fn)(struct vcpu *v);

enum exit_action exit_end(struct vcpu *v, int status, const char *why, bool dump)
{
	if (dump)
		arch_vcpu_dump(v);
	v->ev.end = true;
	v->ev.end_status = status;
	v->ev.end_why = why;
	return EA_END;
}

static enum exit_action exit_io(struct vcpu *v)
{
	struct kvm_run *run = v->run;
	uint8_t *data = (uint8_t *)run + run->io.data_offset;
	bool is_write = run->io.direction == KVM_EXIT_IO_OUT;

	/* string I/O (rep ins/outs) hands us `count` items at once */
	for (uint32_t i = 0; i < run->io.count; i++) {
		io_dispatch(&v->vm->io, IO_PIO, v, run->io.port, data, run->io.size, is_write);
		data += run->io.size;
	}
	return EA_CONTINUE;
}

static enum exit_action exit_mmio(struct vcpu *v)
{
	struct kvm_run *run = v->run;
	struct trap_page *tp = &v->vm->traps;
	unsigned len = run->mmio.len;
	struct trap_hit hit;
	bool rmw = false;

	if (len > sizeof(run->mmio.data))
		len = sizeof(run->mmio.data);
	/* the read of a locked read-modify-write on a trapped page begins a turn */
	if (tp->serialise && !run->mmio.is_write && trap_page_trapped(tp, run->mmio.phys_addr))
		rmw = arch_mmio_locked_rmw(v);
	/* a RAM page trapped for a watchpoint: complete it on RAM, stop on a hit */
	if (trap_page_access_by(tp, v->id, rmw, run->mmio.phys_addr, run->mmio.data, len,
				run->mmio.is_write, &hit)) {
		if (!hit.type)
			return EA_CONTINUE;
		v->ev.hint = STOP_WATCH;
		v->ev.watch_type = hit.type;
		v->ev.watch_addr = hit.addr;
		return EA_DEBUG;
	}
	trap_page_rmw_end(tp, v->id);
	io_dispatch(&v->vm->io, IO_MMIO, v, run->mmio.phys_addr, run->mmio.data, len,
		    run->mmio.is_write);
	return EA_CONTINUE;
}

static enum exit_action exit_continue(struct vcpu *v)
{
	return EA_CONTINUE;
}

static enum exit_action exit_fatal(struct vcpu *v)
{
	struct kvm_run *run = v->run;

	if (run->exit_reason == KVM_EXIT_INTERNAL_ERROR)
		log_err("vCPU %d: KVM internal error, suberror %u%s", v->id,
			run->internal.suberror,
			run->internal.suberror == KVM_INTERNAL_ERROR_EMULATION ?
			" (emulation failure: the host's KVM cannot execute this instruction)" : "");
	else if (run->exit_reason == KVM_EXIT_FAIL_ENTRY)
		log_err("vCPU %d: VM entry failed, reason 0x%llx", v->id,
			(unsigned long long)run->fail_entry.hardware_entry_failure_reason);
	else
		log_err("vCPU %d: unexpected exit reason %u", v->id, run->exit_reason);
	return exit_end(v, EXIT_INTERNAL, "stopping after an unexpected exit", true);
}

/* Debug exits and internal errors: the architecture's, else fatal. */
static enum exit_action exit_arch(struct vcpu *v)
{
	int r = arch_handle_exit(v);

	return r < 0 ? exit_fatal(v) : (enum exit_action)r;
}

static enum exit_action exit_shutdown(struct vcpu *v)
{
	log_err("vCPU %d: triple fault (shutdown)", v->id);
	if (arch_shutdown_lost_state(v))
		log_err("vCPU %d: the registers below are its INIT state, not the state at the "
			"triple fault: this host's KVM (AMD SVM) resets a vCPU that shuts down",
			v->id);
	return exit_end(v, EXIT_TRIPLE, "guest triple fault", true);
}

static enum exit_action exit_system_event(struct vcpu *v)
{
	switch (v->run->system_event.type) {
	case KVM_SYSTEM_EVENT_SHUTDOWN:
		return exit_end(v, EXIT_POWEROFF, "guest power-off", false);
	case KVM_SYSTEM_EVENT_RESET:
		return exit_end(v, EXIT_RESET, "guest reset", false);
	default:
		log_err("vCPU %d: system event %u", v->id, v->run->system_event.type);
		return exit_end(v, EXIT_INTERNAL, "unexpected system event", false);
	}
}

static const exit_fn exit_table[] = {
	[KVM_EXIT_IO]		= exit_io,
	[KVM_EXIT_MMIO]		= exit_mmio,
	[KVM_EXIT_HLT]		= exit_continue,
	[KVM_EXIT_IRQ_WINDOW_OPEN] = exit_continue,
	[KVM_EXIT_INTR]		= exit_continue,
	[KVM_EXIT_DEBUG]	= exit_arch,
	[KVM_EXIT_SHUTDOWN]	= exit_shutdown,
	[KVM_EXIT_SYSTEM_EVENT]	= exit_system_event,
	[KVM_EXIT_INTERNAL_ERROR] = exit_arch,
	[KVM_EXIT_FAIL_ENTRY]	= exit_fatal,
};

void vcpu_run_failed(struct vcpu *v)
{
	int e = errno;

	trap_page_rmw_end(&v->vm->traps, v->id);
	errno = e;
}

enum exit_action vcpu_exit_dispatch(struct vcpu *v)
{
	uint32_t reason = v->run->exit_reason;

	if (reason != KVM_EXIT_MMIO)
		trap_page_rmw_end(&v->vm->traps, v->id);	/* not the write it should be */

	if (reason < ARRAY_SIZE(exit_table) && exit_table[reason])
		return exit_table[reason](v);
	return exit_fatal(v);
}
