/* state.c (x86) -- reading and writing a vCPU's state through KVM; see state.h. */
#include <errno.h>
#include <linux/kvm.h>
#include <string.h>
#include <sys/ioctl.h>

#include "arch/x86/regs.h"
#include "core/vcpu.h"
#include "core/vm.h"

/* The AVX upper halves live at byte 576 of the standard XSAVE layout. */
#define XSAVE_YMMH_OFFSET	576
#define XSAVE_MXCSR_OFFSET	24	/* in the legacy (FXSAVE) area */
#define XSAVE_XSTATE_BV_OFFSET	512
#define XSAVE_BV_SSE		0x2ULL

struct one_msr {
	struct kvm_msrs h;
	struct kvm_msr_entry e[1];
};

int arch_state_get(struct vcpu *v, struct vcpu_state *st, unsigned parts)
{
	struct one_msr msrs = { .h.nmsrs = 1, .e[0].index = X86_MSR_KERNEL_GS_BASE };

	if ((parts & VS_CORE) &&
	    (ioctl(v->fd, KVM_GET_REGS, &st->regs) < 0 ||
	     ioctl(v->fd, KVM_GET_SREGS, &st->sregs) < 0 ||
	     ioctl(v->fd, KVM_GET_FPU, &st->fpu) < 0))
		return -errno;
	if ((parts & VS_REGS) && !(parts & VS_CORE) &&
	    (ioctl(v->fd, KVM_GET_REGS, &st->regs) < 0 ||
	     ioctl(v->fd, KVM_GET_SREGS, &st->sregs) < 0))
		return -errno;
	if ((parts & VS_CORE) && v->vm->arch.mxcsr_via_xsave) {
		struct kvm_xsave xs;

		if (ioctl(v->fd, KVM_GET_XSAVE, &xs) == 0)
			memcpy(&st->fpu.mxcsr, (uint8_t *)xs.region + XSAVE_MXCSR_OFFSET,
			       sizeof(st->fpu.mxcsr));
	}
	if ((parts & VS_CORE) && ioctl(v->fd, KVM_GET_MSRS, &msrs) == 1)
		st->kernel_gs_base = msrs.e[0].data;
	if ((parts & VS_EXTRA) &&
	    (ioctl(v->fd, KVM_GET_DEBUGREGS, &st->dregs) < 0 ||
	     ioctl(v->fd, KVM_GET_VCPU_EVENTS, &st->events) < 0 ||
	     ioctl(v->fd, KVM_GET_MP_STATE, &st->mp) < 0))
		return -errno;
	if (parts & VS_VECTOR) {
		struct kvm_xsave xs;

		memset(st->ymmh, 0, sizeof(st->ymmh));
		if (ioctl(v->fd, KVM_GET_XSAVE, &xs) == 0)
			memcpy(st->ymmh, (uint8_t *)xs.region + XSAVE_YMMH_OFFSET, sizeof(st->ymmh));
	}
	if ((parts & VS_LAPIC) && ioctl(v->fd, KVM_GET_LAPIC, &st->lapic) < 0)
		return -errno;
	st->parts |= parts;
	return 0;
}

int arch_state_set(struct vcpu *v, const struct vcpu_state *st)
{
	struct one_msr msrs = { .h.nmsrs = 1, .e[0] = { .index = X86_MSR_KERNEL_GS_BASE,
							 .data = st->kernel_gs_base } };
	unsigned parts = st->parts ? st->parts : VS_ALL;

	if ((parts & VS_CORE) &&
	    (ioctl(v->fd, KVM_SET_SREGS, &st->sregs) < 0 ||
	     ioctl(v->fd, KVM_SET_REGS, &st->regs) < 0 ||
	     ioctl(v->fd, KVM_SET_FPU, &st->fpu) < 0))
		return -errno;
	if ((parts & VS_REGS) && !(parts & VS_CORE) && ioctl(v->fd, KVM_SET_REGS, &st->regs) < 0)
		return -errno;
	if ((parts & VS_EXTRA) &&
	    (ioctl(v->fd, KVM_SET_DEBUGREGS, &st->dregs) < 0 ||
	     ioctl(v->fd, KVM_SET_MP_STATE, &st->mp) < 0))
		return -errno;
	if ((parts & VS_EXTRA) && st->set_events && ioctl(v->fd, KVM_SET_VCPU_EVENTS, &st->events) < 0)
		return -errno;
	if ((parts & VS_CORE) && ioctl(v->fd, KVM_SET_MSRS, &msrs) != 1)
		return -EIO;
	if ((parts & VS_LAPIC) && ioctl(v->fd, KVM_SET_LAPIC, &st->lapic) < 0)
		return -errno;
	if ((parts & VS_VECTOR) || ((parts & VS_CORE) && v->vm->arch.mxcsr_via_xsave)) {
		struct kvm_xsave xs;

		if (ioctl(v->fd, KVM_GET_XSAVE, &xs) == 0) {
			uint8_t *p = (uint8_t *)xs.region;
			uint64_t bv;

			if (parts & VS_VECTOR)
				memcpy(p + XSAVE_YMMH_OFFSET, st->ymmh, sizeof(st->ymmh));
			if ((parts & VS_CORE) && v->vm->arch.mxcsr_via_xsave) {
				memcpy(p + XSAVE_MXCSR_OFFSET, &st->fpu.mxcsr, sizeof(st->fpu.mxcsr));
				memcpy(&bv, p + XSAVE_XSTATE_BV_OFFSET, sizeof(bv));
				bv |= XSAVE_BV_SSE;	/* MXCSR is state, not the init value */
				memcpy(p + XSAVE_XSTATE_BV_OFFSET, &bv, sizeof(bv));
			}
			ioctl(v->fd, KVM_SET_XSAVE, &xs);
		}
	}
	return 0;
}
