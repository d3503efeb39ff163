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
#include <stdbool.h>
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

/* Memory an emulated instruction reads or writes, by virtual address: 0 or -errno. */
struct x86_mem {
	int (*read)(void *opaque, uint64_t va, void *buf, size_t len);
	int (*write)(void *opaque, uint64_t va, const void *buf, size_t len);	/* all or nothing */
	void *opaque;
};

/*
 * The original instruction under a software breakpoint, executed here so
 * that the vCPU can go on past a breakpoint whose condition is false
 * without the byte being lifted for the other vCPUs: the common first
 * instructions of functions, in 64-bit mode only.  Returns the length (rip
 * not yet advanced), or 0 if it is not one of these (or its memory access
 * failed: then regs are unchanged).  Flags are set as the CPU sets them.
 *   nop (90, 66 90, pause f3 90), nopw/nopl with any ModRM operand
 *     (0f 1f /0, e.g. the 5-byte ftrace nop 0f 1f 44 00 00, with 66/2e prefixes)
 *   endbr64, endbr32 (f3 0f 1e fa/fb)
 *   push %r64 (50+r, REX.B), push $imm8/$imm32 (6a, 68): through mem->write
 *   mov $imm, %r32/%r64 (b8+r); mov %r, %r (89, 8b)
 *   mov between a register and memory (89, 8b with a ModRM memory operand:
 *     base + index * scale + displacement, rip-relative; no segment
 *     override, no 0x67): through mem->read / mem->write
 *   add/or/adc/sbb/and/sub/xor/cmp between registers (01..3b) and with an
 *     immediate (81, 83: sub $0x20,%rsp, and $-16,%rsp ...), test %r,%r (85);
 *     16-, 32- and 64-bit operands
 */
int x86_emulate_entry(struct kvm_regs *regs, const uint8_t *code, size_t len,
		      const struct x86_mem *mem);

#endif
