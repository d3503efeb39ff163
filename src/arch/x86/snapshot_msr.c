/*
 * snapshot_msr.c (x86) -- a vCPU's MSRs for snapshots; see snapshot.h.
 * Which MSRs: KVM's KVM_GET_MSR_INDEX_LIST (those it saves and those it
 * emulates, kvmclock's among them), asked once per process: it depends on
 * the host's KVM, not on the VM.  Some on the list do not read on a given
 * vCPU (Hyper-V's without Hyper-V CPUID, PMU counters the CPU lacks):
 * KVM_GET_MSRS stops at the first one that fails, so the rest are asked
 * again past it, and only those that read are kept.
 */
#include <errno.h>
#include <linux/kvm.h>
#include <pthread.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>

#include "arch/x86/snapshot.h"
#include "core/snapbuf.h"
#include "core/vcpu.h"
#include "core/vm.h"
#include "util.h"

#define TAG_MSRS	SNAP_TAG('M', 'S', 'R', 'S')
#define MSR_IA32_TSC	0x10u
/* KVM refuses KVM_GET/SET_MSRS of 256 (MAX_IO_MSRS) or more at once. */
#define MSR_CHUNK	128u

static pthread_mutex_t list_lock = PTHREAD_MUTEX_INITIALIZER;
static struct kvm_msr_list *list;	/* KVM's index list, once fetched */

static int index_list(int kvm_fd, const struct kvm_msr_list **out)
{
	struct kvm_msr_list probe = { .nmsrs = 0 }, *l;
	int e = 0;

	pthread_mutex_lock(&list_lock);
	if (list)
		goto done;
	/* the first ask, with room for none, says how many (E2BIG) */
	if (ioctl(kvm_fd, KVM_GET_MSR_INDEX_LIST, &probe) < 0 && errno != E2BIG) {
		e = -errno;
		goto done;
	}
	l = malloc(sizeof(*l) + probe.nmsrs * sizeof(l->indices[0]));
	if (!l) {
		e = -ENOMEM;
		goto done;
	}
	l->nmsrs = probe.nmsrs;
	if (ioctl(kvm_fd, KVM_GET_MSR_INDEX_LIST, l) < 0) {
		e = -errno;
		free(l);
		goto done;
	}
	list = l;
done:
	*out = list;
	pthread_mutex_unlock(&list_lock);
	return e;
}

/*
 * KVM_GET_MSRS or KVM_SET_MSRS of e[0..n), in chunks, each going on past
 * the entry KVM stopped at.  The entries that worked are moved to the front
 * (with the data read); returns how many, or -errno.
 */
static int msrs_io(struct vcpu *v, unsigned long req, struct kvm_msr_entry *e, uint32_t n)
{
	struct kvm_msrs *m = malloc(sizeof(*m) + MSR_CHUNK * sizeof(m->entries[0]));
	uint32_t i = 0, kept = 0;

	if (!m)
		return -ENOMEM;
	while (i < n) {
		uint32_t k = MIN(n - i, MSR_CHUNK);
		int got;

		m->nmsrs = k;
		m->pad = 0;
		memcpy(m->entries, e + i, k * sizeof(*e));
		got = ioctl(v->fd, req, m);
		if (got < 0) {
			int err = -errno;

			free(m);
			return err;
		}
		/* kept <= i: this never overwrites an entry not yet done */
		memcpy(e + kept, m->entries, (size_t)got * sizeof(*e));
		kept += (uint32_t)got;
		i += (uint32_t)got;
		if ((uint32_t)got < k) {
			log_debug("vCPU %d: MSR 0x%x: KVM would not %s it, left out of the snapshot",
				  v->id, e[i].index, req == KVM_GET_MSRS ? "read" : "set");
			i++;
		}
	}
	free(m);
	return (int)kept;
}

int snap_msrs_save(struct vcpu *v, struct snap_w *w)
{
	const struct kvm_msr_list *l;
	struct kvm_msrs *m;
	int n = index_list(v->vm->kvm_fd, &l);

	if (n)
		return n;
	m = calloc(1, sizeof(*m) + l->nmsrs * sizeof(m->entries[0]));
	if (!m)
		return -ENOMEM;
	for (uint32_t i = 0; i < l->nmsrs; i++)
		m->entries[i].index = l->indices[i];
	n = msrs_io(v, KVM_GET_MSRS, m->entries, l->nmsrs);
	if (n >= 0) {
		m->nmsrs = (uint32_t)n;
		snapw_put(w, TAG_MSRS, (uint32_t)v->id, m,
			  sizeof(*m) + (size_t)n * sizeof(m->entries[0]));
		n = 0;
	}
	free(m);
	return n;
}

/* The record's entries (unaligned: copy them out) and their count.  0 or -EINVAL. */
static int find(struct vcpu *v, const struct snap_r *r, const uint8_t **ents, uint32_t *n)
{
	const void *d;
	size_t len, esz = sizeof(struct kvm_msr_entry);
	struct kvm_msrs h;

	if (snapr_find(r, TAG_MSRS, (uint32_t)v->id, &d, &len) || len < sizeof(h))
		return -EINVAL;
	memcpy(&h, d, sizeof(h));
	if ((len - sizeof(h)) % esz || h.nmsrs != (len - sizeof(h)) / esz)
		return -EINVAL;
	*ents = (const uint8_t *)d + sizeof(h);
	*n = h.nmsrs;
	return 0;
}

int snap_msrs_check(struct vcpu *v, const struct snap_r *r)
{
	const uint8_t *ents;
	uint32_t n;
	int e = find(v, r, &ents, &n);

	if (e)
		log_debug("vCPU %d: snapshot's MSR record missing or inconsistent", v->id);
	return e;
}

int snap_msrs_load(struct vcpu *v, const struct snap_r *r)
{
	const uint8_t *ents;
	struct kvm_msr_entry *e;
	uint32_t n;
	int got = find(v, r, &ents, &n);

	if (got)
		return got;
	e = malloc((size_t)n * sizeof(*e) + 1);
	if (!e)
		return -ENOMEM;
	memcpy(e, ents, (size_t)n * sizeof(*e));
	/* IA32_TSC first: a TSC deadline (and any TSC-relative MSR) is in its units */
	for (uint32_t i = 1; i < n; i++) {
		if (e[i].index == MSR_IA32_TSC) {
			struct kvm_msr_entry t = e[i];

			memmove(e + 1, e, i * sizeof(*e));
			e[0] = t;
			break;
		}
	}
	got = msrs_io(v, KVM_SET_MSRS, e, n);
	free(e);
	return got < 0 ? got : 0;
}
