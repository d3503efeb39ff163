/*
 * ax.h -- GDB agent expressions: the bytecode GDB sends with a breakpoint
 * (Z0/Z1 packets) as target-side conditions and as dprintf commands.  Here:
 * the parser of the Z packet's condition and command lists, a validator run
 * once when the breakpoint is inserted, and a bounded interpreter run when it
 * is hit.  Pure code: no I/O, no KVM; the machine is reached only through
 * struct ax_env's callbacks, so everything is tested on byte arrays.
 *
 * Read from: the GDB manual, appendix "Agent Expressions" (opcodes, stack
 * effects, encodings) and "Packets" (Z0, Z1); gdbserver/ax.cc (semantics),
 * gdbserver/mem-break.cc and server.cc (what a stub does with them); gdb's
 * ax-general.c (ax_reg: register numbers) and gdbsupport/format.cc (printf).
 * What gdb 13 really sends was captured with tests/fuzz/capture_ax.py.
 *
 * ---- For the integrator: the protocol around this module ----
 *
 * qSupported: answer "ConditionalBreakpoints+" once Z0/Z1 conditions are
 * evaluated, "BreakpointCommands+" once commands are run.  Without the
 * first, GDB evaluates every condition itself (each hit is reported); without
 * the second, `dprintf` in agent style falls back to GDB's printf ("Target
 * cannot run dprintf commands").
 *
 * The packet is "Z0,addr,kind" followed by the tail ax_parse_z_opts() takes:
 *   ;X13,26000622...27                     one condition (19 bytes of bytecode)
 *   ;X12,...27X0c,...27                    two conditions, no separator: ORed
 *   ;X13,...27;cmds:1,X1b,...27            condition, then commands, persist=1
 * A re-sent Z for the same address replaces the lists (gdb re-sends them).
 *
 * A condition that cannot be taken (ax_parse_z_opts or ax_check fails):
 * insert the breakpoint anyway, answer "OK", and treat it as unconditional
 * (report every hit).  That is what gdbserver does (mem-break.cc
 * add_breakpoint_condition: "Condition evaluation failed.  Assuming
 * unconditional.", and server.cc answers OK whatever process_point_options
 * made of the options).  GDB evaluates the condition again on its own side
 * at every reported hit and resumes silently when it is false (capture_ax.py
 * "reeval": gdb 13 read x, stepped over the breakpoint, continued), so only
 * speed is lost.  Do NOT answer "E NN": remote.c takes it as "cannot insert"
 * and gdb 13 left the breakpoint <PENDING>, the program ran past it
 * ("zerror").  Do NOT answer "": Z0 is then unsupported for the whole session
 * and gdb writes int3 itself with M packets ("zempty").
 *
 * At a hit: ax_conds_eval(); stop and report unless it says AX_FALSE.  A
 * fault or error counts as true, as in gdbserver (mem-break.cc: "If we failed
 * to evaluate the expression, TRUE is returned.  This forces GDB to
 * reevaluate the conditions.").  If the condition held and there are
 * commands, run them (ax_cmds_run) and resume WITHOUT reporting the hit
 * (gdbserver linux-low.cc reports only if gdb_no_commands_at_breakpoint;
 * it calls run_breakpoint_commands whatever the condition said, so a
 * conditional dprintf would print at every hit: do not copy that).
 * Commands that cannot be taken at insertion cannot be handed back to GDB:
 * gdb 13 prints nothing for a reported agent-dprintf hit ("dprintf-hit");
 * drop them with a log line (gdbserver: "Command evaluation failed.
 * Disabling.").  persist=1 (set disconnected-dprintf, the default) asks that
 * the breakpoint and its commands stay armed after GDB disconnects; removing
 * everything at detach is also acceptable.
 *
 * printf (0x34): gdb pushes the arguments last first, then a channel and a
 * function (both 0 for dprintf); those two are ignored (no guest function
 * is ever called): the text goes to env->output, one call per printf.
 *
 * Registers: "reg N" carries the *remote* register number (ax-general.c
 * ax_reg maps gdb's own numbering through gdbarch_remote_register_number),
 * i.e. the p/P packet number, which is hyve's target-description order
 * (arch/x86/gdb_regs.h: 0 rax 1 rbx 2 rcx 3 rdx 4 rsi 5 rdi 6 rbp 7 rsp
 * 8-15 r8-r15 16 rip 17 eflags 18-23 cs ss ds es fs gs ... 57 fs_base ...).
 * read_reg maps N to a value zero-extended to 64 bits; registers wider than
 * 64 bits (st, xmm, ymmh) or unknown numbers: return an error (-> AX_FAULT).
 */
#ifndef HYVE_GDB_AX_H
#define HYVE_GDB_AX_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define AX_MAX_LEN	4096	/* bytes of one expression (gdb's: tens) */
/*
 * Steps per evaluation: one per instruction executed, and a printf one more
 * per 64 bytes it reads or prints; so one evaluation reads and prints at
 * most about 640 KiB.
 */
#define AX_MAX_STEPS	10000
#define AX_STACK_MAX	256	/* stack entries */
#define AX_MAX_VARS	256	/* getv/setv numbers accepted by ax_check */
#define AX_MAX_EXPRS	16	/* conditions, or commands, per breakpoint */
#define AX_STR_MAX	1024	/* bytes of guest string one %s reads */
#define AX_OUT_MAX	4096	/* bytes one printf prints (more: truncated) */

/*
 * The machine, as the interpreter sees it.  Every callback returns 0 or
 * -errno; a failure makes the evaluation AX_FAULT.
 */
struct ax_env {
	/* Register by remote number (see above), zero-extended. */
	int (*read_reg)(void *opaque, unsigned regno, uint64_t *val);
	/*
	 * len (1..AX_STR_MAX) bytes of guest virtual memory at addr; the
	 * range never wraps.  %s reads in aligned 64-byte pieces: up to 63
	 * bytes past the string's NUL, never across a 4 KiB page, so a
	 * machine that faults by page sees no spurious fault.
	 */
	int (*read_mem)(void *opaque, uint64_t addr, void *buf, size_t len);
	/* printf output, one call per printf bytecode; NULL: discarded. */
	int (*output)(void *opaque, const char *text, size_t len);
	void *opaque;
	/*
	 * Trace state variables for getv/setv, owned by the caller (index =
	 * gdb's variable number); a number >= nvars is an AX_ERROR.  setv
	 * writes here even if the evaluation fails later.
	 */
	uint64_t *vars;
	unsigned nvars;
};

enum ax_status {
	AX_FALSE,	/* reached `end`; the value on top of the stack is 0 */
	AX_TRUE,	/* reached `end`; the value on top is not 0 */
	AX_DONE,	/* reached `end` with an empty stack (a command's normal end) */
	AX_FAULT,	/* a callback failed: memory or register unreadable, output */
	AX_ERROR,	/* the bytecode went wrong (res->err says how) */
};

enum ax_err {
	AX_OK,
	AX_E_EMPTY,		/* no bytecode */
	AX_E_TOO_LONG,		/* over AX_MAX_LEN */
	AX_E_OPCODE,		/* unknown opcode */
	AX_E_UNSUPPORTED,	/* float opcodes */
	AX_E_TRUNCATED,		/* operand past the end of the bytecode */
	AX_E_JUMP,		/* goto / if_goto outside (ax_check: or off an instruction) */
	AX_E_FALL_OFF,		/* execution can run past the last byte */
	AX_E_UNDERFLOW,		/* pop from an empty stack (pick too deep) */
	AX_E_OVERFLOW,		/* over AX_STACK_MAX entries */
	AX_E_DIV_ZERO,
	AX_E_STEPS,		/* over AX_MAX_STEPS steps */
	AX_E_VAR,		/* getv/setv number out of range */
	AX_E_FORMAT,		/* printf: bad format, or argument count */
	AX_E_MEM,		/* AX_FAULT: read_mem failed */
	AX_E_REG,		/* AX_FAULT: read_reg failed */
	AX_E_OUTPUT,		/* AX_FAULT: output failed */
};

/* What an evaluation did, for diagnostics. */
struct ax_result {
	enum ax_status status;
	enum ax_err err;	/* AX_OK unless AX_FAULT / AX_ERROR */
	uint64_t value;		/* top of the stack at `end` (AX_TRUE/AX_FALSE) */
	size_t pc;		/* offset of the last instruction run */
	uint64_t addr;		/* AX_E_MEM: the address that failed */
	int cb_err;		/* AX_FAULT: the callback's -errno */
	unsigned steps;		/* steps taken (AX_MAX_STEPS) */
};

/*
 * Validate one expression before accepting it: 0, or -EINVAL (malformed:
 * unknown opcode, truncated operand, jump off an instruction boundary,
 * execution can fall off the end, bad printf format, variable number >=
 * AX_MAX_VARS, empty), -ENOTSUP (float opcodes), -E2BIG (over AX_MAX_LEN).
 * *why (if why) gets a static message.  Bytecode ax_check accepts can
 * still fail at run time only for data-dependent reasons (stack depth,
 * division by zero, step limit, faults, nvars).
 */
int ax_check(const uint8_t *code, size_t len, const char **why);

/*
 * Run one expression.  Returns the status (also in res->status, if res);
 * safe on any bytes, checked or not.  Never reads outside code[0..len).
 */
enum ax_status ax_eval(const uint8_t *code, size_t len, const struct ax_env *env,
		       struct ax_result *res);

/* true unless AX_FALSE: a condition that faulted or failed means "stop". */
static inline bool ax_should_stop(enum ax_status st) { return st != AX_FALSE; }

/* Static text for an error code ("division by zero", ...). */
const char *ax_strerror(enum ax_err err);

/* ---- the Z packet's lists ---- */

struct ax_expr {
	uint8_t *code;		/* malloc'd copy of the decoded bytecode */
	size_t len;
};

struct ax_bp_opts {
	struct ax_expr conds[AX_MAX_EXPRS];	/* ORed */
	unsigned nconds;
	struct ax_expr cmds[AX_MAX_EXPRS];	/* run in order */
	unsigned ncmds;
	bool persist;		/* cmds:1 -- keep running after GDB leaves */
};

/*
 * Parse the bytes after "Zt,addr,kind" (empty, or starting with ';') into
 * *o, which is zeroed first and must be released with ax_bp_opts_free even
 * on failure.  0, -EINVAL (malformed, unknown token), -E2BIG (an expression
 * over AX_MAX_LEN, more than AX_MAX_EXPRS), -ENOMEM.  The bytecode is not
 * validated: call ax_check on each expression.
 */
int ax_parse_z_opts(const char *tail, size_t n, struct ax_bp_opts *o);
void ax_bp_opts_free(struct ax_bp_opts *o);

/*
 * The conditions, ORed, as gdbserver does: AX_TRUE with none; else the first
 * that is not AX_FALSE (AX_DONE counts as true here), or AX_FALSE when all
 * are false.  res (if any) describes the last one evaluated.
 */
enum ax_status ax_conds_eval(const struct ax_bp_opts *o, const struct ax_env *env,
			     struct ax_result *res);
/*
 * The commands in order, stopping at the first AX_FAULT / AX_ERROR, which is
 * returned; AX_DONE when all ran (whatever they left on the stack).
 */
enum ax_status ax_cmds_run(const struct ax_bp_opts *o, const struct ax_env *env,
			   struct ax_result *res);

#endif
