/*
 * exit.c (x86) -- the exits only x86 can interpret (see core/exit.h):
 * KVM_EXIT_DEBUG, and emulation failures, which on a KVM that emulates
 * ring 0 in software include our own int3 and a few instructions hyve
 * completes itself, and on every KVM a fetch from a page trapped without
 * a slot (a watchpoint's, or a page-trap breakpoint's).
 */
#include <linux/kvm.h>
#include <sys/ioctl.h>

#include "arch/x86/emulate.h"
#include "arch/x86/emulate_sys.h"
#include "arch/x86/regs.h"
#include "arch/x86/vcpu.h"
#include "core/exit.h"
#include "core/gmem.h"
#include "core/trap_page.h"
#include "core/trap_swbp.h"
#include "core/vcpu.h"
#include "core/vm.h"

/*
 * KVM queues a #UD for the guest with every emulation failure it reports
 * (x86.c handle_emulation_failure: the exit to user space at CPL 0 comes on
 * top of it), to be delivered at the next KVM_RUN.  When hyve completes the
 * instruction itself, or has it executed from a mapped page, that #UD must
 * not reach the guest: in the emulated AMD host (Linux 6.1 kvm-amd) an
 * instruction fetched from a page trapped without a slot ended in the
 * guest's #UD handler.
 */
static void drop_queued_ud(struct vcpu *v)
{
	struct kvm_vcpu_events ev;

	if (ioctl(v->fd, KVM_GET_VCPU_EVENTS, &ev) < 0 || ev.exception.nr != X86_VEC_UD ||
	    !(ev.exception.injected || ev.exception.pending))
		return;
	ev.exception.injected = ev.exception.pending = 0;
	ev.flags = 0;
	ioctl(v->fd, KVM_SET_VCPU_EVENTS, &ev);
}

/*
 * An int3 at rip reached us -- as a #BP debug exit (hardware KVM with
 * USE_SW_BP) or as an emulation failure (KVM that emulates ring 0 cannot run
 * int3 outside real mode).  Ours: stop for the debugger.  The guest's own:
 * give it its #BP as if no debugger were there, which is also what lets
 * Linux's int3 self-test pass.  How depends on the way it came:
 *  - a #BP debug exit: rip stays at the int3 and #BP is injected as the soft
 *    exception it is; KVM itself moves the return address past the int3
 *    (VMX: by the exit's instruction length; SVM: by NextRIP or by decoding
 *    the int3 at rip -- recent kernels drop the #BP if rip is not at an
 *    int3).  This is what QEMU's KVM_EXIT_DEBUG handling does.
 *  - an emulation failure: the int3 did not execute at all; rip is moved
 *    past it here and exception 3 injected.
 * Returns EA_CONTINUE/EA_DEBUG, or -1 if rip does not hold an int3.
 */
static int handle_int3(struct vcpu *v, bool debug_exit)
{
	struct kvm_regs r;
	struct kvm_sregs s;
	struct kvm_vcpu_events ev;
	uint64_t gpa;
	const uint8_t *p;

	if (ioctl(v->fd, KVM_GET_REGS, &r) < 0 || ioctl(v->fd, KVM_GET_SREGS, &s) < 0)
		return -1;
	gpa = x86_rip_gpa(v, &r, &s);
	p = gmem_ptr(&v->vm->mem, gpa, 1);
	if (!p || *p != X86_INT3)
		return -1;
	if (trap_swbp_at(&v->vm->swbp, gpa)) {
		if (!debug_exit)
			drop_queued_ud(v);	/* the failure's #UD: hyve steps over its byte */
		v->ev.hint = STOP_BREAK;
		return EA_DEBUG;
	}
	if (ioctl(v->fd, KVM_GET_VCPU_EVENTS, &ev) < 0)
		return -1;
	ev.exception.injected = 1;
	ev.exception.nr = X86_VEC_BP;
	ev.exception.has_error_code = 0;
	ev.flags = 0;
	if (!debug_exit) {
		r.rip++;
		if (ioctl(v->fd, KVM_SET_REGS, &r) < 0)
			return -1;
	}
	if (ioctl(v->fd, KVM_SET_VCPU_EVENTS, &ev) < 0)
		return -1;
	return EA_CONTINUE;
}

static int exit_debug(struct vcpu *v)
{
	v->ev.arch = v->run->debug.arch;
	if (v->ev.arch.exception == X86_VEC_BP) {
		int r = handle_int3(v, true);

		if (r >= 0)
			return r;
	}
	return EA_DEBUG;
}

static int read_phys(void *opaque, uint64_t gpa, void *buf, size_t len)
{
	return gmem_read(opaque, gpa, buf, len);
}

struct lin_reader {
	struct walk_ctx w;
	uint8_t *buf;
};

static int lin_chunk(void *opaque, uint64_t off, uint64_t gpa, size_t len)
{
	struct lin_reader *lr = opaque;

	return lr->w.read_phys(lr->w.opaque, gpa, lr->buf + off, len);
}

/* Guest memory at a linear address, through the vCPU's own paging. */
static int read_lin(void *opaque, uint64_t lin, void *buf, size_t len)
{
	struct lin_reader *lr = opaque;
	size_t done = 0;

	lr->buf = buf;
	return walk_range(&lr->w, lin, len, lin_chunk, lr, &done);
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
	gpa = x86_rip_gpa(v, &r, &s);
	while (n && !(p = gmem_ptr(&v->vm->mem, gpa, n)))
		n--;		/* near the end of RAM: fewer bytes */
	if (!n)
		return false;
	/* fwait with an x87 exception pending must fault: leave that to the guest's fate */
	if (p[0] == 0x9b && (ioctl(v->fd, KVM_GET_FPU, &f) < 0 || (f.fsw & 0x80)))
		return false;
	len = x86_emulate(&r, p, n, x86_long64(&s), s.cs.db);
	if (!len) {
		struct lin_reader lr = { .w = { .cr0 = s.cr0, .cr3 = s.cr3, .cr4 = s.cr4,
						.efer = s.efer, .read_phys = read_phys,
						.opaque = &v->vm->mem } };

		len = x86_emulate_lsl(&r, &s, p, n, read_lin, &lr);
	}
	if (!len)
		return false;
	r.rip += (uint64_t)len;
	return ioctl(v->fd, KVM_SET_REGS, &r) == 0;
}

/* The guest-physical address of the instruction at rip, or ~0. */
uint64_t arch_vcpu_pc_gpa(struct vcpu *v)
{
	struct kvm_regs r;
	struct kvm_sregs s;

	if (ioctl(v->fd, KVM_GET_REGS, &r) < 0 || ioctl(v->fd, KVM_GET_SREGS, &s) < 0)
		return ~0ULL;
	return x86_rip_gpa(v, &r, &s);
}

/*
 * A failure to fetch the instruction at gpa, in a page a read/access
 * watchpoint or a page-trap breakpoint took out of the memory slots:
 *  - a page-trap breakpoint begins at exactly gpa (and is not lifted for a
 *    step past it): a breakpoint hit, EA_DEBUG with STOP_BREAK;
 *  - another instruction of such a page: the run loop maps the page
 *    read-only for this one step (EA_STEP_MAPPED).
 * -1: not in such a page.  The breakpoint is asked first, before our own
 * int3 and the guest's (handle_int3): the two mechanisms never share a
 * host, and a breakpoint set on a guest's int3 must stop.
 */
static int in_hidden_page(struct vcpu *v, uint64_t gpa, bool break_only)
{
	if (gpa == ~0ULL)
		return -1;
	if (break_only ? !trap_page_exec_at(&v->vm->traps, gpa) :
	    !trap_page_hidden(&v->vm->traps, gpa))
		return -1;
	drop_queued_ud(v);		/* the fetch failed: the instruction never ran */
	if (break_only) {
		v->ev.hint = STOP_BREAK;
		return EA_DEBUG;
	}
	v->ev.map_gpa = gpa & ~(TRAP_PAGE_SIZE - 1);
	return EA_STEP_MAPPED;
}

/*
 * The page after the instruction at rip's, when that instruction may reach
 * into it (it begins within 15 bytes of its page's end): a fetch fails in a
 * hidden page there too, with rip still in the page before.  ~0 otherwise.
 */
static uint64_t next_page_gpa(struct vcpu *v)
{
	struct kvm_regs r;
	struct kvm_sregs s;
	uint64_t lin, off;

	if (ioctl(v->fd, KVM_GET_REGS, &r) < 0 || ioctl(v->fd, KVM_GET_SREGS, &s) < 0)
		return ~0ULL;
	lin = (s.efer & X86_EFER_LMA) ? r.rip : s.cs.base + r.rip;
	off = lin & (TRAP_PAGE_SIZE - 1);
	if (off <= TRAP_PAGE_SIZE - 15)
		return ~0ULL;
	r.rip += TRAP_PAGE_SIZE - off;
	return x86_rip_gpa(v, &r, &s);
}

static int exit_emulation_failure(struct vcpu *v)
{
	uint64_t gpa = arch_vcpu_pc_gpa(v);
	int r = in_hidden_page(v, gpa, true);

	if (r >= 0)
		return r;
	r = handle_int3(v, false);
	if (r >= 0)
		return r;
	r = in_hidden_page(v, gpa, false);
	if (r >= 0)
		return r;
	/* an instruction across the end of its page, into a hidden one */
	r = in_hidden_page(v, next_page_gpa(v), false);
	if (r >= 0)
		return r;
	if (emulate_fallback(v)) {
		drop_queued_ud(v);
		return EA_CONTINUE;
	}
	return -1;
}

/*
 * KVM on AMD (SVM) cannot keep a vCPU's state across a shutdown: the VMCB is
 * undefined after the SHUTDOWN intercept, so svm.c shutdown_interception()
 * clears it and INITs the vCPU before returning KVM_EXIT_SHUTDOWN.  VMX (and
 * kvm_pvm) leave the state at the fault.  Tell the two apart by the INIT
 * state: real mode at f000:fff0 with CS base 0xffff0000.
 */
bool arch_shutdown_lost_state(struct vcpu *v)
{
	struct kvm_regs r;
	struct kvm_sregs s;

	if (ioctl(v->fd, KVM_GET_REGS, &r) < 0 || ioctl(v->fd, KVM_GET_SREGS, &s) < 0)
		return false;
	return r.rip == 0xfff0 && s.cs.selector == 0xf000 && s.cs.base == 0xffff0000 &&
	       !(s.cr0 & X86_CR0_PE);
}

int arch_handle_exit(struct vcpu *v)
{
	switch (v->run->exit_reason) {
	case KVM_EXIT_DEBUG:
		return exit_debug(v);
	case KVM_EXIT_INTERNAL_ERROR:
		if (v->run->internal.suberror == KVM_INTERNAL_ERROR_EMULATION)
			return exit_emulation_failure(v);
		return -1;
	default:
		return -1;
	}
}
