/*
 * dbg.h -- internals of the debug target (the VM side of the debug server),
 * shared by its files:
 *   target.c       the gdb_target_ops table: registers, memory, run control
 *   state.c        register snapshots per stop, memory through a vCPU's view
 *   breakpoints.c  policy: the debugger's Z packets onto the trap mechanisms
 *   stops.c        policy: which stop to report, as what; step-over; pending hits
 *   cond.c         the conditions and commands gdb gave breakpoints (cond.h)
 *   cond_hit.c     their evaluation at a hit, on the vCPU's thread; dprintf output
 *   monitor.c      `monitor` commands (arch/<name>/monitor.c adds its own)
 *   monitor_qemu.c the generic ones QEMU's monitor has, with QEMU's output
 *   coredump.c     `monitor dump`
 * Everything here runs on the event thread while the machine is stopped,
 * except the hit filter (cond_hit.c), which runs on a vCPU thread and
 * touches only what its comment says.
 */
#ifndef HYVE_DEBUG_DBG_H
#define HYVE_DEBUG_DBG_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "core/event.h"
#include "core/vcpu.h"
#include "core/vm.h"
#include "debug/arch.h"
#include "debug/cond.h"
#include "gdb/target.h"

struct rsp_buf;

/* One vCPU's registers as fetched at this stop (written back if dirty). */
struct dcache {
	bool valid, dirty;
	struct vcpu_state st;
};

#define MAX_SWBP	4096

/*
 * Where one Z0 address went: a breakpoint byte at gpa, or a debug register,
 * or (page) its page hidden for it (core/trap_page.h TRAP_WATCH_EXEC at gpa),
 * where arch_breaks_by_page says so; there a Z1 (z1) goes the same way.
 */
struct swbp_map {
	uint64_t va, gpa;
	int hw_slot;			/* >= 0: done with a debug register instead */
	bool page;			/* done by trapping the page */
	bool z1;			/* a Z1 (page only) */
};

/*
 * dprintf text on its way from the vCPU threads (which must not block on the
 * debugger's socket) to the event thread, which sends it as O packets or
 * logs it.  A bounded ring under its own lock (held for a copy); text that
 * does not fit is dropped and counted.
 */
#define COND_OUT_RING	65536
struct cond_out {
	pthread_mutex_t lock;		/* guards the fields below */
	char buf[COND_OUT_RING];
	size_t head, len;		/* the text: len bytes from head, wrapping */
	uint64_t dropped;		/* bytes dropped since the last drain */
	struct event_work work;		/* the drain (posted by vCPU threads) */
};

/* A stop that lost the race to be reported, kept for the next resume (stops.c). */
struct pending_hit {
	bool valid;
	struct vcpu_stop stop;
};

/* The machine at each resume while attached: reverse execution (history.c). */
struct dhist {
	bool on;			/* record (history.record; monitor history on|off) */
	bool said_fail;			/* the log has said a recording failed */
	uint64_t limit;			/* bytes of RAM copies kept at most (history.limit) */
	struct snapshot **e;		/* oldest first */
	int n, cap;
	uint64_t pages;			/* pages of RAM the entries hold between them */
};

struct dtarget {
	struct vm *vm;
	struct event_work stopped;	/* the all-parked notice (posted by vCPU threads) */
	bool phys;			/* memory packets take guest-physical addresses */
	bool root_set;			/* monitor cr3: translate through this page-table root */
	uint64_t root;
	int reported_cpu;		/* the vCPU the last stop reply named, or -1 */
	int stop_cpu;			/* the same, kept across resumes (memory reads fall back to it) */
	int cur_cpu;			/* the vCPU the debugger looked at last */
	int pending_exit;		/* the machine ended while attached: status, or -1 */
	char pending_why[96];		/* and why, as logged */
	bool attached;			/* atomic: read by vCPU threads (guest_exit_hook) */
	bool step_irq;			/* let interrupts in during single steps */
	bool said_hw_only;		/* the log has said why Z0 takes a debug register */
	bool said_page;			/* ... why breakpoints trap their pages */
	bool step_off;			/* Qqemu.sstep=0: a step request runs freely, as in QEMU */
	char fmt_format;		/* monitor x/xp: the last format and unit size (QEMU */
	int fmt_size;			/* remembers them for the next command); 0: none yet */
	int last_cpu;			/* the vCPU the debugger last resumed */
	bool released;			/* a debugger has resumed the machine (-G w: held until then) */
	/* hardware instruction breakpoints (Z1, and Z0 where arch_swbp_mode says so) */
	uint64_t hw_addr[ARCH_HW_SLOTS];
	bool hw_used[ARCH_HW_SLOTS];
	bool hw_for_sw[ARCH_HW_SLOTS];	/* the slot stands in for a Z0 */
	struct swbp_map *sw;		/* where each Z0 address went */
	int nsw;
	struct dcache cache[VM_MAX_CPUS];
	struct pending_hit pending[VM_MAX_CPUS];
	/* target-side conditions and commands (cond_hit.c) */
	struct cond_table conds;	/* its own lock: vCPU threads evaluate */
	struct cond_out out;		/* its own lock: vCPU threads write */
	bool stop_wanted;		/* the debugger asked for a stop since the last resume */
	enum vcpu_action run_act[VM_MAX_CPUS];	/* the last resume's actions */
	bool step_over[VM_MAX_CPUS];	/* left at our byte by a hit that went on: step past
					 * it when it next runs (stops.c) */
	/* atomic: how hits that went on got past our breakpoint byte (monitor conds) */
	uint64_t past_exec;		/* the instruction executed by hyve */
	uint64_t past_step;		/* a step with the byte lifted ... */
	uint64_t past_world;		/* ... of them with every vCPU stopped */
	struct dhist hist;		/* reverse execution (history.c) */
};

/* target.c: the machine back to its boot state, everything the debugger
 * knew of the last stop forgotten (monitor reset, vRun).  0 or -errno. */
int dbg_reset(struct dtarget *t);

/* state.c */
/* The vCPU's snapshot, fetched from KVM once per stop.  0 or -errno. */
int dbg_load(struct dtarget *t, int cpu, struct dcache **out);
/* The same, with debug registers, events and MP state too (monitor, dumps). */
int dbg_load_full(struct dtarget *t, int cpu, struct dcache **out);
/* Forget every snapshot without writing it back (the machine was reset). */
void dbg_invalidate(struct dtarget *t);
/* Write back changed snapshots, forget all.  0 or the first -errno. */
int dbg_flush(struct dtarget *t);
/* Paging context of vCPU cpu (honours monitor cr3).  0 or -errno. */
int dbg_walk_ctx(struct dtarget *t, int cpu, struct walk_ctx *w);
/* Memory through vCPU cpu's view (or physical in phys mode): bytes, or -errno. */
long dbg_xfer(struct dtarget *t, int cpu, uint64_t addr, uint8_t *buf, size_t len, bool write);
int dbg_translate(struct dtarget *t, int cpu, uint64_t va, uint64_t *gpa);
/*
 * Any thread: the same access through a given paging context (NULL:
 * physical), e.g. a vCPU's own at its hit; the bounds are the same as for
 * the debugger's (RAM, ROM, MMIO; our breakpoint bytes shadowed).
 */
long dbg_mem_xfer(struct vm *vm, const struct walk_ctx *w, uint64_t addr, uint8_t *buf,
		  size_t len, bool write);
/* The paging context of these registers (the vCPU's own page tables). */
void dbg_walk_ctx_of(struct vm *vm, const struct vcpu_state *st, struct walk_ctx *w);
/* dbg_xfer read with the address kind chosen here (monitor x/xp), not by `phys`. */
long dbg_read_as(struct dtarget *t, int cpu, uint64_t addr, uint8_t *buf, size_t len, bool phys);

/* breakpoints.c */
/* Hand the breakpoint settings to every vCPU (attached: breakpoint bytes trap to us). */
void dbg_apply_debug(struct dtarget *t, bool attached);
int dbg_sw_break(struct dtarget *t, bool insert, uint64_t va);
int dbg_hw_break(struct dtarget *t, bool insert, uint64_t va);
int dbg_watchpoint(struct dtarget *t, bool insert, enum gdb_bp_type type, uint64_t va,
		   uint64_t len);
void dbg_remove_all(struct dtarget *t);
/* Detach: remove all but what gdb asked to outlive it (dprintf); true if some remain. */
bool dbg_remove_for_detach(struct dtarget *t);
/* Did the debugger set a Z0 at this address (or, with `hw`, also a Z1)? */
bool dbg_break_at(const struct dtarget *t, uint64_t va, bool hw);
/* Is debug-register slot i standing in for a Z0? */
bool dbg_slot_is_sw(const struct dtarget *t, unsigned slots);

/* stops.c: see there. */
int dbg_stop_info(struct dtarget *t, struct gdb_stop *out);
/*
 * After an all-stop: if it only happened to step vCPUs past breakpoints
 * whose hits went on (HIT_STEP_OVER), do that and resume as before; true
 * then (nothing to report).
 */
bool dbg_step_over_silently(struct dtarget *t);
/* Detach: step every vCPU a hit left on our byte past it now. */
void dbg_step_over_pending(struct dtarget *t);
int dbg_take_pending(struct dtarget *t, const enum gdb_resume *actions);
/* A resume that steps one vCPU alone over an instruction the arch does itself
 * (arch_emulate_step): done on the snapshot and reported as a step.  The vCPU, or -1. */
int dbg_emulate_step(struct dtarget *t, const enum gdb_resume *actions);
void dbg_prepare_resume(struct dtarget *t, const enum gdb_resume *actions);

/* cond_hit.c */
/* vm->hit_filter: on the vCPU's own thread (see core/vm.h). */
enum hit_verdict dbg_hit_filter(void *opaque, struct vcpu *v);
/* The same with the vCPU's state read and written through io (tests: a buffer). */
struct hit_io {
	int (*get)(struct vcpu *v, struct vcpu_state *st, unsigned parts);
	int (*set)(struct vcpu *v, const struct vcpu_state *st);
};
enum hit_verdict dbg_hit_filter_io(struct dtarget *t, struct vcpu *v, const struct hit_io *io);
void dbg_cond_out_init(struct dtarget *t);
void dbg_cond_out_destroy(struct dtarget *t);

/* monitor.c: one `monitor` command.  0, or -ENOENT for an unknown command. */
int dbg_monitor(struct dtarget *t, const char *cmd, struct rsp_buf *out);

/* A monitor command: `name` and its arguments (after one space; "" if none). */
struct mon_cmd {
	const char *name;
	const char *usage;		/* the arguments, for help ("" none) */
	const char *help;
	/* 0, -EINVAL (bad arguments: the usage line is shown), or -errno */
	int (*fn)(struct dtarget *t, const char *args, struct rsp_buf *out);
};
/* The architecture's commands (arch/<name>/monitor.c), and QEMU's generic ones. */
extern const struct mon_cmd arch_mon_cmds[];
extern const int arch_mon_ncmds;
extern const struct mon_cmd qemu_mon_cmds[];
extern const int qemu_mon_ncmds;
/* A monitor command's address argument: a number as C writes it (0x.., 0.., decimal). */
int mon_parse_addr(const char *s, uint64_t *out);

/* history.c: see there.  Event thread, machine stopped. */
void dbg_history_init(struct dtarget *t);
void dbg_history_destroy(struct dtarget *t);
void dbg_history_clear(struct dtarget *t);
void dbg_history_record(struct dtarget *t);
void dbg_history_limit(struct dtarget *t, uint64_t bytes);
int dbg_reverse(struct dtarget *t, int cpu, bool cont, struct gdb_stop *out);

/* monitor_snap.c: savevm, loadvm, delvm, info snapshots, history. */
extern const struct mon_cmd snap_mon_cmds[];
extern const int snap_mon_ncmds;
/* The machine changed under the debugger (loadvm): forget what it knew of the last stop. */
void dbg_forget_stop(struct dtarget *t);

/* coredump.c: an ELF core of guest memory with a note per vCPU.  0 or -errno. */
int dbg_coredump(struct dtarget *t, const char *path, char *err, size_t errlen);

#endif
