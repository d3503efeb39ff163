/*
 * target.h -- the debug server's only view of the machine: one small ops table.
 * The debug target implements it over the VM (src/debug/target.c); unit tests
 * and the fuzzer implement it over buffers.  Every call is made on the event thread,
 * and only while the machine is stopped, except stop() (any time) and
 * resume() (when stopped).
 */
#ifndef HYVE_GDB_TARGET_H
#define HYVE_GDB_TARGET_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

struct ax_bp_opts;
struct rsp_buf;

enum gdb_resume {
	GDB_STAY,	/* stay stopped */
	GDB_CONT,	/* run */
	GDB_STEP,	/* one instruction, then stop */
	GDB_RANGE,	/* step while the pc stays in the range set by set_range() */
};

/* Why the machine stopped (for the stop reply). */
enum gdb_stop_kind {
	GDB_STOP_INTERRUPT,	/* stop() was called: T02 */
	GDB_STOP_STEP,		/* a step completed: T05 */
	GDB_STOP_SWBREAK,	/* software breakpoint: T05 swbreak: */
	GDB_STOP_HWBREAK,	/* hardware breakpoint: T05 hwbreak: */
	GDB_STOP_WATCH,		/* write watchpoint: T05 watch:addr */
	GDB_STOP_RWATCH,	/* read watchpoint: T05 rwatch:addr */
	GDB_STOP_AWATCH,	/* access watchpoint: T05 awatch:addr */
	GDB_STOP_TRAP,		/* other debug trap: T05 */
	GDB_STOP_EXITED,	/* the machine ended (power-off, reset...): W/X code */
	GDB_STOP_SIGNAL,	/* the guest tried to end the machine: T<code> (GDB signal) */
	GDB_STOP_REPLAYLOG,	/* reverse execution reached the start of the history: T05 replaylog:begin */
};

struct gdb_stop {
	enum gdb_stop_kind kind;
	int cpu;		/* the vCPU that stopped (0-based) */
	uint64_t addr;		/* watchpoints: the data address */
	int code;		/* GDB_STOP_EXITED: exit status; GDB_STOP_SIGNAL: signal */
};

/* QEMU's single-step flags (qqemu.sstepbits): step at all, with interrupts held off, timers stopped. */
enum { GDB_SSTEP_ENABLE = 1, GDB_SSTEP_NOIRQ = 2, GDB_SSTEP_NOTIMER = 4 };

/* Breakpoint types as in Z/z packets. */
enum gdb_bp_type { GDB_BP_SW = 0, GDB_BP_HW = 1, GDB_WP_WRITE = 2, GDB_WP_READ = 3,
		   GDB_WP_ACCESS = 4 };

struct gdb_target_ops {
	int (*ncpus)(void *t);
	/* The target description XML (NUL-terminated) and its length. */
	const char *(*target_xml)(void *t, size_t *len);

	/* Registers in the GDB `g` layout.  Bytes written, or -errno. */
	int (*read_regs)(void *t, int cpu, uint8_t *buf, size_t cap);
	int (*write_regs)(void *t, int cpu, const uint8_t *buf, size_t len);
	/* One register by GDB number.  Bytes written/used, or -errno (-ENOENT: no such). */
	int (*read_reg)(void *t, int cpu, int regno, uint8_t *buf, size_t cap);
	int (*write_reg)(void *t, int cpu, int regno, const uint8_t *buf, size_t len);

	/*
	 * Guest memory through vCPU `cpu`'s view (virtual, or physical in phys mode).
	 * Returns bytes transferred (short at the first fault), or -errno if the
	 * very first byte failed.  Never touches host memory outside guest RAM.
	 */
	long (*read_mem)(void *t, int cpu, uint64_t addr, uint8_t *buf, size_t len);
	long (*write_mem)(void *t, int cpu, uint64_t addr, const uint8_t *buf, size_t len);
	/*
	 * Optional (NULL: not offered): do memory packets take guest-physical
	 * addresses (1) or virtual ones (0, the default)?  `set` 0 or 1 sets the
	 * mode, -1 only asks.  Returns the mode in force, or -errno.
	 */
	int (*phys_mode)(void *t, int set);
	/*
	 * Optional (NULL: not offered): QEMU's single-step flags (GDB_SSTEP_*,
	 * the qqemu.sstep packets).  `set` >= 0 sets them, -1 only asks.
	 * Returns the flags in force, -EINVAL for flags it cannot honour, or -errno.
	 */
	int (*sstep_flags)(void *t, int set);

	/* Release vCPUs with per-vCPU actions (array of ncpus).  0 or -errno. */
	int (*resume)(void *t, const enum gdb_resume *actions);
	/*
	 * Optional (NULL: range stepping not offered): the [start, end) range a
	 * GDB_RANGE action of vCPU cpu steps in; called just before resume().
	 */
	int (*set_range)(void *t, int cpu, uint64_t start, uint64_t end);
	/* Ask every vCPU to stop; completion is signalled by gdb_server_stopped(). */
	int (*stop)(void *t);
	/* After a stop: which vCPU to report and why.  0 or -errno. */
	int (*stop_info)(void *t, struct gdb_stop *out);

	/* Insert/remove a breakpoint or watchpoint.  0, -EOPNOTSUPP (empty reply), -errno. */
	int (*breakpoint)(void *t, bool insert, enum gdb_bp_type type, uint64_t addr,
			  uint64_t kind);
	/*
	 * Optional (NULL: target-side conditions and commands not offered):
	 * the condition and command lists (gdb/ax.h) of the breakpoint or
	 * watchpoint that breakpoint() has just inserted, replacing what it had
	 * (gdb re-sends a Z to change them); empty lists make it plain again.
	 * Every expression has passed ax_check.  The target takes them: *o is
	 * left empty.  0 or -errno (then the breakpoint stays, unconditional).
	 */
	int (*bp_opts)(void *t, enum gdb_bp_type type, uint64_t addr, uint64_t kind,
		       struct ax_bp_opts *o);
	/* Debugger gone or detached: remove breakpoints, resume everything. */
	void (*detach)(void *t);
	/* `k`/`vKill` (extended mode: once the debugger leaves without `run`): end the machine. */
	void (*kill)(void *t);
	/* `monitor CMD` (qRcmd): append text output to out.  0 or -errno (-ENOENT: unknown). */
	int (*monitor)(void *t, const char *cmd, struct rsp_buf *out);
	/* Optional: a one-line description of a vCPU for qThreadExtraInfo (NULL: none). */
	int (*thread_extra)(void *t, int cpu, char *buf, size_t cap);
	/*
	 * Optional (NULL: no reverse execution): go back in the machine's
	 * history of stops, synchronously.  `cont` false (bs): back over the
	 * last step or continue of vCPU cpu; true (bc): back to the latest
	 * earlier stop at which a breakpoint or watchpoint inserted now would
	 * have stopped.  The stop to report goes to out (GDB_STOP_REPLAYLOG
	 * where the history begins).  0 or -errno.
	 */
	int (*reverse)(void *t, int cpu, bool cont, struct gdb_stop *out);
	/*
	 * Optional (NULL: no extended mode, so no `run`): put the machine back
	 * to its boot state and keep every vCPU stopped there.  0 or -errno.
	 */
	int (*restart)(void *t);
};

#endif
