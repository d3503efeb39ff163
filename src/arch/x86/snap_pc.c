/* snap_pc.c (x86) -- the pc of a vCPU as a snapshot holds it (debug/arch.h). */
#include <errno.h>
#include <linux/kvm.h>

#include "core/snapbuf.h"
#include "debug/arch.h"

/* The register record arch/x86/snapshot.c writes: struct kvm_regs. */
#define TAG_REGS	SNAP_TAG('R', 'E', 'G', 'S')

int arch_snap_pc(const struct snap_r *r, int cpu, uint64_t *pc)
{
	struct kvm_regs regs;
	int e = snapr_get(r, TAG_REGS, (uint32_t)cpu, &regs, sizeof(regs));

	if (e)
		return e;
	*pc = regs.rip;
	return 0;
}
