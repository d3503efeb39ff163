/*
 * vcpu.c -- vCPU threads and run control.
 *
 * Each vCPU thread loops: wait until its action says run, KVM_RUN, dispatch the
 * exit through the exit table (vcpu_exit.c).  Another thread stops a vCPU by
 * setting its action to VCPU_STAY and kicking it: `immediate_exit` covers the
 * window before KVM_RUN, a signal (SIG_KICK, no-op handler) the time inside.
 * An AP still waiting for its INIT/SIPI inside KVM_RUN is stopped already
 * and is not kicked unless its state is wanted (stopped_locked).
 * Nothing polls: parked vCPUs and waiting controllers sleep on condvars.
 */
#include <assert.h>
#include <errno.h>
#include <sched.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <sys/syscall.h>
#include <time.h>
#include <unistd.h>

#include "arch/x86/cpuid.h"
#include "util.h"
#include "core/vcpu.h"
#include "core/exit.h"
#include "core/vm.h"
#include "arch/x86/x86_vcpu.h"

#define SIG_KICK	SIGUSR1
#define MSR_KERNEL_GS_BASE 0xc0000102

/*
 * ctl_lock guards every vcpu's parked/action/stepped/need_completion and
 * `exiting`.  vCPU threads wait on run_cond; controllers wait on parked_cond.
 */
static pthread_mutex_t ctl_lock = PTHREAD_MUTEX_INITIALIZER;
static pthread_cond_t run_cond = PTHREAD_COND_INITIALIZER;
static pthread_cond_t parked_cond = PTHREAD_COND_INITIALIZER;
static bool exiting;
static bool start_stopped;
static uint64_t stop_seq;
/* The all-parked notification (armed by stop requests and self-stops). */
static void (*notify_fn)(void *opaque);
static void *notify_opaque;
static bool notify_armed;
/* Releases of parked vCPUs so far, and the count when the last notice fired
 * (written under ctl_lock, read without it). */
static uint64_t release_gen, notified_gen;
static int blockirq_supported = -1;	/* vCPU threads only; idempotent probe */
static bool step_irq;		/* interrupts allowed during steps */
static struct kvm_guest_debug debug_wanted;	/* the debug server's settings */
static uint64_t debug_gen;	/* bumped on every change of debug_wanted */


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

int vcpu_create(struct vm *vm, int id, struct vcpu **out)
{
	struct vcpu *v = calloc(1, sizeof(*v));
	int r;

	if (!v)
		return -ENOMEM;
	v->vm = vm;
	v->id = id;
	v->action = VCPU_RUN;
	v->maybe_uninit = true;
	v->fd = ioctl(vm->vm_fd, KVM_CREATE_VCPU, id);
	if (v->fd < 0) {
		r = -errno;
		free(v);
		return r;
	}
	v->run = mmap(NULL, (size_t)vm->run_size, PROT_READ | PROT_WRITE, MAP_SHARED, v->fd, 0);
	if (v->run == MAP_FAILED) {
		r = -errno;
		close(v->fd);
		free(v);
		return r;
	}
	r = cpuid_set_vcpu(vm, v->fd, id);
	if (!r)
		r = x86_vcpu_init(v);
	if (r) {
		vcpu_destroy(v);
		return r;
	}
	*out = v;
	return 0;
}

void vcpu_destroy(struct vcpu *v)
{
	if (v->run && v->run != MAP_FAILED)
		munmap(v->run, (size_t)v->vm->run_size);
	if (v->fd >= 0)
		close(v->fd);
	free(v);
}

/*
 * vCPUs to kick, collected under ctl_lock and kicked after it is dropped: a
 * kicked thread leaves KVM_RUN and wants the lock at once.
 */
struct kicks {
	int n;
	struct vcpu *v[VM_MAX_CPUS];
};

static __thread struct vcpu *this_vcpu;
/*
 * SIG_KICK is blocked in the vCPU threads and unblocked only inside KVM_RUN
 * (KVM_SET_SIGNAL_MASK): a kick makes KVM_RUN return EINTR and stays
 * pending, with no handler to run on the way to parking; it is taken with
 * sigtimedwait before the next KVM_RUN, off the stop's path.
 */
static __thread bool kick_pending;
static pid_t self_pid;		/* set before the threads start */

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

/* Caller holds ctl_lock: is v a thread, not ourself, and not parked? */
static bool kickable(const struct vcpu *v)
{
	return v->thread_started && !v->parked && v != this_vcpu;
}

/*
 * Caller holds ctl_lock: note v for kick_all unless it is parked, waiting for
 * its SIPI (see stopped_locked) or ourself.
 */
static void want_kick(struct kicks *k, struct vcpu *v)
{
	if (!kickable(v) || v->sipi_wait)
		return;
	k->v[k->n++] = v;
}

/*
 * Without ctl_lock.  immediate_exit covers a thread about to enter KVM_RUN,
 * the signal one inside it; a thread that parked meanwhile keeps a stale
 * immediate_exit, cleared (under the lock) before it next runs.
 */
static void kick_all(const struct kicks *k)
{
	for (int i = 0; i < k->n; i++) {
		int tid = __atomic_load_n(&k->v[i]->tid, __ATOMIC_ACQUIRE);

		__atomic_store_n(&k->v[i]->run->immediate_exit, 1, __ATOMIC_SEQ_CST);
		/* tgkill itself: pthread_kill adds two sigprocmask calls around it */
		if (tid <= 0 || syscall(SYS_tgkill, self_pid, tid, SIG_KICK) < 0)
			pthread_kill(k->v[i]->thread, SIG_KICK);
	}
}

struct vcpu *vcpu_current(void)
{
	return this_vcpu;
}

/* Caller holds ctl_lock: kick v even if it waits for its SIPI. */
static void kick(struct vcpu *v)
{
	struct kicks k = { .n = 1, .v = { v } };

	if (kickable(v))
		kick_all(&k);
}

/*
 * Bring this vCPU's KVM_SET_GUEST_DEBUG up to date (vCPU thread only).  The
 * wanted settings are copied under ctl_lock; the ioctl runs without it.
 */
/*
 * What this vCPU's KVM_SET_GUEST_DEBUG should become, if anything changed:
 * copied under ctl_lock (which the caller holds), applied without it by
 * apply_guest_debug.  The run loop copies in the section it locks anyway, so
 * an unchanged setting costs neither a lock nor an ioctl per KVM_RUN.
 */
struct debug_change {
	bool needed, step, irq;
	uint64_t gen;
	struct kvm_guest_debug dbg;
};

static void debug_change_locked(const struct vcpu *v, bool step, struct debug_change *d)
{
	d->needed = debug_gen != v->debug_gen || step != v->debug_stepping;
	if (!d->needed)
		return;
	d->step = step;
	d->irq = step_irq;
	d->gen = debug_gen;
	d->dbg = debug_wanted;
}

/* vCPU thread only, without ctl_lock. */
static void apply_guest_debug(struct vcpu *v, struct debug_change *d)
{
	if (!d->needed)
		return;
	if (d->step) {
		d->dbg.control |= KVM_GUESTDBG_ENABLE | KVM_GUESTDBG_SINGLESTEP;
		if (blockirq_supported < 0) {
			int caps = ioctl(v->vm->kvm_fd, KVM_CHECK_EXTENSION,
					 KVM_CAP_SET_GUEST_DEBUG2);

			blockirq_supported = caps > 0 && (caps & KVM_GUESTDBG_BLOCKIRQ);
		}
		if (blockirq_supported && !d->irq)
			d->dbg.control |= KVM_GUESTDBG_BLOCKIRQ;
	}
	log_debug("vCPU %d: guest debug control 0x%x dr7 0x%llx", v->id, d->dbg.control,
		  (unsigned long long)d->dbg.arch.debugreg[7]);
	if (ioctl(v->fd, KVM_SET_GUEST_DEBUG, &d->dbg) < 0)
		log_err("vCPU %d: KVM_SET_GUEST_DEBUG: %s", v->id, strerror(errno));
	v->debug_gen = d->gen;
	v->debug_stepping = d->step;
}

/*
 * An I/O or MMIO exit is only finished by the next KVM_RUN; before a vCPU parks
 * (and someone reads its state) re-enter once with immediate_exit set, which
 * completes the instruction without running another.
 */
static void complete_pending(struct vcpu *v)
{
	/*
	 * Completing may itself exit again (the write half of a read-modify-write
	 * on a trapped page, string I/O): serve those too, but a stop is already
	 * under way, so a second watchpoint hit is not reported.
	 */
	for (int i = 0; i < 64; i++) {
		uint32_t reason;

		v->run->immediate_exit = 1;
		if (ioctl(v->fd, KVM_RUN, 0) < 0) {
			kick_pending = true;
			if (errno != EINTR && errno != EAGAIN)
				log_err("vCPU %d: completing I/O: %s", v->id, strerror(errno));
			break;
		}
		reason = v->run->exit_reason;
		if (reason != KVM_EXIT_IO && reason != KVM_EXIT_MMIO) {
			vcpu_exit_dispatch(v);
			break;
		}
		enum vcpu_stop_reason keep = v->exit_reason_hint;
		int wtype = v->watch_type;
		uint64_t waddr = v->watch_addr;

		vcpu_exit_dispatch(v);
		v->exit_reason_hint = keep;
		v->watch_type = wtype;
		v->watch_addr = waddr;
	}
	v->run->immediate_exit = 0;
	v->need_completion = false;
}

static bool all_stopped_locked(struct vm *vm);

/* Caller holds ctl_lock: wake the parked threads after a change of actions. */
static void release_locked(void)
{
	__atomic_store_n(&release_gen, release_gen + 1, __ATOMIC_RELEASE);
	pthread_cond_broadcast(&run_cond);
}

/*
 * Caller holds ctl_lock.  Fires the armed notification if everything is parked;
 * drops and retakes the lock around the callback.
 */
static void maybe_notify_locked(struct vm *vm)
{
	void (*fn)(void *);
	void *opaque;

	if (!notify_armed || !notify_fn || !all_stopped_locked(vm))
		return;
	notify_armed = false;
	__atomic_store_n(&notified_gen, release_gen, __ATOMIC_RELEASE);
	fn = notify_fn;
	opaque = notify_opaque;
	pthread_mutex_unlock(&ctl_lock);
	fn(opaque);
	pthread_mutex_lock(&ctl_lock);
}

/*
 * Caller holds ctl_lock: ask every vCPU to park and arm the notification;
 * the caller kicks `k` once it has dropped the lock.
 */
static void request_stop_locked(struct vm *vm, struct kicks *k)
{
	for (int i = 0; i < vm->ncpus; i++) {
		vm->vcpus[i]->action = VCPU_STAY;
		want_kick(k, vm->vcpus[i]);
	}
	notify_armed = true;
}

int vcpu_step_here(struct vcpu *v)
{
	struct debug_change d;
	int r = -EIO;

	pthread_mutex_lock(&ctl_lock);
	debug_change_locked(v, true, &d);
	pthread_mutex_unlock(&ctl_lock);
	apply_guest_debug(v, &d);
	for (int i = 0; i < 64; i++) {
		enum vcpu_stop_reason hint = v->exit_reason_hint;

		if (ioctl(v->fd, KVM_RUN, 0) < 0) {
			if (errno == EINTR || errno == EAGAIN) {
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
			v->exit_reason_hint = hint;
	}
	v->debug_gen = ~0ULL;		/* back to the normal settings at the next run */
	return r;
}

/*
 * vCPU thread, before KVM_RUN: is this vCPU in KVM's "uninitialized" state (an
 * AP before its INIT/SIPI)?  Asked until the answer is no; a state write (a
 * reset) makes it ask again.  KVM_GET_MP_STATE also takes pending INIT/SIPI
 * events, so the answer holds until the next KVM_RUN takes more.
 */
static bool waits_for_sipi(struct vcpu *v)
{
	struct kvm_mp_state mp;

	if (ioctl(v->fd, KVM_GET_MP_STATE, &mp) < 0 || mp.mp_state != KVM_MP_STATE_UNINITIALIZED) {
		v->maybe_uninit = false;
		return false;
	}
	return true;
}

static void *vcpu_thread(void *arg)
{
	struct vcpu *v = arg;

	this_vcpu = v;
	__atomic_store_n(&v->tid, (int)syscall(SYS_gettid), __ATOMIC_RELEASE);
	kick_mask_init(v);

	for (;;) {
		struct debug_change dchange;
		enum vcpu_action act;
		enum exit_action ea;

		pthread_mutex_lock(&ctl_lock);
		while (v->action == VCPU_STAY || exiting) {
			if (v->need_completion) {
				pthread_mutex_unlock(&ctl_lock);
				complete_pending(v);
				pthread_mutex_lock(&ctl_lock);
				continue;
			}
			if (exiting) {
				v->parked = true;
				pthread_cond_broadcast(&parked_cond);
				pthread_mutex_unlock(&ctl_lock);
				return NULL;
			}
			if (!v->parked) {
				v->parked = true;
				pthread_cond_broadcast(&parked_cond);
				maybe_notify_locked(v->vm);
				continue;	/* the lock was dropped: look again */
			}
			pthread_cond_wait(&run_cond, &ctl_lock);
		}
		v->parked = false;
		act = v->action;
		v->run->immediate_exit = 0;
		v->sipi_wait = v->maybe_uninit && waits_for_sipi(v);
		debug_change_locked(v, act == VCPU_STEP || act == VCPU_RANGE, &dchange);
		pthread_mutex_unlock(&ctl_lock);

		/* a kick from now on finds immediate_exit set: taking it is safe */
		consume_kick();
		apply_guest_debug(v, &dchange);
		if (ioctl(v->fd, KVM_RUN, 0) < 0) {
			if (errno == EINTR || errno == EAGAIN) {
				kick_pending = true;
				continue;
			}
			log_err("vCPU %d: KVM_RUN: %s", v->id, strerror(errno));
			vm_request_exit(v->vm, EXIT_INTERNAL, NULL);
			ea = EA_STOP;
		} else {
			uint32_t reason = v->run->exit_reason;

			v->need_completion = reason == KVM_EXIT_IO || reason == KVM_EXIT_MMIO;
			ea = vcpu_exit_dispatch(v);
		}
		/* a handler kept the machine for the debugger (guest_exit_hook) */
		if (v->exit_reason_hint != STOP_NONE)
			ea = EA_DEBUG;
		/* range stepping: a plain step trap inside the range goes on at once */
		if (ea == EA_DEBUG && act == VCPU_RANGE && v->exit_reason_hint == STOP_NONE &&
		    v->debug_arch.exception == 1 && (v->debug_arch.dr6 & (1u << 14)) &&
		    v->debug_arch.pc >= v->range_start && v->debug_arch.pc < v->range_end)
			continue;
		if (ea == EA_CONTINUE)
			continue;
		struct kicks k = { 0 };

		pthread_mutex_lock(&ctl_lock);
		if (ea == EA_DEBUG) {
			if (act == VCPU_STEP || act == VCPU_RANGE)
				v->stepped = true;
			v->stop_reason = v->exit_reason_hint != STOP_NONE ? v->exit_reason_hint :
					 act == VCPU_STEP || act == VCPU_RANGE ? STOP_STEP :
					 STOP_DEBUG;
			v->exit_reason_hint = STOP_NONE;
			v->stop_seq = ++stop_seq;
			request_stop_locked(v->vm, &k);	/* all-stop */
		}
		v->action = VCPU_STAY;
		pthread_mutex_unlock(&ctl_lock);
		kick_all(&k);
	}
}

int vcpus_start(struct vm *vm)
{
	int r = install_kick_handler();

	if (r)
		return r;
	self_pid = getpid();
	pthread_mutex_lock(&ctl_lock);
	for (int i = 0; i < vm->ncpus; i++)
		vm->vcpus[i]->action = start_stopped ? VCPU_STAY : VCPU_RUN;
	pthread_mutex_unlock(&ctl_lock);
	for (int i = 0; i < vm->ncpus; i++) {
		struct vcpu *v = vm->vcpus[i];

		r = pthread_create(&v->thread, NULL, vcpu_thread, v);
		if (r)
			return -r;
		pthread_mutex_lock(&ctl_lock);
		v->thread_started = true;
		pthread_mutex_unlock(&ctl_lock);
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
	pthread_mutex_lock(&ctl_lock);
	exiting = true;
	for (int i = 0; i < vm->ncpus; i++)
		if (vm->vcpus[i])
			kick(vm->vcpus[i]);
	pthread_cond_broadcast(&run_cond);
	pthread_mutex_unlock(&ctl_lock);
	for (int i = 0; i < vm->ncpus; i++) {
		struct vcpu *v = vm->vcpus[i];

		if (v && v->thread_started) {
			pthread_join(v->thread, NULL);
			v->thread_started = false;
		}
	}
}

void vcpu_ctl_init_stopped(struct vm *vm)
{
	(void)vm;
	start_stopped = true;
}

/*
 * Caller holds ctl_lock.  Stopped: parked, or inside a KVM_RUN that cannot run
 * a guest instruction.  A vCPU that entered KVM_RUN in KVM's "uninitialized"
 * state (an AP before its INIT/SIPI) only blocks there: the SIPI makes KVM_RUN
 * return EAGAIN, and the thread looks at its action before it enters again.
 * Such a vCPU is not kicked to stop it -- with many vCPUs before the guest
 * starts them, waking each would cost ~10 us in series -- and it is kicked
 * only when someone wants its state (is_parked).
 */
static bool stopped_locked(const struct vcpu *v)
{
	return !v->thread_started ||
	       ((v->parked || v->sipi_wait) && v->action == VCPU_STAY);
}

static bool all_stopped_locked(struct vm *vm)
{
	for (int i = 0; i < vm->ncpus; i++)
		if (!stopped_locked(vm->vcpus[i]))
			return false;
	return true;
}

bool vcpu_stop_notice_current(struct vm *vm)
{
	(void)vm;
	return __atomic_load_n(&notified_gen, __ATOMIC_ACQUIRE) ==
	       __atomic_load_n(&release_gen, __ATOMIC_ACQUIRE);
}

bool vcpu_all_parked(struct vm *vm)
{
	bool r;

	pthread_mutex_lock(&ctl_lock);
	r = all_stopped_locked(vm);
	pthread_mutex_unlock(&ctl_lock);
	return r;
}

int vcpu_stop_all(struct vm *vm)
{
	struct kicks k = { 0 };

	pthread_mutex_lock(&ctl_lock);
	for (int i = 0; i < vm->ncpus; i++) {
		vm->vcpus[i]->action = VCPU_STAY;
		want_kick(&k, vm->vcpus[i]);
	}
	pthread_mutex_unlock(&ctl_lock);
	kick_all(&k);
	pthread_mutex_lock(&ctl_lock);
	while (!all_stopped_locked(vm) && !exiting)
		pthread_cond_wait(&parked_cond, &ctl_lock);
	pthread_mutex_unlock(&ctl_lock);
	return 0;
}

void vcpu_set_stop_notify(struct vm *vm, void (*fn)(void *opaque), void *opaque)
{
	pthread_mutex_lock(&ctl_lock);
	notify_fn = fn;
	notify_opaque = opaque;
	notify_armed = false;
	pthread_mutex_unlock(&ctl_lock);
}

int vcpu_request_stop_all(struct vm *vm)
{
	struct kicks k = { 0 };

	pthread_mutex_lock(&ctl_lock);
	request_stop_locked(vm, &k);
	maybe_notify_locked(vm);	/* already parked: notify now */
	pthread_mutex_unlock(&ctl_lock);
	kick_all(&k);
	return 0;
}

int vcpu_resume(struct vm *vm, const enum vcpu_action *actions)
{
	pthread_mutex_lock(&ctl_lock);
	for (int i = 0; i < vm->ncpus; i++) {
		struct vcpu *v = vm->vcpus[i];

		v->action = actions[i];
		/* every stop is reported once: forget them all (a vCPU that was at a
		 * breakpoint re-executes it and stops again if it is still there) */
		v->stepped = false;
		v->stop_reason = STOP_NONE;
	}
	notify_armed = false;
	release_locked();
	pthread_mutex_unlock(&ctl_lock);
	return 0;
}

void vcpu_report_only(struct vm *vm, int id, enum vcpu_stop_reason reason, uint64_t seq,
		      const struct kvm_debug_exit_arch *arch)
{
	pthread_mutex_lock(&ctl_lock);
	for (int i = 0; i < vm->ncpus; i++) {
		vm->vcpus[i]->stop_reason = STOP_NONE;
		vm->vcpus[i]->stepped = false;
	}
	vm->vcpus[id]->stop_reason = reason;
	vm->vcpus[id]->stop_seq = seq;
	vm->vcpus[id]->debug_arch = *arch;
	pthread_mutex_unlock(&ctl_lock);
}

void vcpu_set_range(struct vm *vm, int id, uint64_t start, uint64_t end)
{
	pthread_mutex_lock(&ctl_lock);
	vm->vcpus[id]->range_start = start;
	vm->vcpus[id]->range_end = end;
	pthread_mutex_unlock(&ctl_lock);
}

void vcpu_set_step_irq(struct vm *vm, bool on)
{
	(void)vm;
	pthread_mutex_lock(&ctl_lock);
	step_irq = on;
	debug_gen++;		/* re-apply: BLOCKIRQ changes */
	pthread_mutex_unlock(&ctl_lock);
}

void vcpu_set_debug(struct vm *vm, const struct kvm_guest_debug *dbg)
{
	(void)vm;
	pthread_mutex_lock(&ctl_lock);
	/* unchanged settings cost no ioctl at the next run */
	if (memcmp(&debug_wanted, dbg, sizeof(*dbg))) {
		debug_wanted = *dbg;
		debug_gen++;
	}
	pthread_mutex_unlock(&ctl_lock);
}

int vcpu_resume_all(struct vm *vm)
{
	pthread_mutex_lock(&ctl_lock);
	for (int i = 0; i < vm->ncpus; i++) {
		vm->vcpus[i]->action = VCPU_RUN;
		vm->vcpus[i]->stepped = false;
	}
	release_locked();
	pthread_mutex_unlock(&ctl_lock);
	return 0;
}

int vcpu_run_one(struct vm *vm, int id, enum vcpu_action action)
{
	if (id < 0 || id >= vm->ncpus)
		return -EINVAL;
	pthread_mutex_lock(&ctl_lock);
	vm->vcpus[id]->action = action;
	vm->vcpus[id]->stepped = false;
	release_locked();
	pthread_mutex_unlock(&ctl_lock);
	return 0;
}

int vcpu_wait_parked(struct vm *vm, int timeout_ms)
{
	struct timespec ts;
	int r = 0;

	clock_gettime(CLOCK_REALTIME, &ts);
	if (timeout_ms >= 0) {
		ts.tv_sec += timeout_ms / 1000;
		ts.tv_nsec += (long)(timeout_ms % 1000) * 1000000L;
		if (ts.tv_nsec >= 1000000000L) {
			ts.tv_sec++;
			ts.tv_nsec -= 1000000000L;
		}
	}
	pthread_mutex_lock(&ctl_lock);
	while (!all_stopped_locked(vm) && !exiting && r == 0) {
		if (timeout_ms < 0)
			pthread_cond_wait(&parked_cond, &ctl_lock);
		else
			r = pthread_cond_timedwait(&parked_cond, &ctl_lock, &ts);
	}
	if (r == 0 && !all_stopped_locked(vm))
		r = EINTR;
	pthread_mutex_unlock(&ctl_lock);
	return r == ETIMEDOUT ? -ETIMEDOUT : -r;
}

/* Parked, so that its state may be accessed: one waiting for its SIPI is kicked. */
static bool is_parked(struct vcpu *v)
{
	struct timespec ts;
	bool p;

	pthread_mutex_lock(&ctl_lock);
	if (v->thread_started && !v->parked && v->sipi_wait && v->action == VCPU_STAY) {
		kick(v);
		clock_gettime(CLOCK_REALTIME, &ts);
		ts.tv_sec += 1;
		while (!v->parked && !exiting &&
		       !pthread_cond_timedwait(&parked_cond, &ctl_lock, &ts))
			;
	}
	p = !v->thread_started || (v->parked && v->action == VCPU_STAY);
	pthread_mutex_unlock(&ctl_lock);
	return p;
}

int vcpu_get_state_parts(struct vcpu *v, struct vcpu_state *st, unsigned parts)
{
	struct {
		struct kvm_msrs h;
		struct kvm_msr_entry e[1];
	} msrs = { .h.nmsrs = 1, .e[0].index = MSR_KERNEL_GS_BASE };

	if (!is_parked(v))
		return -EBUSY;
	if ((parts & VS_CORE) &&
	    (ioctl(v->fd, KVM_GET_REGS, &st->regs) < 0 ||
	     ioctl(v->fd, KVM_GET_SREGS, &st->sregs) < 0 ||
	     ioctl(v->fd, KVM_GET_FPU, &st->fpu) < 0))
		return -errno;
	if ((parts & VS_CORE) && ioctl(v->fd, KVM_GET_MSRS, &msrs) == 1)
		st->kernel_gs_base = msrs.e[0].data;
	if ((parts & VS_EXTRA) &&
	    (ioctl(v->fd, KVM_GET_DEBUGREGS, &st->dregs) < 0 ||
	     ioctl(v->fd, KVM_GET_VCPU_EVENTS, &st->events) < 0 ||
	     ioctl(v->fd, KVM_GET_MP_STATE, &st->mp) < 0))
		return -errno;
	st->parts |= parts;
	return 0;
}

int vcpu_get_state(struct vcpu *v, struct vcpu_state *st)
{
	memset(st, 0, sizeof(*st));
	return vcpu_get_state_parts(v, st, VS_ALL);
}

int vcpu_set_state(struct vcpu *v, const struct vcpu_state *st)
{
	struct {
		struct kvm_msrs h;
		struct kvm_msr_entry e[1];
	} msrs = { .h.nmsrs = 1, .e[0] = { .index = MSR_KERNEL_GS_BASE,
					   .data = st->kernel_gs_base } };

	unsigned parts = st->parts ? st->parts : VS_ALL;

	if (!is_parked(v))
		return -EBUSY;
	if ((parts & VS_CORE) &&
	    (ioctl(v->fd, KVM_SET_SREGS, &st->sregs) < 0 ||
	     ioctl(v->fd, KVM_SET_REGS, &st->regs) < 0 ||
	     ioctl(v->fd, KVM_SET_FPU, &st->fpu) < 0))
		return -errno;
	if (parts & VS_EXTRA)
		v->maybe_uninit = true;	/* parked: the thread asks KVM again */
	if ((parts & VS_EXTRA) &&
	    (ioctl(v->fd, KVM_SET_DEBUGREGS, &st->dregs) < 0 ||
	     ioctl(v->fd, KVM_SET_MP_STATE, &st->mp) < 0))
		return -errno;
	if ((parts & VS_CORE) && ioctl(v->fd, KVM_SET_MSRS, &msrs) != 1)
		return -EIO;
	return 0;
}
