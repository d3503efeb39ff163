/*
 * vcpu_exit.c -- the exit table.  Each KVM exit reason has one handler; an
 * exit with no handler is fatal and dumps the vCPU first.
 */
#include <linux/kvm.h>
#include <stdio.h>
#include <sys/ioctl.h>
#include <string.h>

#include "core/trap_swbp.h"
#include "arch/x86/emulate.h"
#include "core/io.h"
#include "util.h"
#include "core/gmem.h"
#include "core/vcpu.h"
#include "core/exit.h"
#include "core/vm.h"
#include "core/trap_page.h"

typedef enum exit_action (*exit_fn)(struct vcpu *v);

static enum exit_action exit_io(struct vcpu *v)
{
	struct kvm_run *run = v->run;
	uint8_t *data = (uint8_t *)run + run->io.data_offset;
	bool is_write = run->io.direction == KVM_EXIT_IO_OUT;

	/* string I/O (rep ins/outs) hands us `count` items at once */
	for (uint32_t i = 0; i < run->io.count; i++) {
		io_dispatch(IO_PIO, v, run->io.port, data, run->io.size, is_write);
		data += run->io.size;
	}
	return EA_CONTINUE;
}

static enum exit_action exit_mmio(struct vcpu *v)
{
	struct kvm_run *run = v->run;
	unsigned len = run->mmio.len;
	struct watch_hit hit;

	if (len > sizeof(run->mmio.data))
		len = sizeof(run->mmio.data);
	/* a RAM page trapped for a watchpoint: complete it on RAM, stop on a hit */
	if (watch_access(v->vm, run->mmio.phys_addr, run->mmio.data, len, run->mmio.is_write,
			 &hit)) {
		if (!hit.type)
			return EA_CONTINUE;
		v->exit_reason_hint = STOP_WATCH;
		v->watch_type = hit.type;
		v->watch_addr = hit.addr;
		return EA_DEBUG;
	}
	io_dispatch(IO_MMIO, v, run->mmio.phys_addr, run->mmio.data, len,
		    run->mmio.is_write);
	return EA_CONTINUE;
}

static enum exit_action exit_continue(struct vcpu *v)
{
	return EA_CONTINUE;
}

/* Guest-physical address of the instruction at rip, or ~0 if unmapped. */
static uint64_t rip_gpa(struct vcpu *v, const struct kvm_regs *r, const struct kvm_sregs *s)
{
	uint64_t lin = (s->efer & (1 << 10)) ? r->rip : s->cs.base + r->rip;
	struct kvm_translation t = { .linear_address = lin };

	if (!(s->cr0 & (1ULL << 31)))
		return lin;
	if (ioctl(v->fd, KVM_TRANSLATE, &t) < 0 || !t.valid)
		return ~0ULL;
	return t.physical_address;
}

/*
 * An int3 at rip reached us -- as a #BP debug exit (hardware KVM with
 * USE_SW_BP) or as an emulation failure (KVM that emulates ring 0 cannot run
 * int3 outside real mode).  Ours: stop for the debugger.  The guest's own:
 * give it its #BP as if no debugger were there (rip past the int3, exception
 * 3 injected), which is also what lets Linux's int3 self-test pass.
 * Returns EA_CONTINUE/EA_DEBUG, or -1 if rip does not hold an int3.
 */
static int handle_int3(struct vcpu *v)
{
	struct kvm_regs r;
	struct kvm_sregs s;
	struct kvm_vcpu_events ev;
	uint64_t gpa;
	const uint8_t *p;

	if (ioctl(v->fd, KVM_GET_REGS, &r) < 0 || ioctl(v->fd, KVM_GET_SREGS, &s) < 0)
		return -1;
	gpa = rip_gpa(v, &r, &s);
	p = gmem_ptr(&v->vm->mem, gpa, 1);
	if (!p || *p != BP_INT3)
		return -1;
	if (bp_sw_at(gpa)) {
		v->exit_reason_hint = STOP_BREAK;
		return EA_DEBUG;
	}
	if (ioctl(v->fd, KVM_GET_VCPU_EVENTS, &ev) < 0)
		return -1;
	r.rip++;
	ev.exception.injected = 1;
	ev.exception.nr = 3;
	ev.exception.has_error_code = 0;
	ev.flags = 0;
	if (ioctl(v->fd, KVM_SET_REGS, &r) < 0 || ioctl(v->fd, KVM_SET_VCPU_EVENTS, &ev) < 0)
		return -1;
	return EA_CONTINUE;
}

static enum exit_action exit_fatal(struct vcpu *v);

static enum exit_action exit_debug(struct vcpu *v)
{
	v->debug_arch = v->run->debug.arch;
	if (v->debug_arch.exception == 3) {
		int r = handle_int3(v);

		if (r >= 0)
			return (enum exit_action)r;
	}
	return EA_DEBUG;
}

/*
 * An instruction the host's emulator cannot run (and that CPUID cannot hide
 * on such hosts): complete it here if it is one of the few we know.
 */
static bool emulate_fallback(struct vcpu *v)
{
	struct kvm_regs r;
	struct kvm_sregs s;
	struct kvm_fpu f;
	const uint8_t *p;
	uint64_t gpa;
	size_t n = 15;
	int len;

	if (ioctl(v->fd, KVM_GET_REGS, &r) < 0 || ioctl(v->fd, KVM_GET_SREGS, &s) < 0)
		return false;
	gpa = rip_gpa(v, &r, &s);
	while (n && !(p = gmem_ptr(&v->vm->mem, gpa, n)))
		n--;		/* near the end of RAM: fewer bytes */
	if (!n)
		return false;
	/* fwait with an x87 exception pending must fault: leave that to the guest's fate */
	if (p[0] == 0x9b && (ioctl(v->fd, KVM_GET_FPU, &f) < 0 || (f.fsw & 0x80)))
		return false;
	len = x86_emulate(&r, p, n, !!(s.efer & (1 << 10)) && s.cs.l, s.cs.db);
	if (!len)
		return false;
	r.rip += (uint64_t)len;
	return ioctl(v->fd, KVM_SET_REGS, &r) == 0;
}

/*
 * The instruction sits in a page a read/access watchpoint took out of the
 * memory slots, so KVM cannot fetch it: map the page read-only for this one
 * step (accesses of this instruction to that page are then not trapped).
 */
static bool fetch_from_hidden_page(struct vcpu *v)
{
	struct kvm_regs r;
	struct kvm_sregs s;
	uint64_t gpa;
	int ret;

	if (ioctl(v->fd, KVM_GET_REGS, &r) < 0 || ioctl(v->fd, KVM_GET_SREGS, &s) < 0)
		return false;
	gpa = rip_gpa(v, &r, &s);
	if (gpa == ~0ULL || !watch_page_hidden(gpa))
		return false;
	if (vm_map_temp(v->vm, v->id, gpa & ~4095ULL))
		return false;
	ret = vcpu_step_here(v);
	vm_unmap_temp(v->vm, v->id);
	return ret == 0;
}

static enum exit_action exit_internal(struct vcpu *v)
{
	if (v->run->internal.suberror == KVM_INTERNAL_ERROR_EMULATION) {
		int r = handle_int3(v);

		if (r >= 0)
			return (enum exit_action)r;
		if (fetch_from_hidden_page(v))
			return EA_CONTINUE;
		if (emulate_fallback(v))
			return EA_CONTINUE;
	}
	return exit_fatal(v);
}

static enum exit_action exit_shutdown(struct vcpu *v)
{
	log_err("vCPU %d: triple fault (shutdown)", v->id);
	vcpu_dump(v);
	vm_request_exit(v->vm, EXIT_TRIPLE, "guest triple fault");
	return EA_STOP;
}

static enum exit_action exit_system_event(struct vcpu *v)
{
	switch (v->run->system_event.type) {
	case KVM_SYSTEM_EVENT_SHUTDOWN:
		vm_request_exit(v->vm, EXIT_POWEROFF, "guest power-off");
		break;
	case KVM_SYSTEM_EVENT_RESET:
		vm_request_exit(v->vm, EXIT_RESET, "guest reset");
		break;
	default:
		log_err("vCPU %d: system event %u", v->id, v->run->system_event.type);
		vm_request_exit(v->vm, EXIT_INTERNAL, "unexpected system event");
		break;
	}
	return EA_STOP;
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
	vcpu_dump(v);
	vm_request_exit(v->vm, EXIT_INTERNAL, "stopping after an unexpected exit");
	return EA_STOP;
}

static const exit_fn exit_table[] = {
	[KVM_EXIT_IO]		= exit_io,
	[KVM_EXIT_MMIO]		= exit_mmio,
	[KVM_EXIT_HLT]		= exit_continue,
	[KVM_EXIT_IRQ_WINDOW_OPEN] = exit_continue,
	[KVM_EXIT_INTR]		= exit_continue,
	[KVM_EXIT_DEBUG]	= exit_debug,
	[KVM_EXIT_SHUTDOWN]	= exit_shutdown,
	[KVM_EXIT_SYSTEM_EVENT]	= exit_system_event,
	[KVM_EXIT_INTERNAL_ERROR] = exit_internal,
	[KVM_EXIT_FAIL_ENTRY]	= exit_fatal,
};

enum exit_action vcpu_exit_dispatch(struct vcpu *v)
{
	uint32_t reason = v->run->exit_reason;

	if (reason < ARRAY_SIZE(exit_table) && exit_table[reason])
		return exit_table[reason](v);
	return exit_fatal(v);
}
