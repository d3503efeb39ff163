/*
 * snapshot.c (x86) -- a vCPU's KVM-held state as snapshot records
 * (core/snapbuf.h), instance v->id; the VM-wide part is snapshot_vm.c, the
 * MSRs snapshot_msr.c.
 *
 * Order of the reads: KVM_GET_MP_STATE first, because it takes a pending
 * INIT or SIPI (which moves the registers): every other read then sees the
 * state the MP state says.
 *
 * Order of the writes (arch_vcpu_load), each for a reason:
 *  - SREGS first: CR0/CR4/EFER say what mode the rest is read in, and the
 *    APIC base (x2APIC or not) decides how KVM_SET_LAPIC takes the APIC ID;
 *  - REGS: KVM_SET_REGS drops a pending exception, so it goes before the
 *    events that bring one back;
 *  - FPU, then XSAVE: the XSAVE image has all of the FPU and more, and on
 *    hosts where KVM_SET_FPU ignores MXCSR (vm->arch.mxcsr_via_xsave) only
 *    it carries MXCSR; XCRS after it (XCR0, as QEMU does);
 *  - LAPIC before the MSRs: IA32_TSC_DEADLINE is only taken while the LVT
 *    timer is in TSC-deadline mode, and the kvmclock/PV-EOI MSRs refer to
 *    the APIC; KVM_SET_LAPIC restarts the APIC timer from its initial count;
 *  - MSRs, IA32_TSC first (a deadline is in guest TSC units).  Host writes
 *    of IA32_TSC and IA32_TSC_ADJUST do not move each other (only guest
 *    writes do), so the two need no order.  A TSC written within a second
 *    of where KVM expects it (its last TSC write plus the time since) is
 *    taken as "synchronise" with the other vCPUs, keeping the running
 *    offset: a snapshot loaded less than a second of guest time after it
 *    was taken finds the TSC not moved back (seen on Linux 6.1);
 *  - DEBUGREGS (the debugger's own breakpoints, KVM_SET_GUEST_DEBUG, stay
 *    in force over them);
 *  - VCPU_EVENTS after LAPIC and REGS (a latched INIT goes into the APIC's
 *    pending events; pending exceptions, NMIs, the interrupt shadow, SMM);
 *  - MP_STATE last: KVM refuses INIT_RECEIVED while an INIT is latched or
 *    an SMI pending, which the events set, and a SIPI_RECEIVED uses the
 *    SIPI vector they carry.
 */
#include <errno.h>
#include <linux/kvm.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>

#include "arch/x86/snapshot.h"
#include "core/snapbuf.h"
#include "core/vcpu.h"
#include "core/vm.h"
#include "debug/arch.h"
#include "util.h"

#define TAG_REGS	SNAP_TAG('R', 'E', 'G', 'S')
#define TAG_SREGS	SNAP_TAG('S', 'R', 'E', 'G')
#define TAG_FPU		SNAP_TAG('F', 'P', 'U', ' ')
#define TAG_XSAVE	SNAP_TAG('X', 'S', 'A', 'V')
#define TAG_XCRS	SNAP_TAG('X', 'C', 'R', 'S')
#define TAG_DREGS	SNAP_TAG('D', 'R', 'E', 'G')
#define TAG_EVENTS	SNAP_TAG('E', 'V', 'N', 'T')
#define TAG_MP		SNAP_TAG('M', 'P', 'S', 'T')
#define TAG_LAPIC	SNAP_TAG('L', 'A', 'P', 'C')

/*
 * Of the parts the saved flags say are valid, those KVM_SET_VCPU_EVENTS is
 * to take back (the exception, interrupt and NMI injection always go in).
 * KVM_GET_VCPU_EVENTS never says a SIPI vector is valid (a pending SIPI is
 * already taken by KVM_GET_MP_STATE, read first), so that bit stays clear in
 * practice; an exception payload or triple fault is only valid with a
 * capability hyve does not enable, and KVM would refuse it.
 */
#define EVENTS_RESTORE	(KVM_VCPUEVENT_VALID_NMI_PENDING | KVM_VCPUEVENT_VALID_SIPI_VECTOR | \
			 KVM_VCPUEVENT_VALID_SHADOW | KVM_VCPUEVENT_VALID_SMM)

/* What the ioctls of the fixed-size parts read into (aligned for each). */
union part_buf {
	struct kvm_regs regs;
	struct kvm_sregs sregs;
	struct kvm_fpu fpu;
	struct kvm_xcrs xcrs;
	struct kvm_lapic_state lapic;
	struct kvm_debugregs dregs;
	struct kvm_vcpu_events events;
	struct kvm_mp_state mp;
};

enum part_kind {
	PART_FIXED,		/* one struct, KVM_GET_x/KVM_SET_x */
	PART_OPTIONAL,		/* the same, only where the host has `cap` */
	PART_XSAVE,		/* the XSAVE image, of the host's size */
	PART_MSRS,		/* snapshot_msr.c */
};

/* Every part, in the order they are written back (see the top of the file). */
static const struct part {
	uint32_t tag;
	enum part_kind kind;
	unsigned long get, set;
	size_t size;
	int cap;
} parts[] = {
	{ TAG_SREGS, PART_FIXED, KVM_GET_SREGS, KVM_SET_SREGS, sizeof(struct kvm_sregs), 0 },
	{ TAG_REGS, PART_FIXED, KVM_GET_REGS, KVM_SET_REGS, sizeof(struct kvm_regs), 0 },
	{ TAG_FPU, PART_FIXED, KVM_GET_FPU, KVM_SET_FPU, sizeof(struct kvm_fpu), 0 },
	{ TAG_XSAVE, PART_XSAVE, 0, 0, 0, 0 },
	{ TAG_XCRS, PART_OPTIONAL, KVM_GET_XCRS, KVM_SET_XCRS, sizeof(struct kvm_xcrs), KVM_CAP_XCRS },
	{ TAG_LAPIC, PART_FIXED, KVM_GET_LAPIC, KVM_SET_LAPIC, sizeof(struct kvm_lapic_state), 0 },
	{ 0, PART_MSRS, 0, 0, 0, 0 },		/* its record: snapshot_msr.c */
	{ TAG_DREGS, PART_FIXED, KVM_GET_DEBUGREGS, KVM_SET_DEBUGREGS,
	  sizeof(struct kvm_debugregs), 0 },
	{ TAG_EVENTS, PART_FIXED, KVM_GET_VCPU_EVENTS, KVM_SET_VCPU_EVENTS,
	  sizeof(struct kvm_vcpu_events), 0 },
	{ TAG_MP, PART_FIXED, KVM_GET_MP_STATE, KVM_SET_MP_STATE, sizeof(struct kvm_mp_state), 0 },
};
#define PART_MP		(ARRAY_SIZE(parts) - 1)	/* read first, written last */

static bool host_has(struct vcpu *v, int cap)
{
	return ioctl(v->vm->kvm_fd, KVM_CHECK_EXTENSION, cap) > 0;
}

/* Bytes of this host's XSAVE image: 4 KiB, or what KVM_CAP_XSAVE2 says (more
 * once a dynamic feature such as AMX tile data is enabled). */
static size_t xsave_size(struct vcpu *v)
{
	int n = ioctl(v->vm->vm_fd, KVM_CHECK_EXTENSION, KVM_CAP_XSAVE2);

	return n > (int)sizeof(struct kvm_xsave) ? (size_t)n : sizeof(struct kvm_xsave);
}

static int save_xsave(struct vcpu *v, struct snap_w *w)
{
	size_t n = xsave_size(v);
	void *xs = calloc(1, n);
	int e = 0;

	if (!xs)
		return -ENOMEM;
	if (ioctl(v->fd, n > sizeof(struct kvm_xsave) ? KVM_GET_XSAVE2 : KVM_GET_XSAVE, xs) < 0)
		e = -errno;
	else
		snapw_put(w, TAG_XSAVE, (uint32_t)v->id, xs, n);
	free(xs);
	return e;
}

static int save_part(struct vcpu *v, const struct part *p, struct snap_w *w)
{
	union part_buf b;

	switch (p->kind) {
	case PART_XSAVE:
		return save_xsave(v, w);
	case PART_MSRS:
		return snap_msrs_save(v, w);
	case PART_OPTIONAL:
		if (!host_has(v, p->cap))
			return 0;
		/* fall through */
	case PART_FIXED:
		break;
	}
	if (ioctl(v->fd, p->get, &b) < 0)
		return -errno;
	snapw_put(w, p->tag, (uint32_t)v->id, &b, p->size);
	return 0;
}

int arch_vcpu_save(struct vcpu *v, struct snap_w *w)
{
	int e = save_part(v, &parts[PART_MP], w);	/* first: see the top of the file */

	for (size_t i = 0; i < PART_MP && !e; i++)
		e = save_part(v, &parts[i], w);
	return e ? e : w->err;
}

/*
 * Is the part's record there and of its size?  An optional one may be
 * missing, but not be there for a host without it; the XSAVE image may be
 * smaller than this host's (the rest is zero: components in their initial
 * state), not larger (state it cannot load).
 */
static int check_part(struct vcpu *v, const struct part *p, const struct snap_r *r)
{
	const void *d;
	size_t n;
	int e;

	if (p->kind == PART_MSRS)
		return snap_msrs_check(v, r);
	e = snapr_find(r, p->tag, (uint32_t)v->id, &d, &n);
	if (e == -ENOENT && p->kind == PART_OPTIONAL)
		return 0;
	if (!e && p->kind == PART_XSAVE)
		e = n < sizeof(struct kvm_xsave) || n > xsave_size(v) || n % 4 ? -EINVAL : 0;
	else if (!e)
		e = n != p->size || (p->kind == PART_OPTIONAL && !host_has(v, p->cap)) ? -EINVAL : 0;
	if (e)
		log_debug("vCPU %d: snapshot record %.4s missing, of the wrong size or not for this host",
			  v->id, (const char *)&p->tag);
	return e ? -EINVAL : 0;
}

static int load_xsave(struct vcpu *v, const struct snap_r *r)
{
	size_t host = xsave_size(v), n;
	const void *d;
	void *xs;
	int e = 0;

	snapr_find(r, TAG_XSAVE, (uint32_t)v->id, &d, &n);	/* checked */
	xs = calloc(1, host);		/* KVM reads as many bytes as the host's size */
	if (!xs)
		return -ENOMEM;
	memcpy(xs, d, n);
	if (ioctl(v->fd, KVM_SET_XSAVE, xs) < 0)
		e = -errno;
	free(xs);
	return e;
}

static int load_part(struct vcpu *v, const struct part *p, const struct snap_r *r)
{
	union part_buf b;

	if (p->kind == PART_XSAVE)
		return load_xsave(v, r);
	if (p->kind == PART_MSRS)
		return snap_msrs_load(v, r);
	if (snapr_get(r, p->tag, (uint32_t)v->id, &b, p->size))
		return 0;		/* an optional one not saved (checked) */
	if (p->tag == TAG_EVENTS)
		b.events.flags &= EVENTS_RESTORE;
	if (ioctl(v->fd, p->set, &b) < 0) {
		int e = -errno;

		log_debug("vCPU %d: setting snapshot record %.4s: %s", v->id,
			  (const char *)&p->tag, strerror(-e));
		return e;
	}
	return 0;
}

int arch_vcpu_load(struct vcpu *v, const struct snap_r *r, bool check)
{
	int e = 0;

	for (size_t i = 0; i < ARRAY_SIZE(parts) && !e; i++)
		e = check_part(v, &parts[i], r);
	if (e || check)
		return e;
	for (size_t i = 0; i < ARRAY_SIZE(parts) && !e; i++)
		e = load_part(v, &parts[i], r);
	/*
	 * hyve's own view of the vCPU: the MP state may now be "waiting for
	 * INIT/SIPI" (the run loop asks KVM again); no I/O exit is pending
	 * completion on the loaded state (the vCPU parked after completing
	 * one); and the debugger's KVM_SET_GUEST_DEBUG settings are applied
	 * afresh before it next runs (KVM derives the single-step rip and the
	 * effective DR7 from the registers as they were then).
	 */
	v->maybe_uninit = true;
	v->need_completion = false;
	v->debug_gen = ~0ULL;
	return e;
}

int arch_snap_pc(const struct snap_r *r, int cpu, uint64_t *pc)
{
	struct kvm_regs regs;
	int e = snapr_get(r, TAG_REGS, (uint32_t)cpu, &regs, sizeof(regs));

	if (e)
		return e;
	*pc = regs.rip;
	return 0;
}
