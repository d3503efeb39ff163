/*
 * test_snapshot.c -- the x86 part of machine snapshots on real KVM
 * (arch/x86/snapshot*.c).  vCPU 0 runs real-mode code that writes
 * IA32_KERNEL_GS_BASE, programs PIT channel 0 and the master PIC's mask and
 * sets rbx, then counts in RAM; vCPU 1 counts in a loop of its own.  The
 * test sets the LAPIC's TPR and timer count, saves both vCPUs and the VM,
 * moves vCPU 0 onto other code that changes all of it, and loads: with
 * check set nothing may change, without everything must be as saved.  Bad
 * records (short, missing, an MSR count that does not match) are refused.
 * Exits 77 (skip, loudly) without /dev/kvm.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>

#include "loader/loader.h"
#include "kvm_test.h"
#include "core/snapbuf.h"
#include "core/vcpu.h"
#include "core/vm.h"
#include "core/runctl.h"

#define APIC_TPR	0x80
#define APIC_TMICT	0x380
#define MSR_KGS		0xc0000102u

static struct vm vm;

/* One phase of vCPU 0: KERNEL_GS_BASE = kgs, PIT channel 0 in `mode` with
 * `count`, master PIC mask `imr`, ebx = `bx`, then count at `counter`. */
static void put_phase(uint64_t at, uint64_t kgs, uint8_t mode, uint16_t count, uint8_t imr,
		      uint32_t bx, uint16_t counter)
{
	uint8_t c[] = {
		0x66, 0xb9, 0x02, 0x01, 0x00, 0xc0,		/* mov ecx, 0xc0000102 */
		0x66, 0xb8, (uint8_t)kgs, (uint8_t)(kgs >> 8), (uint8_t)(kgs >> 16),
		(uint8_t)(kgs >> 24),				/* mov eax, low */
		0x66, 0xba, (uint8_t)(kgs >> 32), (uint8_t)(kgs >> 40), (uint8_t)(kgs >> 48),
		(uint8_t)(kgs >> 56),				/* mov edx, high */
		0x0f, 0x30,					/* wrmsr */
		0xb0, (uint8_t)(0x30 | mode << 1), 0xe6, 0x43,	/* ch 0, lo/hi, mode */
		0xb0, (uint8_t)count, 0xe6, 0x40,
		0xb0, (uint8_t)(count >> 8), 0xe6, 0x40,
		0xb0, imr, 0xe6, 0x21,				/* out 0x21: IMR */
		0x66, 0xbb, (uint8_t)bx, (uint8_t)(bx >> 8), (uint8_t)(bx >> 16),
		(uint8_t)(bx >> 24),				/* mov ebx, bx */
	};

	gmem_write(&vm.mem, at, c, sizeof(c));
	put_loop(&vm, at + sizeof(c), counter);
}

static uint32_t lapic_reg(int cpu, unsigned off)
{
	struct kvm_lapic_state l;
	uint32_t x = 0;

	if (ioctl(vm.vcpus[cpu]->fd, KVM_GET_LAPIC, &l) == 0)
		memcpy(&x, l.regs + off, 4);
	return x;
}

static int set_lapic(int cpu, uint32_t tpr, uint32_t tmict)
{
	struct kvm_lapic_state l;

	if (ioctl(vm.vcpus[cpu]->fd, KVM_GET_LAPIC, &l) < 0)
		return -errno;
	memcpy(l.regs + APIC_TPR, &tpr, 4);
	memcpy(l.regs + APIC_TMICT, &tmict, 4);
	return ioctl(vm.vcpus[cpu]->fd, KVM_SET_LAPIC, &l) < 0 ? -errno : 0;
}

static uint64_t tsc(int cpu)
{
	struct {
		struct kvm_msrs h;
		struct kvm_msr_entry e[1];
	} m = { .h.nmsrs = 1, .e[0].index = 0x10 };

	return ioctl(vm.vcpus[cpu]->fd, KVM_GET_MSRS, &m) == 1 ? m.e[0].data : 0;
}

/* What the test compares: the parts it changes between save and load. */
struct seen {
	struct vcpu_state st[2];
	uint32_t tpr, tmict;
	struct kvm_pit_state2 pit;
	struct kvm_irqchip pic;
};

static void look(struct seen *s)
{
	memset(s, 0, sizeof(*s));
	for (int i = 0; i < 2; i++)
		CHECK(vcpu_get_state(vm.vcpus[i], &s->st[i]) == 0);
	s->tpr = lapic_reg(0, APIC_TPR);
	s->tmict = lapic_reg(0, APIC_TMICT);
	CHECK(ioctl(vm.vm_fd, KVM_GET_PIT2, &s->pit) == 0);
	s->pic.chip_id = KVM_IRQCHIP_PIC_MASTER;
	CHECK(ioctl(vm.vm_fd, KVM_GET_IRQCHIP, &s->pic) == 0);
}

/* Is the machine as `want` says?  Each difference is a failed check. */
static void same(const struct seen *got, const struct seen *want)
{
	for (int i = 0; i < 2; i++) {
		const struct vcpu_state *g = &got->st[i], *w = &want->st[i];

		CHECK_EQ(g->regs.rip, w->regs.rip);
		CHECK_EQ(g->regs.rbx, w->regs.rbx);
		CHECK(memcmp(&g->regs, &w->regs, sizeof(g->regs)) == 0);
		CHECK_EQ(g->sregs.cs.selector, w->sregs.cs.selector);
		CHECK_EQ(g->sregs.cs.base, w->sregs.cs.base);
		CHECK_EQ(g->sregs.cr0, w->sregs.cr0);
		CHECK_EQ(g->sregs.efer, w->sregs.efer);
		CHECK_EQ(g->sregs.apic_base, w->sregs.apic_base);
		CHECK_EQ(g->kernel_gs_base, w->kernel_gs_base);
		CHECK_EQ(g->mp.mp_state, w->mp.mp_state);
		CHECK_EQ(g->fpu.fcw, w->fpu.fcw);
		CHECK_EQ(g->fpu.mxcsr, w->fpu.mxcsr);
		CHECK(memcmp(g->fpu.xmm[0], w->fpu.xmm[0], 16) == 0);
	}
	CHECK_EQ(got->tpr, want->tpr);
	CHECK_EQ(got->tmict, want->tmict);
	CHECK_EQ(got->pit.channels[0].count, want->pit.channels[0].count);
	CHECK_EQ(got->pit.channels[0].mode, want->pit.channels[0].mode);
	CHECK_EQ(got->pic.chip.pic.imr, want->pic.chip.pic.imr);
}

static int load_all(const struct snap_r *r, bool check)
{
	int e = 0;

	for (int i = 0; i < 2 && !e; i++)
		e = arch_vcpu_load(vm.vcpus[i], r, check);
	return e ? e : arch_vm_load(&vm, r, check);
}

/* The buffer with one record put in front of it (snapr_find finds that one first). */
static uint8_t *with_first(const struct snap_w *w, uint32_t tag, uint32_t inst,
			   const void *d, size_t len, struct snap_r *r)
{
	struct snap_w one = { 0 };
	uint8_t *p;

	snapw_put(&one, tag, inst, d, len);
	p = malloc(one.len + w->len);
	if (p) {
		memcpy(p, one.p, one.len);
		memcpy(p + one.len, w->p, w->len);
	}
	*r = (struct snap_r){ p, p ? one.len + w->len : 0 };
	snapw_free(&one);
	return p;
}

static void refused(const struct snap_w *w, const char *tag, uint32_t inst, size_t cut)
{
	uint32_t t = SNAP_TAG(tag[0], tag[1], tag[2], tag[3]);
	struct snap_r full = { w->p, w->len }, r;
	const void *d;
	size_t len;
	uint8_t *p;

	CHECK(snapr_find(&full, t, inst, &d, &len) == 0);
	if (len < cut)
		return;
	p = with_first(w, t, inst, d, len - cut, &r);
	CHECK(p != NULL);
	printf("%s record %zu bytes short: refused with %d\n", tag, cut, p ? load_all(&r, true) : 0);
	CHECK(p && load_all(&r, true) == -EINVAL);
	free(p);
}

static void print_records(const struct snap_w *w)
{
	static const char *const tags[] = { "REGS", "SREG", "FPU ", "XSAV", "XCRS", "LAPC",
					     "MSRS", "DREG", "EVNT", "MPST", "PICM", "PICS",
					     "IOAP", "PIT2", "CLOK" };
	struct snap_r r = { w->p, w->len };

	for (size_t i = 0; i < sizeof(tags) / sizeof(tags[0]); i++) {
		const char *t = tags[i];
		const void *d;
		size_t len;

		if (snapr_find(&r, SNAP_TAG(t[0], t[1], t[2], t[3]), 0, &d, &len) == 0)
			printf("record %s: %zu bytes\n", t, len);
		else
			printf("record %s: none\n", t);
	}
}

/* The saved MSR record of vCPU 0 holds the TSC and KERNEL_GS_BASE = kgs. */
static void msrs_saved(const struct snap_w *w, uint64_t kgs)
{
	struct snap_r r = { w->p, w->len }, br;
	const void *dv = NULL;
	const uint8_t *d;
	uint8_t *bad, *p;
	size_t len = 0;
	struct kvm_msrs h;
	bool tsc = false, gs = false;

	CHECK(snapr_find(&r, SNAP_TAG('M', 'S', 'R', 'S'), 0, &dv, &len) == 0);
	if (!dv || len < sizeof(h))
		return;
	d = dv;
	memcpy(&h, d, sizeof(h));
	printf("MSRs saved for vCPU 0: %u\n", h.nmsrs);
	for (uint32_t i = 0; i < h.nmsrs; i++) {
		struct kvm_msr_entry e;

		memcpy(&e, d + sizeof(h) + i * sizeof(e), sizeof(e));
		if (e.index == 0x10)
			printf("TSC saved: %llu\n", (unsigned long long)e.data);
		tsc |= e.index == 0x10;
		gs |= e.index == MSR_KGS && e.data == kgs;
	}
	CHECK(tsc);
	CHECK(gs);

	/* a count that does not match the length is refused */
	bad = malloc(len);
	CHECK(bad != NULL);
	if (!bad)
		return;
	memcpy(bad, d, len);
	h.nmsrs++;
	memcpy(bad, &h, sizeof(h));
	p = with_first(w, SNAP_TAG('M', 'S', 'R', 'S'), 0, bad, len, &br);
	CHECK(p && load_all(&br, true) == -EINVAL);
	free(p);
	free(bad);
}

TEST(save_and_load)
{
	const uint64_t kgs_a = 0xffff888812345678ULL, kgs_b = 0x00007fffdeadb000ULL;
	struct boot_state bs = { .mode = BOOT_REAL16, .cs = 0x100, .cs_base = 0x1000, .rip = 0 };
	struct snap_w w = { 0 };
	struct snap_r r, none;
	struct seen saved, later, now;
	struct vcpu_state st;
	uint32_t c0;

	put_phase(0x1000, kgs_a, 2, 0x1234, 0xab, 0xaaaa0001, 0x500);
	put_phase(0x2000, kgs_b, 0, 0x4321, 0x5c, 0xbbbb0002, 0x508);
	put_loop(&vm, 0x3000, 0x504);
	CHECK(arch_vcpu_boot(vm.vcpus[0], &bs) == 0);
	CHECK(start_at(&vm, 1, 0x300) == 0);
	CHECK(vcpus_start(&vm) == 0);
	msleep(100);
	CHECK(vcpu_stop_all(&vm) == 0);
	CHECK(loop_count(&vm, 0) > 0);
	CHECK(loop_count(&vm, 1) > 0);
	CHECK(set_lapic(0, 0x20, 0x100000) == 0);

	look(&saved);
	CHECK_EQ(saved.st[0].regs.rbx, 0xaaaa0001);
	CHECK_EQ(saved.st[0].kernel_gs_base, kgs_a);
	CHECK_EQ(saved.pit.channels[0].count, 0x1234);
	CHECK_EQ(saved.pit.channels[0].mode, 2);
	CHECK_EQ(saved.pic.chip.pic.imr, 0xab);
	CHECK(arch_vcpu_save(vm.vcpus[0], &w) == 0);
	CHECK(arch_vcpu_save(vm.vcpus[1], &w) == 0);
	CHECK(arch_vm_save(&vm, &w) == 0);
	CHECK(w.err == 0);
	printf("snapshot: %zu bytes\n", w.len);
	print_records(&w);
	msrs_saved(&w, kgs_a);

	/* run on: vCPU 0 onto the other phase, another TPR and timer count */
	CHECK(vcpu_get_state(vm.vcpus[0], &st) == 0);
	st.sregs.cs.selector = 0x200;
	st.sregs.cs.base = 0x2000;
	st.regs.rip = 0;
	st.fpu.fcw = 0x27f;
	st.fpu.mxcsr = 0x1f00;
	memset(st.fpu.xmm[0], 0x5a, 16);
	CHECK(vcpu_set_state(vm.vcpus[0], &st) == 0);
	CHECK(set_lapic(0, 0x50, 0x200) == 0);
	CHECK(vcpu_resume_all(&vm) == 0);
	msleep(100);
	CHECK(vcpu_stop_all(&vm) == 0);
	look(&later);
	CHECK_EQ(later.st[0].regs.rbx, 0xbbbb0002);
	CHECK_EQ(later.st[0].kernel_gs_base, kgs_b);
	CHECK_EQ(later.pit.channels[0].mode, 0);
	CHECK_EQ(later.pic.chip.pic.imr, 0x5c);
	CHECK_EQ(later.st[0].fpu.fcw, 0x27f);
	CHECK_EQ(later.st[0].fpu.mxcsr, 0x1f00);
	CHECK_EQ(later.st[0].fpu.xmm[0][15], 0x5a);
	printf("TSC later: %llu\n", (unsigned long long)tsc(0));

	/* check only: valid, and nothing changes */
	r = (struct snap_r){ w.p, w.len };
	CHECK(snapr_check(&r) == 0);
	CHECK(load_all(&r, true) == 0);
	look(&now);
	same(&now, &later);

	/* bad snapshots: refused by the check */
	refused(&w, "REGS", 0, 1);
	refused(&w, "LAPC", 1, 4);
	refused(&w, "XSAV", 0, 4);
	refused(&w, "PIT2", 0, 8);
	refused(&w, "IOAP", 0, 1);
	refused(&w, "CLOK", 0, 1);
	none = (struct snap_r){ w.p, 0 };	/* no records at all */
	CHECK(arch_vcpu_load(vm.vcpus[0], &none, true) == -EINVAL);
	CHECK(arch_vm_load(&vm, &none, true) == -EINVAL);
	look(&now);
	same(&now, &later);

	/* load: everything as saved */
	CHECK(load_all(&r, false) == 0);
	/* not checked: a TSC written back within about a second of where KVM
	 * expects it is taken as "synchronise" (snapshot.c), as here */
	printf("TSC after load: %llu\n", (unsigned long long)tsc(0));
	look(&now);
	same(&now, &saved);
	CHECK(vm.vcpus[0]->maybe_uninit);

	/* and it runs on from there: the first phase's loop counts again */
	c0 = loop_count(&vm, 0);
	CHECK(vcpu_resume_all(&vm) == 0);
	msleep(100);
	CHECK(vcpu_stop_all(&vm) == 0);
	CHECK(loop_count(&vm, 0) > c0);
	CHECK(vcpu_get_state(vm.vcpus[0], &st) == 0);
	CHECK_EQ(st.sregs.cs.base, 0x1000);
	CHECK_EQ(st.regs.rbx, 0xaaaa0001);

	snapw_free(&w);
	vcpus_join(&vm);
}

int main(void)
{
	return kvm_test_main(&vm, 2, __FILE__, "snapshot");
}
