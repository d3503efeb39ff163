/*
 * snapshot.c (x86) -- a vCPU's and the VM's KVM-held state as snapshot
 * records (core/snapbuf.h).  First step: not written yet, every call says
 * so (-ENOSYS); snapshots refuse to be taken until it is.
 */
#include <errno.h>

#include "core/snapbuf.h"
#include "core/vcpu.h"
#include "core/vm.h"

int arch_vm_save(struct vm *vm, struct snap_w *w)
{
	return -ENOSYS;
}

int arch_vm_load(struct vm *vm, const struct snap_r *r, bool check)
{
	return -ENOSYS;
}

int arch_vcpu_save(struct vcpu *v, struct snap_w *w)
{
	return -ENOSYS;
}

int arch_vcpu_load(struct vcpu *v, const struct snap_r *r, bool check)
{
	return -ENOSYS;
}
