/*
 * runctl_int.h -- what the two halves of run control share (not for other
 * modules): runctl.c (the controllers' side: stop, release, notify, state
 * access) and vcpu_loop.c (the vCPU threads' side).
 */
#ifndef HYVE_RUNCTL_INT_H
#define HYVE_RUNCTL_INT_H

#include <assert.h>
#include <pthread.h>
#include <signal.h>
#include <stdbool.h>
#include <time.h>

#include "core/runctl.h"
#include "core/vm.h"

/* The signal that kicks a vCPU thread out of KVM_RUN. */
#define SIG_KICK	SIGUSR1

/* ---- the lock, with an owner so that helpers can assert it is held ---- */

static inline void ctl_lock(struct runctl *c)
{
	pthread_mutex_lock(&c->lock);
	c->owner = pthread_self();
	c->owned = true;
}

static inline void ctl_unlock(struct runctl *c)
{
	c->owned = false;
	pthread_mutex_unlock(&c->lock);
}

/* pthread_cond_wait drops the lock inside: so does our owner record. */
static inline void ctl_wait(struct runctl *c, pthread_cond_t *cond)
{
	c->owned = false;
	pthread_cond_wait(cond, &c->lock);
	c->owner = pthread_self();
	c->owned = true;
}

/* The same with a deadline; pthread_cond_timedwait's return. */
static inline int ctl_timedwait(struct runctl *c, pthread_cond_t *cond, const struct timespec *ts)
{
	int r;

	c->owned = false;
	r = pthread_cond_timedwait(cond, &c->lock, ts);
	c->owner = pthread_self();
	c->owned = true;
	return r;
}

#define assert_locked(c) assert((c)->owned && pthread_equal((c)->owner, pthread_self()))


/*
 * vCPUs to kick, collected under the lock and kicked after it is dropped: a
 * kicked thread leaves KVM_RUN and wants the lock at once.
 */
struct kicks {
	int n;
	struct vcpu *v[VM_MAX_CPUS];
};

/* Note v for kick_all unless it is parked, waiting for its SIPI, or ourself. */
void want_kick_locked(struct kicks *k, struct vcpu *v);
/* Kick v even if it waits for its SIPI. */
void kick_locked(struct vcpu *v);
/* Without the lock: kick every vCPU noted in k. */
void kick_all(const struct kicks *k);
/* Fire the armed all-parked notification if everything is stopped (drops
 * and retakes the lock around the callback). */
void maybe_notify_locked(struct vm *vm);
/* Ask every vCPU to park and arm the notification; kick `k` after unlocking. */
void request_stop_locked(struct vm *vm, struct kicks *k);

#endif
