/*
 * step.c (x86) -- single steps over instructions that wait for an interrupt.
 *
 * The debug server holds interrupts off during a step (KVM_GUESTDBG_BLOCKIRQ)
 * so that a step does not land in an interrupt handler.  A step that waits
 * for an interrupt then never ends: `hlt`, and above all `sti; hlt` -- the
 * idle loop of nearly every kernel -- whose one-instruction interrupt shadow
 * carries the single-step trap past the `hlt`: the vCPU halts inside the
 * step with the one thing that would wake it held off, and the guest looks
 * halted with IF=0 for good (QEMU's gdbstub does the same).  Such a step
 * lets interrupts in: it ends after the `hlt` or at the first instruction of
 * the handler of the interrupt that woke it.
 *
 * A vCPU already halted (stopped while it slept in `hlt`) needs nothing:
 * KVM makes it runnable when an interrupt is pending, without delivering it.
 */
#include <errno.h>
#include <linux/kvm.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/ioctl.h>

#include "arch/x86/regs.h"
#include "arch/x86/vcpu.h"
#include "core/gmem.h"
#include "core/vcpu.h"
#include "core/vm.h"
#include "debug/arch.h"

#define OP_HLT	0xf4
#define OP_STI	0xfb

/* Legacy prefixes, and REX (in 32-bit code 0x40-0x4f are inc/dec: taking one
 * for a prefix only lets interrupts into one more step, never fewer). */
static bool is_prefix(uint8_t b)
{
	switch (b) {
	case 0x26: case 0x2e: case 0x36: case 0x3e: case 0x64: case 0x65:
	case 0x66: case 0x67: case 0xf0: case 0xf2: case 0xf3:
		return true;
	default:
		return b >= 0x40 && b <= 0x4f;
	}
}

/* Index of the opcode after the prefixes from i, or n. */
static size_t opcode_at(const uint8_t *code, size_t n, size_t i)
{
	while (i < n && is_prefix(code[i]))
		i++;
	return i;
}

bool x86_insn_waits_irq(const uint8_t *code, size_t n)
{
	size_t i = opcode_at(code, n, 0);

	if (i >= n)
		return false;
	if (code[i] == OP_HLT)
		return true;
	if (code[i] != OP_STI)
		return false;
	i = opcode_at(code, n, i + 1);
	return i < n && code[i] == OP_HLT;
}

uint64_t arch_state_code_addr(const struct vcpu_state *st)
{
	const struct kvm_sregs *s = &st->sregs;

	if ((s->efer & X86_EFER_LMA) && s->cs.l)
		return st->regs.rip;
	return (s->cs.base + st->regs.rip) & 0xffffffffULL;
}

bool arch_insn_waits_irq(const uint8_t *code, size_t n)
{
	return x86_insn_waits_irq(code, n);
}

bool arch_step_next_waits_irq(struct vcpu *v, const struct kvm_debug_exit_arch *a)
{
	struct kvm_translation t = { .linear_address = a->pc };
	const uint8_t *p;
	size_t n;

	/* the trap's pc is linear (CS base included); KVM_TRANSLATE also serves paging off */
	if (ioctl(v->fd, KVM_TRANSLATE, &t) < 0 || !t.valid)
		return false;
	/* a few bytes, within the page: a sti; hlt split across pages is not worth a walk */
	n = 0x1000 - (t.physical_address & 0xfff);
	if (n > 8)
		n = 8;
	p = gmem_ptr(&v->vm->mem, t.physical_address, n);
	return p && x86_insn_waits_irq(p, n);
}
