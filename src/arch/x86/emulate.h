/*
 * emulate.h -- the few instructions hyve completes itself when the host's KVM
 * reports an emulation failure on them (a KVM that emulates guest ring 0 in
 * software cannot run them, and on such hosts the guest's CPUID cannot hide
 * them: it executes natively there).  Pure decoding/execution over a register
 * file, so it is unit-tested.
 */
#ifndef HYVE_X86_EMULATE_H
#define HYVE_X86_EMULATE_H

#include <linux/kvm.h>
#include <stddef.h>
#include <stdint.h>

/*
 * Try to execute the instruction in code[0..len) on regs (64-bit mode when
 * long64, else 16/32-bit per default operand size db).  Returns its length
 * (rip not yet advanced) if done, 0 if it is not one we know.
 *   fwait (9b)                      -- no x87 exception pending: nothing to do
 *   popcnt r, r  (f3 [REX] 0f b8 /r, register form)
 *   clac, stac   (0f 01 ca / cb: SMAP's RFLAGS.AC)
 */
int x86_emulate(struct kvm_regs *regs, const uint8_t *code, size_t len, int long64, int db);

/* General-purpose register n (0-15, REX-extended) in the hardware encoding order. */
__u64 *x86_gpr(struct kvm_regs *regs, unsigned n);

#endif
