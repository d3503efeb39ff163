/*
 * dbg.h -- internals of the debug target (the VM side of the debug server):
 * shared by target.c (the ops table), state.c (register snapshots, memory),
 * breaks.c (breakpoints, watchpoints), monitor.c and coredump.c.
 * Everything here runs on the event thread while the machine is stopped.
 */
#ifndef HYVE_DEBUG_DBG_H
#define HYVE_DEBUG_DBG_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "core/event.h"
#include "gdb/target.h"
#include "arch/x86/gdb_regs.h"
#include "core/vcpu.h"
#include "core/vm.h"
#include "arch/x86/walk.h"

struct rsp_buf;

struct dcache {
	bool valid, dirty;
	struct vcpu_state st;
	uint8_t ymmh[16][16];
};

#define HW_SLOTS	4
#define MAX_SWBP	4096

struct swbp_map {
	uint64_t va, gpa;
	int hw_slot;			/* >= 0: done with a debug register instead */
};

struct dtarget {
	struct vm *vm;
	struct event_work stopped;	/* the all-parked notice (posted by vCPU threads) */
	bool phys;			/* monitor phys on: memory packets are guest-physical */
	bool cr3_set;			/* monitor cr3: translate through this CR3 */
	uint64_t cr3;
	int reported_cpu;		/* the vCPU the last stop reply named, or -1 */
	int cur_cpu;			/* the vCPU the debugger looked at last */
	int pending_exit;		/* guest ended the machine while attached: status, or -1 */
	bool attached;
	uint64_t hw_addr[HW_SLOTS];
	bool hw_used[HW_SLOTS];
	bool hw_for_sw[HW_SLOTS];	/* the slot stands in for a Z0 (real mode) */
	struct swbp_map *sw;		/* where each Z0 address went */
	int nsw;
	bool has_avx;
	bool step_irq;			/* let interrupts in during single steps */
	int last_cpu;			/* the vCPU the debugger last resumed */
	struct dcache cache[VM_MAX_CPUS];
	/* breakpoint hits that lost the race to be reported (target.c) */
	struct pending_hit {
		bool valid;
		enum vcpu_stop_reason reason;
		uint64_t seq;
		struct kvm_debug_exit_arch arch;
	} pending[VM_MAX_CPUS];
};


/* state.c */
/* The vCPU's snapshot, fetched from KVM once per stop.  0 or -errno. */
int dbg_load(struct dtarget *t, int cpu, struct dcache **out);
/* The same, with debug registers, events and MP state too (monitor, dumps). */
int dbg_load_full(struct dtarget *t, int cpu, struct dcache **out);
void dbg_to_gdb(const struct dtarget *t, const struct dcache *c, struct x86_gdb_state *g);
void dbg_from_gdb(struct dcache *c, const struct x86_gdb_state *g);
/* Forget every snapshot without writing it back (the machine was reset). */
void dbg_invalidate(struct dtarget *t);
/* Write back changed snapshots, forget all.  0 or the first -errno. */
int dbg_flush(struct dtarget *t);
/* Paging context of vCPU cpu (honours monitor cr3).  0 or -errno. */
int dbg_walk_ctx(struct dtarget *t, int cpu, struct walk_ctx *w);
/* Memory through vCPU cpu's view (or physical in phys mode): bytes, or -errno. */
long dbg_xfer(struct dtarget *t, int cpu, uint64_t addr, uint8_t *buf, size_t len, bool write);
int dbg_translate(struct dtarget *t, int cpu, uint64_t va, uint64_t *gpa);

/* breaks.c */
void dbg_apply_debug(struct dtarget *t, bool attached);
int dbg_sw_break(struct dtarget *t, bool insert, uint64_t va);
int dbg_hw_break(struct dtarget *t, bool insert, uint64_t va);
int dbg_watchpoint(struct dtarget *t, bool insert, enum gdb_bp_type type, uint64_t va,
		   uint64_t len);
void dbg_remove_all(struct dtarget *t);

/* monitor.c: one `monitor` command.  0, or -ENOENT for an unknown command. */
int dbg_monitor(struct dtarget *t, const char *cmd, struct rsp_buf *out);

/* coredump.c: an ELF core of guest memory with a note per vCPU.  0 or -errno. */
int dbg_coredump(struct dtarget *t, const char *path, char *err, size_t errlen);

#endif
