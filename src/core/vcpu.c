/* vcpu.c -- one vCPU: its fd and kvm_run page, and finishing an exit; see vcpu.h. */
#include <assert.h>
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <unistd.h>

#include "core/exit.h"
#include "core/runctl.h"
#include "core/vcpu.h"
#include "core/vm.h"
#include "util.h"

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
	r = arch_vcpu_init(vm, v);
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

bool vcpu_complete_pending(struct vcpu *v)
{
	bool kicked = false;

	/*
	 * Completing may itself exit again (the write half of a read-modify-write
	 * on a trapped page, string I/O): serve those too, but a stop is already
	 * under way, so a second watchpoint hit is not reported.  A request to end
	 * the machine is kept.
	 */
	for (int i = 0; i < 64; i++) {
		struct vcpu_event keep;
		uint32_t reason;

		v->run->immediate_exit = 1;
		if (ioctl(v->fd, KVM_RUN, 0) < 0) {
			vcpu_run_failed(v);
			kicked = true;
			if (errno != EINTR && errno != EAGAIN)
				log_err("vCPU %d: completing I/O: %s", v->id, strerror(errno));
			break;
		}
		reason = v->run->exit_reason;
		if (reason != KVM_EXIT_IO && reason != KVM_EXIT_MMIO) {
			vcpu_exit_dispatch(v);
			break;
		}
		keep = v->ev;
		vcpu_exit_dispatch(v);
		if (v->ev.end && !keep.end) {
			keep.end = true;
			keep.end_status = v->ev.end_status;
			keep.end_why = v->ev.end_why;
		}
		v->ev = keep;
	}
	v->run->immediate_exit = 0;
	v->need_completion = false;
	return kicked;
}

int vcpu_own_state(struct vcpu *v, struct vcpu_state *st, unsigned parts)
{
	assert(v == vcpu_current());
	return arch_state_get(v, st, parts);
}

int vcpu_own_set_state(struct vcpu *v, const struct vcpu_state *st)
{
	assert(v == vcpu_current());
	return arch_state_set(v, st);
}

/*
 * KVM_GET_MP_STATE also takes pending INIT/SIPI events, so the answer holds
 * until the next KVM_RUN takes more.  Asked until the answer is no; a state
 * write (a reset) makes the run loop ask again.
 */
bool vcpu_waits_for_sipi(struct vcpu *v)
{
	struct kvm_mp_state mp;

	if (ioctl(v->fd, KVM_GET_MP_STATE, &mp) < 0 || mp.mp_state != KVM_MP_STATE_UNINITIALIZED) {
		v->maybe_uninit = false;
		return false;
	}
	return true;
}
