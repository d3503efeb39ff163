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
 *    of the VM's last TSC write is taken by KVM as "synchronise" and may
 *    keep the running offset: a snapshot loaded right after it was taken
 *    may find the TSC not moved back;
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

/* The fixed-size parts, in the order they are written back. */
static const struct fixed {
	uint32_t tag;
	unsigned long get, set;
	size_t size;
	bool optional;		/* only where the host has it (XCRS) */
} fixed[] = {
	{ TAG_SREGS, KVM_GET_SREGS, KVM_SET_SREGS, sizeof(struct kvm_sregs), false },
	{ TAG_REGS, KVM_GET_REGS, KVM_SET_REGS, sizeof(struct kvm_regs), false },
	{ TAG_FPU, KVM_GET_FPU, KVM_SET_FPU, sizeof(struct kvm_fpu), false },
	/* XSAVE here (variable size) */
	{ TAG_XCRS, KVM_GET_XCRS, KVM_SET_XCRS, sizeof(struct kvm_xcrs), true },
	{ TAG_LAPIC, KVM_GET_LAPIC, KVM_SET_LAPIC, sizeof(struct kvm_lapic_state), false },
	/* MSRs here (snapshot_msr.c) */
	{ TAG_DREGS, KVM_GET_DEBUGREGS, KVM_SET_DEBUGREGS, sizeof(struct kvm_debugregs), false },
	{ TAG_EVENTS, KVM_GET_VCPU_EVENTS, KVM_SET_VCPU_EVENTS, sizeof(struct kvm_vcpu_events), false },
	{ TAG_MP, KVM_GET_MP_STATE, KVM_SET_MP_STATE, sizeof(struct kvm_mp_state), false },
};
#define FIXED_AFTER_XSAVE	3	/* fixed[] index XSAVE goes before */
#define FIXED_AFTER_MSRS	5	/* and the MSRs */
#define FIXED_MP		(ARRAY_SIZE(fixed) - 1)

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

	if (!xs)
		return -ENOMEM;
	if (ioctl(v->fd, n > sizeof(struct kvm_xsave) ? KVM_GET_XSAVE2 : KVM_GET_XSAVE, xs) < 0) {
		int e = -errno;

		free(xs);
		return e;
	}
	snapw_put(w, TAG_XSAVE, (uint32_t)v->id, xs, n);
	free(xs);
	return 0;
}

int arch_vcpu_save(struct vcpu *v, struct snap_w *w)
{
	uint8_t buf[sizeof(struct kvm_lapic_state)];	/* the largest fixed part */
	const struct fixed *mp = &fixed[FIXED_MP];
	int r;

	if (ioctl(v->fd, mp->get, buf) < 0)	/* first: see the top of the file */
		return -errno;
	snapw_put(w, mp->tag, (uint32_t)v->id, buf, mp->size);
	for (size_t i = 0; i < FIXED_MP; i++) {
		const struct fixed *f = &fixed[i];

		if (f->optional && !host_has(v, KVM_CAP_XCRS))
			continue;
		if (ioctl(v->fd, f->get, buf) < 0)
			return -errno;
		snapw_put(w, f->tag, (uint32_t)v->id, buf, f->size);
	}
	r = save_xsave(v, w);
	if (!r)
		r = snap_msrs_save(v, w);
	return r ? r : w->err;
}

/* Every record there and of the right size; the XSAVE image no larger than
 * this host takes (a larger one holds state it cannot load). */
static int check_vcpu(struct vcpu *v, const struct snap_r *r)
{
	const void *d;
	size_t n;

	for (size_t i = 0; i < ARRAY_SIZE(fixed); i++) {
		int e = snapr_find(r, fixed[i].tag, (uint32_t)v->id, &d, &n);

		if (e == -ENOENT && fixed[i].optional)
			continue;
		if (e || n != fixed[i].size) {
			log_debug("vCPU %d: snapshot record %.4s missing or %zu bytes", v->id,
				  (const char *)&fixed[i].tag, e ? 0 : n);
			return -EINVAL;
		}
	}
	if (snapr_find(r, TAG_XSAVE, (uint32_t)v->id, &d, &n) ||
	    n < sizeof(struct kvm_xsave) || n > xsave_size(v) || n % 4) {
		log_debug("vCPU %d: snapshot's XSAVE record missing or of the wrong size", v->id);
		return -EINVAL;
	}
	return snap_msrs_check(v, r);
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

static int load_fixed(struct vcpu *v, const struct fixed *f, const struct snap_r *r)
{
	uint8_t buf[sizeof(struct kvm_lapic_state)];

	if (snapr_get(r, f->tag, (uint32_t)v->id, buf, f->size))
		return 0;		/* an optional one not saved (checked) */
	if (f->tag == TAG_EVENTS) {
		struct kvm_vcpu_events *ev = (struct kvm_vcpu_events *)buf;

		ev->flags &= EVENTS_RESTORE;
	}
	if (ioctl(v->fd, f->set, buf) < 0) {
		int e = -errno;

		log_debug("vCPU %d: setting snapshot record %.4s: %s", v->id,
			  (const char *)&f->tag, strerror(-e));
		return e;
	}
	return 0;
}

int arch_vcpu_load(struct vcpu *v, const struct snap_r *r, bool check)
{
	int e = check_vcpu(v, r);

	if (e || check)
		return e;
	for (size_t i = 0; i < ARRAY_SIZE(fixed) && !e; i++) {
		if (i == FIXED_AFTER_XSAVE)
			e = load_xsave(v, r);
		if (i == FIXED_AFTER_MSRS && !e)
			e = snap_msrs_load(v, r);
		if (!e)
			e = load_fixed(v, &fixed[i], r);
	}
	/*
	 * hyve's own view of the vCPU: the MP state may now be "waiting for
	 * INIT/SIPI" (the run loop asks KVM again); no I/O exit is pending
	 * completion on the loaded state (the vCPU parked after completing
	 * one); and the debugger's KVM_SET_GUEST_DEBUG settings are applied
	 * afresh before it next runs.
	 */
	v->maybe_uninit = true;
	v->need_completion = false;
	v->debug_gen = ~0ULL;
	return e;
}
