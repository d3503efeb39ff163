/*
 * emulate_sys.h -- system instructions hyve completes itself when the host's
 * KVM reports an emulation failure on them and they need more than the
 * registers: the descriptor tables in guest memory.  So far `lsl reg, reg`
 * (load segment limit), which Linux's NMI and paranoid entries use to read
 * the CPU number from the per-CPU GDT entry (LOAD_CPU_AND_NODE_SEG_LIMIT):
 * a KVM that emulates ring 0 in software cannot run it.  Pure (memory through
 * a callback), so it is unit-tested.
 */
#ifndef HYVE_X86_EMULATE_SYS_H
#define HYVE_X86_EMULATE_SYS_H

#include <linux/kvm.h>
#include <stddef.h>
#include <stdint.h>

/* Read len bytes of guest memory at a linear address.  0 or -errno. */
typedef int (*x86_read_lin_fn)(void *opaque, uint64_t lin, void *buf, size_t len);

/*
 * If code holds `lsl r, r/m` with a register source (0f 03 /r, prefixes
 * 66/REX), execute it on regs: the limit of the descriptor the selector
 * names (byte-granular, scaled by G), ZF=1, when it is one LSL may read at
 * the current privilege; ZF=0 and the destination unchanged otherwise.
 * Returns the instruction's length (rip not advanced), or 0 if it is not one
 * of ours or the descriptor table could not be read.
 */
int x86_emulate_lsl(struct kvm_regs *regs, const struct kvm_sregs *sregs, const uint8_t *code,
		    size_t len, x86_read_lin_fn read_lin, void *opaque);

#endif
