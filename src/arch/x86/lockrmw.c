/* lockrmw.c (x86) -- recognising locked read-modify-writes; see lockrmw.h. */
#include <sys/ioctl.h>

#include "arch/x86/lockrmw.h"
#include "arch/x86/vcpu.h"
#include "core/exit.h"
#include "core/gmem.h"
#include "core/vcpu.h"
#include "core/vm.h"

#define X86_PREFIX_LOCK	0xf0
#define X86_MAX_INSN	15

bool x86_locked_rmw(const uint8_t *p, size_t n, bool long64)
{
	size_t i;

	if (n > X86_MAX_INSN)
		n = X86_MAX_INSN;
	for (i = 0; i < n; i++) {
		switch (p[i]) {
		case X86_PREFIX_LOCK:
			return true;
		case 0xf2: case 0xf3:				/* rep */
		case 0x26: case 0x2e: case 0x36: case 0x3e:	/* segments */
		case 0x64: case 0x65:
		case 0x66: case 0x67:				/* operand, address size */
			continue;
		}
		break;
	}
	if (long64 && i < n && (p[i] & 0xf0) == 0x40)
		i++;		/* REX */
	/* xchg r/m8, r8 and xchg r/m, r with a memory operand (ModRM.mod != 3) */
	return i + 1 < n && (p[i] == 0x86 || p[i] == 0x87) && (p[i + 1] >> 6) != 3;
}

bool arch_mmio_locked_rmw(struct vcpu *v)
{
	struct kvm_regs r;
	struct kvm_sregs s;
	const uint8_t *p = NULL;
	uint64_t gpa;
	size_t n = X86_MAX_INSN;

	/* at an MMIO read the instruction has not retired: rip is at it */
	if (ioctl(v->fd, KVM_GET_REGS, &r) < 0 || ioctl(v->fd, KVM_GET_SREGS, &s) < 0)
		return false;
	gpa = x86_rip_gpa(v, &r, &s);
	if (gpa == ~0ULL)
		return false;
	while (n && !(p = gmem_ptr(&v->vm->mem, gpa, n)))
		n--;		/* near the end of RAM */
	return n && x86_locked_rmw(p, n, x86_long64(&s));
}
