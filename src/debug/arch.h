/*
 * arch.h (debug) -- what the debug target asks of the architecture, which
 * implements it under arch/<name>/: the register set as gdb sees it, where
 * the pc is, how a vCPU translates addresses, what a debug exit was, and
 * how hardware breakpoints are encoded.  The debug target itself stays
 * architecture-free.
 */
#ifndef HYVE_DEBUG_ARCH_H
#define HYVE_DEBUG_ARCH_H

#include <linux/kvm.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "arch/arch.h"
#include "core/io.h"

struct vm;

/*
 * Find out what the host's KVM does with the debug facilities (a throw-away
 * guest; once, before the vCPUs run): the debug target calls it when it is
 * created, so that a machine without a debugger pays nothing.
 */
void arch_debug_probe(struct vm *vm);

/* ---- registers in gdb's layout ---- */

/* The state parts a register snapshot needs (VS_CORE, plus vector state where the guest has it). */
unsigned arch_gdb_state_parts(const struct vm *vm);
/* The target description XML (NUL-terminated) and its length. */
const char *arch_gdb_target_xml(const struct vm *vm, size_t *len);
/* How many registers gdb numbers. */
int arch_gdb_nregs(const struct vm *vm);
/* State parts register regno needs beyond arch_gdb_state_parts (VS_EXTRA: debug registers). */
unsigned arch_gdb_reg_parts(const struct vm *vm, int regno);
/* The 'g' image of st.  Bytes written, or -ENOSPC. */
int arch_gdb_get_regs(const struct vm *vm, const struct vcpu_state *st, uint8_t *buf, size_t cap);
/* Load a 'G' image into st.  0 or -EINVAL. */
int arch_gdb_set_regs(const struct vm *vm, struct vcpu_state *st, const uint8_t *buf, size_t len);
/* One register ('p'): its size, -ENOENT (no such register) or -ENOSPC. */
int arch_gdb_get_reg(const struct vm *vm, const struct vcpu_state *st, int regno, uint8_t *buf,
		     size_t cap);
/* One register ('P'): 0, -ENOENT or -EINVAL (wrong size). */
int arch_gdb_set_reg(const struct vm *vm, struct vcpu_state *st, int regno, const uint8_t *buf,
		     size_t len);

/*
 * One register by gdb number as a number, for agent expressions (`reg N`):
 * 0, -ENOENT (no such register), -E2BIG (wider than 64 bits: x87, vectors),
 * -ENODATA (st lacks the part it lives in: VS_REGS holds the general,
 * segment and control registers, VS_CORE all).
 */
int arch_gdb_reg_u64(const struct vm *vm, const struct vcpu_state *st, int regno, uint64_t *val);

/* ---- the vCPU as the debugger needs to know it ---- */

/* The pc as gdb sees it (the address breakpoints are set at). */
uint64_t arch_state_pc(const struct vcpu_state *st);
/* The pc of vCPU cpu in a snapshot's records (core/snapbuf.h).  0 or -errno. */
struct snap_r;
int arch_snap_pc(const struct snap_r *r, int cpu, uint64_t *pc);
/* The CPU mode in a few words ("long", "real", ...). */
const char *arch_mode_name(const struct vcpu_state *st);
/* How a software breakpoint (Z0) is done on this host, in this mode. */
enum arch_swbp_mode {
	ARCH_SWBP_MEM,		/* the breakpoint byte in guest memory */
	ARCH_SWBP_HW_IF_FREE,	/* a debug register if one is free, else the byte (real
				 * mode on a KVM that emulates ring 0: it runs int3 through
				 * the guest's vector table even when asked to trap it) */
	ARCH_SWBP_HW_ONLY,	/* a debug register or nothing: the host gives every int3
				 * to the guest (the start-up probe found it so) */
	ARCH_SWBP_PAGE,		/* the page holding the instruction hidden
				 * (core/trap_page.h TRAP_WATCH_EXEC): neither int3 nor
				 * the debug registers stop a guest on this host */
};
enum arch_swbp_mode arch_swbp_mode(const struct vm *vm, const struct vcpu_state *st);
/*
 * The start-up probe found that neither int3 nor a debug-register
 * instruction breakpoint stops a guest here: Z0 and Z1 both hide the page.
 */
bool arch_breaks_by_page(const struct vm *vm);
/* The linear address of the next instruction (the CS base added outside long mode). */
uint64_t arch_state_code_addr(const struct vcpu_state *st);
/*
 * Would a single step over the instruction in these code bytes (n read at
 * arch_state_code_addr) never end with interrupts held off, because it waits
 * for one (arch/x86/step.c says which)?  Such a step lets interrupts in.
 */
bool arch_insn_waits_irq(const uint8_t *code, size_t n);
/*
 * Do the single step of the instruction in these code bytes on the snapshot
 * itself, instead of running the vCPU, where a step by KVM would not end
 * (arch/x86/step.c: a sti that opens the interrupt shadow)?  st needs its
 * extra parts; true if done (st changed).
 */
bool arch_emulate_step(struct vcpu_state *st, const uint8_t *code, size_t n);
/* Does st translate virtual addresses through page tables (paging on)? */
bool arch_state_paging(const struct vcpu_state *st);
/*
 * The paging context st translates through; `root` (if not NULL) replaces
 * the page-table root (monitor cr3), with paging then taken as on.
 */
void arch_walk_ctx(const struct vcpu_state *st, const uint64_t *root, struct walk_ctx *w);
/* The vCPU stopped at an instruction breakpoint (a fault: the pc is still at
 * it): let it execute that instruction once when resumed. */
void arch_resume_past_break(struct vcpu_state *st);

/* Memory an instruction executed by arch_exec_at_break touches, by virtual address. */
struct arch_mem {
	int (*read)(void *opaque, uint64_t va, void *buf, size_t len);		/* 0 or -errno */
	int (*write)(void *opaque, uint64_t va, const void *buf, size_t len);	/* all or nothing */
	void *opaque;
};
/*
 * The vCPU is at a software breakpoint whose original instruction is
 * code[0..len): execute it here (registers in st, VS_REGS suffices; memory
 * through mem) and move the pc past it, if it is one the arch knows how to
 * (the common first instructions of functions).  False if not (st
 * unchanged): then it must run with the breakpoint lifted.
 */
bool arch_exec_at_break(struct vcpu_state *st, const uint8_t *code, size_t len,
			const struct arch_mem *mem);

/* ---- debug exits and hardware breakpoints ---- */

enum arch_debug_kind {
	ARCH_DEBUG_OTHER,	/* a debug trap the debugger did not ask for */
	ARCH_DEBUG_SWBP,	/* the breakpoint instruction trapped */
	ARCH_DEBUG_HWBP,	/* debug registers matched (slots in *slots) */
	ARCH_DEBUG_STEP,	/* a single step completed */
};

/* What a KVM_EXIT_DEBUG was; *slots gets the mask of matching hardware slots. */
enum arch_debug_kind arch_debug_kind(const struct kvm_debug_exit_arch *a, unsigned *slots);

#define ARCH_HW_SLOTS	4	/* instruction breakpoints in debug registers */

/* Add the hardware instruction breakpoints (slot i at addr[i] where used[i])
 * to KVM_SET_GUEST_DEBUG settings. */
void arch_hw_breaks(struct kvm_guest_debug *dbg, const uint64_t *addr, const bool *used);

/* ---- the machine as the monitor describes it ---- */

/* A range KVM itself emulates (not on hyve's bus), for `info mtree`. */
struct arch_region {
	uint64_t base, size;
	int prio;			/* QEMU's priority for it (the LAPIC's window wins) */
	const char *name;		/* as QEMU names it under KVM */
};
/* The in-kernel devices' ranges in one space, in address order: how many (at most max). */
int arch_kernel_regions(const struct vm *vm, enum io_space sp, struct arch_region *out, int max);

/* ---- core dumps ---- */

/* The ELF machine of a core file, and the size of one vCPU's NT_PRSTATUS. */
unsigned arch_core_machine(void);
size_t arch_core_prstatus_size(void);
/* Fill one vCPU's NT_PRSTATUS descriptor (arch_core_prstatus_size bytes). */
void arch_core_prstatus(const struct vcpu_state *st, int cpu, void *desc);
/* The notes that follow each vCPU's NT_PRSTATUS (FP state, system registers): how many. */
int arch_core_nnotes(void);
/* Note i: its name ("CORE", ...), type and descriptor size. */
void arch_core_note(int i, const char **name, uint32_t *type, size_t *size);
/* Fill note i's descriptor for one vCPU (st NULL: its registers could not be read). */
void arch_core_note_desc(int i, const struct vcpu_state *st, void *desc);

#endif
