/*
 * snapshot.h (x86) -- what snapshot.c asks of snapshot_msr.c: a vCPU's MSRs
 * as one record (struct kvm_msrs and its entries), instance v->id.
 */
#ifndef HYVE_X86_SNAPSHOT_H
#define HYVE_X86_SNAPSHOT_H

struct vcpu;
struct snap_w;
struct snap_r;

/* Every MSR of KVM's index list that reads.  0 or -errno. */
int snap_msrs_save(struct vcpu *v, struct snap_w *w);
/* Is the record there, its count consistent with its length?  0 or -EINVAL. */
int snap_msrs_check(struct vcpu *v, const struct snap_r *r);
/* Write them back (checked), IA32_TSC first; one KVM refuses is left out
 * (logged at debug level).  0 or -errno. */
int snap_msrs_load(struct vcpu *v, const struct snap_r *r);

#endif
