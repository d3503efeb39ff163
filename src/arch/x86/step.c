/*
 * step.c (x86) -- single steps that would not end.
 *
 * The debug server holds interrupts off during a step (KVM_GUESTDBG_BLOCKIRQ)
 * so that a step does not land in an interrupt handler.  Two kinds of step
 * then need help, both in every kernel's idle loop, `sti; hlt`:
 *  - `sti` with IF=0 (it opens a one-instruction interrupt shadow): under
 *    nested SVM (tests/svm/l1run.sh) its single step was seen never to end,
 *    with interrupts held off or not, and the guest stayed stopped with
 *    IF=0 for good -- QEMU's gdbstub does the same on kvm_pvm hosts.  hyve
 *    does that instruction itself (arch_emulate_step): IF set, the pc past
 *    it, the shadow set, no KVM_RUN.  In range stepping the vCPU stops before
 *    one, so that the debugger's next step does it.
 *  - `hlt` (and a sti that KVM steps, e.g. with another vCPU running): the
 *    step lets interrupts in, as the interrupt held off is the one that
 *    would end the halt.  It ends after the hlt, or at the first
 *    instruction of the handler of the interrupt that woke it.
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

enum arch_next arch_step_next_gpa(struct vcpu *v, const struct kvm_debug_exit_arch *a,
				  uint64_t *gpa)
{
	struct kvm_translation t = { .linear_address = a->pc };
	const uint8_t *p;
	size_t n, i;

	*gpa = ~0ULL;
	/* the trap's pc is linear (CS base included); KVM_TRANSLATE also serves paging off */
	if (ioctl(v->fd, KVM_TRANSLATE, &t) < 0 || !t.valid)
		return ARCH_NEXT_PLAIN;
	*gpa = t.physical_address;
	/* a few bytes, within the page: a sti; hlt split across pages is not worth a walk */
	n = 0x1000 - (t.physical_address & 0xfff);
	if (n > 8)
		n = 8;
	p = gmem_ptr(&v->vm->mem, t.physical_address, n);
	if (!p)
		return ARCH_NEXT_PLAIN;
	i = opcode_at(p, n, 0);
	/* a sti is the debugger's to do (arch_emulate_step): end the range step before it */
	if (i < n && p[i] == OP_STI)
		return ARCH_NEXT_STOP;
	return x86_insn_waits_irq(p, n) ? ARCH_NEXT_WAITS_IRQ : ARCH_NEXT_PLAIN;
}

enum arch_next arch_step_next(struct vcpu *v, const struct kvm_debug_exit_arch *a)
{
	uint64_t gpa;

	return arch_step_next_gpa(v, a, &gpa);
}

/*
 * A single step of a sti that opens the interrupt shadow (IF was 0) is done
 * here rather than by KVM: under nested SVM such a step was seen never to
 * end, with interrupts held off or not (while one with IF already 1 ends).
 * The instruction's whole effect is simple: IF set, the pc past it, and the
 * one-instruction shadow, so that a sti; hlt still cannot lose its wake-up.
 * Only where the sti would not fault (CPL <= IOPL, or real mode).
 */
bool arch_emulate_step(struct vcpu_state *st, const uint8_t *code, size_t n)
{
	struct kvm_regs *r = &st->regs;
	const struct kvm_sregs *s = &st->sregs;
	unsigned cpl = s->cs.selector & 3, iopl = (unsigned)(r->rflags >> X86_RFLAGS_IOPL_SHIFT) & 3;
	size_t i = opcode_at(code, n, 0);
	uint64_t mask;

	if (!(st->parts & VS_EXTRA) || i >= n || code[i] != OP_STI || (r->rflags & X86_RFLAGS_IF))
		return false;
	if ((s->cr0 & X86_CR0_PE) && cpl > iopl)
		return false;		/* the guest gets its #GP from the real thing */
	mask = !(s->cr0 & X86_CR0_PE) ? 0xffff : (s->efer & X86_EFER_LMA) && s->cs.l ? ~0ULL :
	       s->cs.db ? 0xffffffff : 0xffff;
	r->rip = (r->rip & ~mask) | ((r->rip + i + 1) & mask);
	r->rflags |= X86_RFLAGS_IF;
	st->events.interrupt.shadow = KVM_X86_SHADOW_INT_STI;
	st->events.flags |= KVM_VCPUEVENT_VALID_SHADOW;
	st->set_events = true;
	return true;
}
