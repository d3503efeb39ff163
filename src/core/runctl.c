/*
 * runctl.c -- run control, the controllers' side: stopping, releasing and
 * the all-parked notice, state access while stopped, the end of the
 * machine (see runctl.h).  The vCPU threads' side is vcpu_loop.c.
 */
#include <errno.h>
#include <string.h>
#include <sys/syscall.h>
#include <time.h>
#include <unistd.h>

#include "core/runctl_int.h"
#include "core/vcpu.h"
#include "util.h"

static pid_t self_pid;		/* the process, for tgkill (set by runctl_init) */

void runctl_init(struct vm *vm)
{
	struct runctl *c = &vm->ctl;

	memset(c, 0, sizeof(*c));
	pthread_mutex_init(&c->lock, NULL);
	pthread_cond_init(&c->run_cond, NULL);
	pthread_cond_init(&c->parked_cond, NULL);
	pthread_mutex_init(&c->end_lock, NULL);
	pthread_cond_init(&c->end_cond, NULL);
	c->blockirq = -1;
	self_pid = getpid();
}

void runctl_destroy(struct vm *vm)
{
	struct runctl *c = &vm->ctl;

	pthread_cond_destroy(&c->run_cond);
	pthread_cond_destroy(&c->parked_cond);
	pthread_mutex_destroy(&c->lock);
	pthread_cond_destroy(&c->end_cond);
	pthread_mutex_destroy(&c->end_lock);
}

/* ---- kicks ---- */

/* Is v a thread, not ourself, and not parked? */
static bool kickable_locked(const struct vcpu *v)
{
	assert_locked(&v->vm->ctl);
	return v->thread_started && !v->parked && v != vcpu_current();
}

void want_kick_locked(struct kicks *k, struct vcpu *v)
{
	if (!kickable_locked(v) || v->sipi_wait)
		return;
	k->v[k->n++] = v;
}

/*
 * Without the lock.  immediate_exit covers a thread about to enter KVM_RUN,
 * the signal one inside it; a thread that parked meanwhile keeps a stale
 * immediate_exit, cleared (under the lock) before it next runs.
 */
void kick_all(const struct kicks *k)
{
	for (int i = 0; i < k->n; i++) {
		int tid = __atomic_load_n(&k->v[i]->tid, __ATOMIC_ACQUIRE);

		__atomic_store_n(&k->v[i]->run->immediate_exit, 1, __ATOMIC_SEQ_CST);
		/* tgkill itself: pthread_kill adds two sigprocmask calls around it */
		if (tid <= 0 || syscall(SYS_tgkill, self_pid, tid, SIG_KICK) < 0)
			pthread_kill(k->v[i]->thread, SIG_KICK);
	}
}

void kick_locked(struct vcpu *v)
{
	struct kicks k = { .n = 1, .v = { v } };

	if (kickable_locked(v))
		kick_all(&k);
}

void vcpu_nudge(struct vm *vm, int id)
{
	struct vcpu *v = vm->vcpus[id];
	int tid;

	ctl_lock(&vm->ctl);
	tid = kickable_locked(v) ? __atomic_load_n(&v->tid, __ATOMIC_ACQUIRE) : 0;
	ctl_unlock(&vm->ctl);
	/* outside KVM_RUN the signal stays pending: the next KVM_RUN returns at once */
	if (tid > 0)
		syscall(SYS_tgkill, self_pid, tid, SIG_KICK);
}

/* ---- stopping and releasing ---- */

/*
 * Stopped: parked, or inside a KVM_RUN that cannot run a guest instruction.
 * A vCPU that entered KVM_RUN in KVM's "uninitialized" state (an AP before
 * its INIT/SIPI) only blocks there: the SIPI makes KVM_RUN return EAGAIN, and
 * the thread looks at its action before it enters again.  Such a vCPU is not
 * kicked to stop it -- with many vCPUs before the guest starts them, waking
 * each would cost ~10 us in series -- and it is kicked only when someone
 * wants its state (park_for_state).
 */
static bool stopped_locked(const struct vcpu *v)
{
	assert_locked(&v->vm->ctl);
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

/* Wake the parked threads after a change of actions. */
static void release_locked(struct runctl *c)
{
	assert_locked(c);
	__atomic_store_n(&c->release_gen, c->release_gen + 1, __ATOMIC_RELEASE);
	pthread_cond_broadcast(&c->run_cond);
}

void maybe_notify_locked(struct vm *vm)
{
	struct runctl *c = &vm->ctl;
	void (*fn)(void *);
	void *opaque;

	assert_locked(c);
	if (!c->notify_armed || !c->notify_fn || !all_stopped_locked(vm))
		return;
	c->notify_armed = false;
	__atomic_store_n(&c->notified_gen, c->release_gen, __ATOMIC_RELEASE);
	fn = c->notify_fn;
	opaque = c->notify_opaque;
	ctl_unlock(c);
	fn(opaque);
	ctl_lock(c);
}

void request_stop_locked(struct vm *vm, struct kicks *k)
{
	for (int i = 0; i < vm->ncpus; i++) {
		vm->vcpus[i]->action = VCPU_STAY;
		want_kick_locked(k, vm->vcpus[i]);
	}
	vm->ctl.notify_armed = true;
}

/* ---- the end of the machine ---- */

void vm_force_exit(struct vm *vm, int status, const char *why)
{
	struct runctl *c = &vm->ctl;

	pthread_mutex_lock(&c->end_lock);
	if (!c->done) {
		c->done = true;
		c->exit_status = status;
		if (why)
			log_info("%s (exit status %d)", why, status);
		pthread_cond_broadcast(&c->end_cond);
	}
	pthread_mutex_unlock(&c->end_lock);
}

int vm_wait(struct vm *vm)
{
	struct runctl *c = &vm->ctl;
	int status;

	pthread_mutex_lock(&c->end_lock);
	while (!c->done)
		pthread_cond_wait(&c->end_cond, &c->end_lock);
	status = c->exit_status;
	pthread_mutex_unlock(&c->end_lock);
	return status;
}

int vm_exit_status(struct vm *vm)
{
	struct runctl *c = &vm->ctl;
	int status;

	pthread_mutex_lock(&c->end_lock);
	status = c->done ? c->exit_status : -1;
	pthread_mutex_unlock(&c->end_lock);
	return status;
}

/* ---- run control ---- */

void vcpu_ctl_init_stopped(struct vm *vm)
{
	vm->ctl.start_stopped = true;
}

bool vcpu_stop_notice_current(struct vm *vm)
{
	return __atomic_load_n(&vm->ctl.notified_gen, __ATOMIC_ACQUIRE) ==
	       __atomic_load_n(&vm->ctl.release_gen, __ATOMIC_ACQUIRE);
}

bool vcpu_all_parked(struct vm *vm)
{
	bool r;

	ctl_lock(&vm->ctl);
	r = all_stopped_locked(vm);
	ctl_unlock(&vm->ctl);
	return r;
}

int vcpu_stop_all(struct vm *vm)
{
	struct runctl *c = &vm->ctl;
	struct kicks k = { 0 };

	ctl_lock(c);
	for (int i = 0; i < vm->ncpus; i++) {
		vm->vcpus[i]->action = VCPU_STAY;
		want_kick_locked(&k, vm->vcpus[i]);
	}
	ctl_unlock(c);
	kick_all(&k);
	ctl_lock(c);
	while (!all_stopped_locked(vm) && !c->exiting)
		ctl_wait(c, &c->parked_cond);
	ctl_unlock(c);
	return 0;
}

void vcpu_set_stop_notify(struct vm *vm, void (*fn)(void *opaque), void *opaque)
{
	struct runctl *c = &vm->ctl;

	ctl_lock(c);
	c->notify_fn = fn;
	c->notify_opaque = opaque;
	c->notify_armed = false;
	ctl_unlock(c);
}

int vcpu_request_stop_all(struct vm *vm)
{
	struct kicks k = { 0 };

	ctl_lock(&vm->ctl);
	request_stop_locked(vm, &k);
	maybe_notify_locked(vm);	/* already parked: notify now */
	ctl_unlock(&vm->ctl);
	kick_all(&k);
	return 0;
}

int vcpu_resume(struct vm *vm, const enum vcpu_action *actions)
{
	struct runctl *c = &vm->ctl;

	ctl_lock(c);
	for (int i = 0; i < vm->ncpus; i++) {
		struct vcpu *v = vm->vcpus[i];

		v->action = actions[i];
		/* every stop is reported once: forget them all (a vCPU that was at a
		 * breakpoint re-executes it and stops again if it is still there) */
		v->stepped = false;
		v->stop.reason = STOP_NONE;
	}
	c->notify_armed = false;
	release_locked(c);
	ctl_unlock(c);
	return 0;
}

void vcpu_report_only(struct vm *vm, int id, const struct vcpu_stop *stop)
{
	ctl_lock(&vm->ctl);
	for (int i = 0; i < vm->ncpus; i++) {
		vm->vcpus[i]->stop.reason = STOP_NONE;
		vm->vcpus[i]->stepped = false;
	}
	vm->vcpus[id]->stop = *stop;
	ctl_unlock(&vm->ctl);
}

void vcpu_set_range(struct vm *vm, int id, uint64_t start, uint64_t end)
{
	ctl_lock(&vm->ctl);
	vm->vcpus[id]->range_start = start;
	vm->vcpus[id]->range_end = end;
	ctl_unlock(&vm->ctl);
}

void vcpu_set_step_irq(struct vm *vm, bool on)
{
	ctl_lock(&vm->ctl);
	vm->ctl.step_irq = on;
	vm->ctl.debug_gen++;		/* re-apply: BLOCKIRQ changes */
	ctl_unlock(&vm->ctl);
}

void vcpu_set_step_irq_one(struct vm *vm, int id, bool on)
{
	ctl_lock(&vm->ctl);
	vm->vcpus[id]->step_irq = on;
	ctl_unlock(&vm->ctl);
}

void vcpu_set_debug(struct vm *vm, const struct kvm_guest_debug *dbg)
{
	struct runctl *c = &vm->ctl;

	ctl_lock(c);
	/* unchanged settings cost no ioctl at the next run */
	if (memcmp(&c->debug_wanted, dbg, sizeof(*dbg))) {
		c->debug_wanted = *dbg;
		c->debug_gen++;
	}
	ctl_unlock(c);
}

int vcpu_resume_all(struct vm *vm)
{
	ctl_lock(&vm->ctl);
	for (int i = 0; i < vm->ncpus; i++) {
		vm->vcpus[i]->action = VCPU_RUN;
		vm->vcpus[i]->stepped = false;
	}
	release_locked(&vm->ctl);
	ctl_unlock(&vm->ctl);
	return 0;
}

int vcpu_run_one(struct vm *vm, int id, enum vcpu_action action)
{
	if (id < 0 || id >= vm->ncpus)
		return -EINVAL;
	ctl_lock(&vm->ctl);
	vm->vcpus[id]->action = action;
	vm->vcpus[id]->stepped = false;
	release_locked(&vm->ctl);
	ctl_unlock(&vm->ctl);
	return 0;
}

int vcpu_wait_parked(struct vm *vm, int timeout_ms)
{
	struct runctl *c = &vm->ctl;
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
	ctl_lock(c);
	while (!all_stopped_locked(vm) && !c->exiting && r == 0) {
		if (timeout_ms < 0)
			ctl_wait(c, &c->parked_cond);
		else
			r = ctl_timedwait(c, &c->parked_cond, &ts);
	}
	if (r == 0 && !all_stopped_locked(vm))
		r = EINTR;
	ctl_unlock(c);
	return r == ETIMEDOUT ? -ETIMEDOUT : -r;
}

/* Parked, so that its state may be accessed: one waiting for its SIPI is kicked. */
static bool park_for_state(struct vcpu *v)
{
	struct runctl *c = &v->vm->ctl;
	struct timespec ts;
	bool p;

	ctl_lock(c);
	if (v->thread_started && !v->parked && v->sipi_wait && v->action == VCPU_STAY) {
		kick_locked(v);
		clock_gettime(CLOCK_REALTIME, &ts);
		ts.tv_sec += 1;
		while (!v->parked && !c->exiting && !ctl_timedwait(c, &c->parked_cond, &ts))
			;
	}
	p = !v->thread_started || (v->parked && v->action == VCPU_STAY);
	ctl_unlock(c);
	return p;
}

int vcpu_park_all_for_state(struct vm *vm)
{
	if (!vcpu_all_parked(vm))
		return -EBUSY;
	for (int i = 0; i < vm->ncpus; i++)
		if (!park_for_state(vm->vcpus[i]))
			return -EBUSY;
	return 0;
}

int vcpu_get_state_parts(struct vcpu *v, struct vcpu_state *st, unsigned parts)
{
	if (!park_for_state(v))
		return -EBUSY;
	return arch_state_get(v, st, parts);
}

int vcpu_get_state(struct vcpu *v, struct vcpu_state *st)
{
	memset(st, 0, sizeof(*st));
	return vcpu_get_state_parts(v, st, VS_ALL);
}

int vcpu_set_state(struct vcpu *v, const struct vcpu_state *st)
{
	unsigned parts = st->parts ? st->parts : VS_ALL;

	if (!park_for_state(v))
		return -EBUSY;
	if (parts & VS_EXTRA)
		v->maybe_uninit = true;	/* parked: the thread asks KVM again */
	return arch_state_set(v, st);
}
