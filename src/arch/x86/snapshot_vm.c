/*
 * snapshot_vm.c (x86) -- the VM-wide state KVM keeps, as snapshot records
 * (instance 0): the in-kernel irqchip that vm_create makes whole (not split:
 * both 8259 PICs and the IOAPIC), the PIT of KVM_CREATE_PIT2, and the
 * kvmclock base.  Written back PICs, IOAPIC, PIT, then the clock; none of
 * them depends on another's order.
 */
#include <errno.h>
#include <linux/kvm.h>
#include <string.h>
#include <sys/ioctl.h>

#include "core/snapbuf.h"
#include "core/vm.h"
#include "util.h"

#define TAG_PIT2	SNAP_TAG('P', 'I', 'T', '2')
#define TAG_CLOCK	SNAP_TAG('C', 'L', 'O', 'K')

static const struct chip {
	uint32_t tag, id;
} chips[] = {
	{ SNAP_TAG('P', 'I', 'C', 'M'), KVM_IRQCHIP_PIC_MASTER },
	{ SNAP_TAG('P', 'I', 'C', 'S'), KVM_IRQCHIP_PIC_SLAVE },
	{ SNAP_TAG('I', 'O', 'A', 'P'), KVM_IRQCHIP_IOAPIC },
};

int arch_vm_save(struct vm *vm, struct snap_w *w)
{
	struct kvm_pit_state2 pit;
	struct kvm_clock_data clk;

	for (size_t i = 0; i < ARRAY_SIZE(chips); i++) {
		struct kvm_irqchip c = { .chip_id = chips[i].id };

		if (ioctl(vm->vm_fd, KVM_GET_IRQCHIP, &c) < 0)
			return -errno;
		snapw_put(w, chips[i].tag, 0, &c, sizeof(c));
	}
	if (ioctl(vm->vm_fd, KVM_GET_PIT2, &pit) < 0 || ioctl(vm->vm_fd, KVM_GET_CLOCK, &clk) < 0)
		return -errno;
	snapw_put(w, TAG_PIT2, 0, &pit, sizeof(pit));
	snapw_put(w, TAG_CLOCK, 0, &clk, sizeof(clk));
	return w->err;
}

/* Every record there, of its size, each chip's for its own chip.  0 or -EINVAL. */
static int check_vm(const struct snap_r *r, struct kvm_irqchip *c, struct kvm_pit_state2 *pit,
		    struct kvm_clock_data *clk)
{
	for (size_t i = 0; i < ARRAY_SIZE(chips); i++) {
		if (snapr_get(r, chips[i].tag, 0, &c[i], sizeof(c[i])) || c[i].chip_id != chips[i].id)
			return -EINVAL;
	}
	if (snapr_get(r, TAG_PIT2, 0, pit, sizeof(*pit)) ||
	    snapr_get(r, TAG_CLOCK, 0, clk, sizeof(*clk)))
		return -EINVAL;
	return 0;
}

int arch_vm_load(struct vm *vm, const struct snap_r *r, bool check)
{
	struct kvm_irqchip c[ARRAY_SIZE(chips)];
	struct kvm_pit_state2 pit;
	struct kvm_clock_data clk;
	int e = check_vm(r, c, &pit, &clk);

	if (e) {
		log_debug("snapshot's irqchip, PIT or clock record missing or of the wrong size");
		return e;
	}
	if (check)
		return 0;
	for (size_t i = 0; i < ARRAY_SIZE(chips); i++) {
		if (ioctl(vm->vm_fd, KVM_SET_IRQCHIP, &c[i]) < 0)
			return -errno;
	}
	if (ioctl(vm->vm_fd, KVM_SET_PIT2, &pit) < 0)
		return -errno;
	/*
	 * The clock value alone, flags 0: the guest's kvmclock goes on from
	 * where it was saved (KVM_CLOCK_REALTIME would make it count the time
	 * the snapshot lay unused, which the guest was not running for).
	 */
	clk = (struct kvm_clock_data){ .clock = clk.clock };
	if (ioctl(vm->vm_fd, KVM_SET_CLOCK, &clk) < 0)
		return -errno;
	return 0;
}
