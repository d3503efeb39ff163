/*
 * vcpu_loop.c -- run control, the vCPU threads' side: each thread loops
 * "wait until its action says run, KVM_RUN, dispatch the exit through the
 * exit table (core/exit.c), act on what the handler reported".  Handlers
 * report; this loop decides: stop for the debugger, end the machine, or go
 * on.  The controllers' side is runctl.c.
 */
#include <errno.h>
#include <pthread.h>
#include <sched.h>
#include <stdio.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/syscall.h>
#include <time.h>
#include <unistd.h>

#include "core/exit.h"
#include "core/memslot.h"
#include "core/runctl_int.h"
#include "core/trap_page.h"
#include "core/trap_swbp.h"
#include "core/vcpu.h"
#include "util.h"

static void kick_handler(int sig)
{
	(void)sig;
}

static int install_kick_handler(void)
{
	struct sigaction sa;

	memset(&sa, 0, sizeof(sa));
	sa.sa_handler = kick_handler;	/* no SA_RESTART: KVM_RUN returns EINTR */
	sigemptyset(&sa.sa_mask);
	return sigaction(SIG_KICK, &sa, NULL) < 0 ? -errno : 0;
}

static __thread struct vcpu *this_vcpu;
/*
 * SIG_KICK is blocked in the vCPU threads and unblocked only inside KVM_RUN
 * (KVM_SET_SIGNAL_MASK): a kick makes KVM_RUN return EINTR and stays
 * pending, with no handler to run on the way to parking; it is taken with
 * sigtimedwait before the next KVM_RUN, off the stop's path.
 */
static __thread bool kick_pending;

/* Take a pending SIG_KICK, if there is one. */
static void take_kick(void)
{
	static const struct timespec zero;
	sigset_t set;

	sigemptyset(&set);
	sigaddset(&set, SIG_KICK);
	while (sigtimedwait(&set, NULL, &zero) == SIG_KICK)
		;
}

static void consume_kick(void)
{
	if (kick_pending)
		take_kick();
	kick_pending = false;
}

/* vCPU thread start: block SIG_KICK except inside KVM_RUN (see above). */
static void kick_mask_init(struct vcpu *v)
{
	struct {
		struct kvm_signal_mask m;
		uint8_t set[8];		/* the kernel's sigset: signals 1-64 */
	} km = { .m.len = 8 };
	sigset_t set, run;

	sigemptyset(&set);
	sigaddset(&set, SIG_KICK);
	pthread_sigmask(SIG_BLOCK, &set, &run);
	sigdelset(&run, SIG_KICK);
	memcpy(km.set, &run, sizeof(km.set));
	if (ioctl(v->fd, KVM_SET_SIGNAL_MASK, &km) < 0) {
		/* no mask for KVM_RUN: take kicks through the handler instead */
		log_warn("vCPU %d: KVM_SET_SIGNAL_MASK: %s", v->id, strerror(errno));
		pthread_sigmask(SIG_UNBLOCK, &set, NULL);
	}
}

struct vcpu *vcpu_current(void)
{
	return this_vcpu;
}

/* ---- guest debug settings ---- */

/*
 * What this vCPU's KVM_SET_GUEST_DEBUG should become, if anything changed:
 * copied under the lock, applied without it by apply_guest_debug.  The run
 * loop copies in the section it locks anyway, so an unchanged setting costs
 * neither a lock nor an ioctl per KVM_RUN.
 */
struct debug_change {
	bool needed, step, irq;
	uint64_t gen;
	struct kvm_guest_debug dbg;
};

static void debug_change_locked(const struct vcpu *v, bool step, struct debug_change *d)
{
	const struct runctl *c = &v->vm->ctl;

	bool irq;

	assert_locked(c);
	irq = c->step_irq || v->step_irq;
	d->needed = c->debug_gen != v->debug_gen || step != v->debug_stepping ||
		    (step && irq != v->debug_irq);
	if (!d->needed)
		return;
	d->step = step;
	d->irq = irq;
	d->gen = c->debug_gen;
	d->dbg = c->debug_wanted;
}

/* vCPU thread only, without the lock. */
static void apply_guest_debug(struct vcpu *v, struct debug_change *d)
{
	struct runctl *c = &v->vm->ctl;

	if (!d->needed)
		return;
	if (d->step) {
		int blockirq = __atomic_load_n(&c->blockirq, __ATOMIC_RELAXED);

		d->dbg.control |= KVM_GUESTDBG_ENABLE | KVM_GUESTDBG_SINGLESTEP;
		if (blockirq < 0) {
			int caps = ioctl(v->vm->kvm_fd, KVM_CHECK_EXTENSION,
					 KVM_CAP_SET_GUEST_DEBUG2);

			blockirq = caps > 0 && (caps & KVM_GUESTDBG_BLOCKIRQ);
			__atomic_store_n(&c->blockirq, blockirq, __ATOMIC_RELAXED);
		}
		if (blockirq && !d->irq)
			d->dbg.control |= KVM_GUESTDBG_BLOCKIRQ;
	}
	log_debug("vCPU %d: guest debug control 0x%x", v->id, d->dbg.control);
	if (ioctl(v->fd, KVM_SET_GUEST_DEBUG, &d->dbg) < 0)
		log_err("vCPU %d: KVM_SET_GUEST_DEBUG: %s", v->id, strerror(errno));
	v->debug_gen = d->gen;
	v->debug_stepping = d->step;
	v->debug_irq = d->irq;
}

void vm_request_exit(struct vm *vm, int status, const char *why)
{
	struct vcpu *v = vcpu_current();

	if (v && v->vm == vm) {
		/* the run loop offers it to the debugger once the exit is handled */
		if (!v->ev.end) {
			v->ev.end = true;
			v->ev.end_status = status;
			v->ev.end_why = why;
		}
		return;
	}
	vm_force_exit(vm, status, why);
}

/*
 * vCPU thread: the guest asked to end the machine (v->ev.end_*).  With a
 * debugger attached the machine may stay stopped for it: then this is a debug
 * stop (EA_DEBUG); else the machine ends (EA_END: park).
 */
static enum exit_action guest_end(struct vcpu *v)
{
	struct vm *vm = v->vm;

	v->ev.end = false;
	if (vm->guest_exit_hook &&
	    vm->guest_exit_hook(vm->guest_exit_opaque, v, v->ev.end_status, v->ev.end_why)) {
		v->ev.hint = STOP_GUEST_EXIT;
		return EA_DEBUG;
	}
	vm_force_exit(vm, v->ev.end_status, v->ev.end_why);
	return EA_END;
}

/* ---- the vCPU thread ---- */

/*
 * The exec gate (vm->exec_gate): this thread holds it for writing.  The
 * vCPU inside a locked read-modify-write on a trapped page goes through
 * without waiting: the owner's own access may wait for its write
 * (trap_page.h), and the gap it leaves is one instruction.
 */
static __thread bool gate_owned;

static bool gate_in(struct vcpu *v)
{
	struct vm *vm = v->vm;

	/* only breakpoints by page trapping need it: elsewhere KVM_RUN pays nothing */
	if (vm->ncpus < 2 || gate_owned || !__atomic_load_n(&vm->traps.nexec, __ATOMIC_ACQUIRE) ||
	    __atomic_load_n(&vm->traps.rmw_owner, __ATOMIC_ACQUIRE) == v->id)
		return false;
	pthread_rwlock_rdlock(&vm->exec_gate);
	return true;
}

static void gate_out(struct vcpu *v, bool in)
{
	if (in)
		pthread_rwlock_unlock(&v->vm->exec_gate);
}

/* Every other vCPU out of KVM_RUN and held before its next one. */
static void gate_close(struct vcpu *v)
{
	struct vm *vm = v->vm;

	for (;;) {
		struct timespec t;

		for (int i = 0; i < vm->ncpus; i++)
			if (i != v->id)
				vcpu_nudge(vm, i);
		clock_gettime(CLOCK_REALTIME, &t);
		t.tv_nsec += 1000000;
		if (t.tv_nsec >= 1000000000) {
			t.tv_sec++;
			t.tv_nsec -= 1000000000;
		}
		if (!pthread_rwlock_timedwrlock(&vm->exec_gate, &t))
			break;
	}
	gate_owned = true;
}

static void gate_open(struct vcpu *v)
{
	gate_owned = false;
	pthread_rwlock_unlock(&v->vm->exec_gate);
}

/* KVM_RUN through the gate. */
static int run_gated(struct vcpu *v)
{
	bool in = gate_in(v);
	int r = ioctl(v->fd, KVM_RUN, 0);
	int e = errno;

	gate_out(v, in);
	errno = e;
	return r;
}

/*
 * On the vCPU's own thread: execute exactly one instruction now (single step
 * with the debug server's settings), serving I/O exits on the way.  0 or -errno.
 * The debug state is set before every KVM_RUN of the step, the first and the
 * ones that complete an I/O or MMIO exit: under QEMU's emulated AMD-V, once
 * KVM had emulated an instruction (an MMIO write, a CR or MSR access) the
 * trap flag was gone and the "step" ran on over many instructions -- past a
 * page-trap breakpoint among them (e2e/bp_hw) -- unless it was set again.
 */
static int step_here(struct vcpu *v)
{
	int r = -EIO;

	for (int i = 0; i < 64; i++) {
		enum vcpu_stop_reason hint = v->ev.hint;
		struct debug_change d;

		v->debug_gen = ~0ULL;
		ctl_lock(&v->vm->ctl);
		debug_change_locked(v, true, &d);
		ctl_unlock(&v->vm->ctl);
		apply_guest_debug(v, &d);
		if (run_gated(v) < 0) {
			vcpu_run_failed(v);
			if (errno == EINTR || errno == EAGAIN) {
				/*
				 * Asked to stop (immediate_exit and the signal): finish
				 * the one instruction first -- every further KVM_RUN
				 * would return at once -- and park after it: the request
				 * stays in v->action, which the loop looks at next.
				 */
				v->run->immediate_exit = 0;
				take_kick();
				continue;
			}
			r = -errno;
			break;
		}
		if (v->run->exit_reason == KVM_EXIT_DEBUG) {
			r = 0;
			break;
		}
		if (v->run->exit_reason != KVM_EXIT_IO && v->run->exit_reason != KVM_EXIT_MMIO)
			break;
		vcpu_exit_dispatch(v);		/* a watchpoint hit sets the hint */
		if (hint != STOP_NONE)
			v->ev.hint = hint;
	}
	v->debug_gen = ~0ULL;		/* back to the normal settings at the next run */
	return r;
}

/*
 * One instruction from a page trapped without a slot, the page mapped
 * read-only for this vCPU's step (others that run meanwhile may fetch from
 * it too: where the page holds a breakpoint, none runs).  0 or -errno.
 */
#define PAGE_RUN_MAX	256	/* steps through a breakpoint's page between two looks at the world */

static int step_in_page(struct vcpu *v, uint64_t page, bool run_on)
{
	/* a breakpoint's page: no other vCPU may run through it unseen meanwhile */
	bool exec = trap_page_exec_in(&v->vm->traps, page);
	bool gate = v->vm->ncpus > 1 && exec;
	int r;

	if (gate)
		gate_close(v);
	r = vm_map_temp(v->vm, v->id, page);
	if (!r) {
		r = step_here(v);
		/*
		 * Running freely through a breakpoint's page: step on with the page
		 * still mapped while the next instruction is in it and is no
		 * breakpoint -- one memory-slot change for the run, not two a step
		 * (not where a watchpoint watches the page too: its accesses must
		 * still trap).  A stop
		 * asked for, a watchpoint hit or any other exit ends the run.
		 */
		if (run_on && exec && trap_page_data_in(&v->vm->traps, page))
			run_on = false;
		for (int n = 0; run_on && exec && !r && n < PAGE_RUN_MAX; n++) {
			uint64_t gpa;
			enum arch_next next;

			if (v->ev.hint != STOP_NONE || v->run->exit_reason != KVM_EXIT_DEBUG ||
			    __atomic_load_n(&v->action, __ATOMIC_ACQUIRE) != VCPU_RUN)
				break;
			/* the step trap's pc: one translation for where it is and what it is */
			next = arch_step_next_gpa(v, &v->run->debug.arch, &gpa);
			if ((gpa & ~(TRAP_PAGE_SIZE - 1)) != page ||
			    trap_page_exec_at(&v->vm->traps, gpa))
				break;
			/* one that waits for an interrupt, or a sti: not stepped here */
			if (next != ARCH_NEXT_PLAIN)
				break;
			r = step_here(v);
		}
		vm_unmap_temp(v->vm, v->id);
	}
	if (gate)
		gate_open(v);
	return r;
}

/*
 * EA_STEP_MAPPED: one instruction from a page trapped without a slot.  A
 * vCPU the debugger single-steps has done its step with it: that is the
 * stop (its debug exit is the step's), not a run on to the next one.
 */
static enum exit_action step_mapped(struct vcpu *v, enum vcpu_action act)
{
	int r = step_in_page(v, v->ev.map_gpa, act == VCPU_RUN);

	if (!r && (act == VCPU_STEP || act == VCPU_RANGE)) {
		v->ev.arch = v->run->debug.arch;
		return EA_DEBUG;
	}
	if (!r)
		return EA_CONTINUE;
	log_err("vCPU %d: cannot execute from trapped page 0x%llx: %s", v->id,
		(unsigned long long)v->ev.map_gpa, strerror(-r));
	return exit_end(v, EXIT_INTERNAL, "stopping after an unexpected exit", true);
}

/*
 * HIT_STEP_OVER on a machine of one vCPU: no other vCPU can run past the
 * lifted byte, so lift it, step, and put it back right here; a page-trap
 * breakpoint's instruction is stepped with its page mapped for the step.
 * A watchpoint the step hits is a stop as usual.
 */
static enum exit_action step_over_here(struct vcpu *v)
{
	uint64_t gpa = v->ev.step_over_gpa;
	int r;

	v->ev.hint = STOP_NONE;
	if (trap_page_exec_at(&v->vm->traps, gpa)) {
		r = step_in_page(v, gpa & ~(TRAP_PAGE_SIZE - 1), false);
	} else {
		trap_swbp_lift(&v->vm->swbp, gpa);
		r = step_here(v);
		trap_swbp_rearm(&v->vm->swbp);
	}
	if (r) {
		log_err("vCPU %d: stepping past a breakpoint: %s", v->id, strerror(-r));
		v->ev.hint = STOP_BREAK;	/* stop there for the debugger rather than loop */
	}
	return v->ev.hint != STOP_NONE ? EA_DEBUG : EA_CONTINUE;
}

/*
 * Past a false hit of a page-trap breakpoint (hyve executed its first
 * instruction): where the next one is still in a hidden page, EA_STEP_MAPPED
 * runs through it at once rather than let KVM_RUN fail to fetch it first.
 */
static enum exit_action go_on_in_page(struct vcpu *v)
{
	uint64_t gpa;

	if (!__atomic_load_n(&v->vm->traps.nexec, __ATOMIC_ACQUIRE))
		return EA_CONTINUE;
	gpa = arch_vcpu_pc_gpa(v);
	if (gpa == ~0ULL || !trap_page_hidden(&v->vm->traps, gpa) ||
	    trap_page_exec_at(&v->vm->traps, gpa))
		return EA_CONTINUE;
	v->ev.map_gpa = gpa & ~(TRAP_PAGE_SIZE - 1);
	return EA_STEP_MAPPED;
}

/*
 * A breakpoint or watchpoint hit of a vCPU running freely: the debugger's
 * filter evaluates its conditions and commands here, before anyone else is
 * asked to stop.  EA_CONTINUE: not a stop after all.
 */
static enum exit_action filter_hit(struct vcpu *v)
{
	struct vm *vm = v->vm;

	if (v->ev.hint == STOP_GUEST_EXIT)
		return EA_DEBUG;
	/* a trapped access finishes first: the condition sees its result */
	if (v->need_completion && vcpu_complete_pending(v))
		kick_pending = true;
	switch (vm->hit_filter(vm->hit_filter_opaque, v)) {
	case HIT_GO:
		v->ev.hint = STOP_NONE;
		return go_on_in_page(v);
	case HIT_STEP_OVER:
		if (vm->ncpus == 1)
			return step_over_here(v);
		v->ev.hint = STOP_STEP_OVER;	/* the event thread steps it, silently */
		return EA_DEBUG;
	default:
		return EA_DEBUG;
	}
}

/* Record why this vCPU stopped on its own, and ask the others to stop. */
static void self_stop_locked(struct vcpu *v, enum vcpu_action act, struct kicks *k)
{
	struct runctl *c = &v->vm->ctl;
	bool stepping = act == VCPU_STEP || act == VCPU_RANGE;

	if (stepping)
		v->stepped = true;
	v->stop.reason = v->ev.hint != STOP_NONE ? v->ev.hint :
			 stepping ? STOP_STEP : STOP_DEBUG;
	v->stop.seq = ++c->stop_seq;
	v->stop.arch = v->ev.arch;
	v->stop.watch_type = v->ev.watch_type;
	v->stop.watch_addr = v->ev.watch_addr;
	v->stop.guest_exit_status = v->ev.end_status;
	v->ev.hint = STOP_NONE;
	request_stop_locked(v->vm, k);	/* all-stop */
}

static void *vcpu_thread(void *arg)
{
	struct vcpu *v = arg;
	struct runctl *c = &v->vm->ctl;

	this_vcpu = v;
	__atomic_store_n(&v->tid, (int)syscall(SYS_gettid), __ATOMIC_RELEASE);
	kick_mask_init(v);

	for (;;) {
		struct debug_change dchange;
		enum vcpu_action act;
		enum exit_action ea;

		ctl_lock(c);
		while (v->action == VCPU_STAY || c->exiting) {
			if (v->need_completion) {
				ctl_unlock(c);
				if (vcpu_complete_pending(v))
					kick_pending = true;
				ctl_lock(c);
				continue;
			}
			if (c->exiting) {
				v->parked = true;
				pthread_cond_broadcast(&c->parked_cond);
				ctl_unlock(c);
				return NULL;
			}
			if (!v->parked) {
				v->parked = true;
				pthread_cond_broadcast(&c->parked_cond);
				maybe_notify_locked(v->vm);
				continue;	/* the lock was dropped: look again */
			}
			ctl_wait(c, &c->run_cond);
		}
		v->parked = false;
		act = v->action;
		v->run->immediate_exit = 0;
		v->sipi_wait = v->maybe_uninit && vcpu_waits_for_sipi(v);
		debug_change_locked(v, act == VCPU_STEP || act == VCPU_RANGE, &dchange);
		ctl_unlock(c);

		/* a kick from now on finds immediate_exit set: taking it is safe */
		consume_kick();
		apply_guest_debug(v, &dchange);
		if (run_gated(v) < 0) {
			vcpu_run_failed(v);
			if (errno == EINTR || errno == EAGAIN) {
				kick_pending = true;
				continue;
			}
			log_err("vCPU %d: KVM_RUN: %s", v->id, strerror(errno));
			ea = exit_end(v, EXIT_INTERNAL, NULL, false);
		} else {
			uint32_t reason = v->run->exit_reason;

			v->need_completion = reason == KVM_EXIT_IO || reason == KVM_EXIT_MMIO;
			ea = vcpu_exit_dispatch(v);
		}
		if (ea == EA_STEP_MAPPED)
			ea = step_mapped(v, act);
		if (v->ev.end)		/* a handler, or a device through vm_request_exit */
			ea = guest_end(v);
		if (v->ev.hint != STOP_NONE)
			ea = EA_DEBUG;
		/* range stepping: a plain step trap inside the range goes on at once */
		if (ea == EA_DEBUG && act == VCPU_RANGE && v->ev.hint == STOP_NONE &&
		    arch_step_in_range(&v->ev.arch, v->range_start, v->range_end)) {
			enum arch_next next = arch_step_next(v, &v->ev.arch);

			/* one the debugger does itself: report this step, inside the range */
			if (next != ARCH_NEXT_STOP) {
				/* one that waits for an interrupt: let them in (arch/x86/step.c) */
				if (next == ARCH_NEXT_WAITS_IRQ && !v->debug_irq) {
					ctl_lock(c);
					v->step_irq = true;	/* until the next resume */
					ctl_unlock(c);
				}
				continue;
			}
		}
		/* a hit hyve goes on past may run on through its page, to another hit */
		while (ea == EA_DEBUG && act == VCPU_RUN && v->vm->hit_filter) {
			ea = filter_hit(v);
			if (ea != EA_STEP_MAPPED)
				break;
			ea = step_mapped(v, act);
			if (v->ev.end)
				ea = guest_end(v);
			else if (v->ev.hint != STOP_NONE)
				ea = EA_DEBUG;
		}
		if (ea == EA_CONTINUE)
			continue;
		struct kicks k = { 0 };

		ctl_lock(c);
		if (ea == EA_DEBUG)
			self_stop_locked(v, act, &k);
		v->action = VCPU_STAY;
		ctl_unlock(c);
		kick_all(&k);
	}
}

int vcpus_start(struct vm *vm)
{
	struct runctl *c = &vm->ctl;
	int r = install_kick_handler();

	if (r)
		return r;
	ctl_lock(c);
	for (int i = 0; i < vm->ncpus; i++)
		vm->vcpus[i]->action = c->start_stopped ? VCPU_STAY : VCPU_RUN;
	ctl_unlock(c);
	for (int i = 0; i < vm->ncpus; i++) {
		struct vcpu *v = vm->vcpus[i];

		r = pthread_create(&v->thread, NULL, vcpu_thread, v);
		if (r)
			return -r;
		ctl_lock(c);
		v->thread_started = true;
		ctl_unlock(c);
	}
	return 0;
}

bool vcpus_pin(struct vm *vm, pthread_t other)
{
	cpu_set_t allowed, one;
	int cpus[CPU_SETSIZE], n = 0;

	if (sched_getaffinity(0, sizeof(allowed), &allowed))
		return false;
	for (int c = 0; c < CPU_SETSIZE; c++)
		if (CPU_ISSET(c, &allowed))
			cpus[n++] = c;
	if (n <= vm->ncpus)
		return false;	/* no spare CPU: pinning would only crowd them */
	CPU_ZERO(&one);
	CPU_SET(cpus[0], &one);
	if (pthread_setaffinity_np(other, sizeof(one), &one))
		return false;
	for (int i = 0; i < vm->ncpus; i++) {
		CPU_ZERO(&one);
		CPU_SET(cpus[1 + i % (n - 1)], &one);
		pthread_setaffinity_np(vm->vcpus[i]->thread, sizeof(one), &one);
	}
	log_debug("pinned the event thread to CPU %d, vCPUs to the other %d", cpus[0], n - 1);
	return true;
}

void vcpus_join(struct vm *vm)
{
	struct runctl *c = &vm->ctl;

	ctl_lock(c);
	c->exiting = true;
	for (int i = 0; i < vm->ncpus; i++)
		if (vm->vcpus[i])
			kick_locked(vm->vcpus[i]);
	pthread_cond_broadcast(&c->run_cond);
	ctl_unlock(c);
	for (int i = 0; i < vm->ncpus; i++) {
		struct vcpu *v = vm->vcpus[i];

		if (v && v->thread_started) {
			pthread_join(v->thread, NULL);
			v->thread_started = false;
		}
	}
}

