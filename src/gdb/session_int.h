/*
 * session_int.h -- what the session's files share (not for other modules):
 * session.c (framing, acks, dispatch, stop replies, run control),
 * session_query.c (q/Q packets, threads, qXfer, monitor, QEMU's and
 * gdbserver's identification and single-step packets),
 * session_data.c (registers, memory, breakpoints),
 * session_ext.c (kill, extended mode: vRun, R).
 */
#ifndef HYVE_GDB_SESSION_INT_H
#define HYVE_GDB_SESSION_INT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "gdb/rsp.h"
#include "gdb/session.h"
#include "gdb/target.h"

/* More vCPUs than this is not a machine we run; keeps thread lists bounded. */
#define GDB_MAX_CPUS		1024
/* Longest monitor command accepted (decoded). */
#define GDB_MONITOR_MAX		1024

struct gdb_session {
	const struct gdb_target_ops *ops;
	void *t;
	int ncpus;

	struct rsp_buf out;	/* framed bytes waiting to be written */
	struct rsp_buf last;	/* the last framed packet, resent on '-' */
	struct rsp_buf reply;	/* a reply payload being built */
	/*
	 * The last `g` reply (hex), valid while nothing can have changed the
	 * registers: dropped on resume, stop, G/P and monitor commands.
	 */
	struct rsp_buf gcache;
	int gcache_cpu;		/* -1: empty */
	uint8_t *scratch;	/* RSP_PACKET_SIZE bytes for register and memory data */
	enum gdb_resume *actions;	/* ncpus entries, for resume() */

	bool noack;		/* QStartNoAckMode done: no more '+' / '-' */
	bool gdb_swbreak;	/* GDB announced swbreak+ / hwbreak+ in qSupported: */
	bool gdb_hwbreak;	/*   only then may stop replies carry those reasons */
	bool trace;		/* `monitor packets on`: log every packet */

	/*
	 * The machine as the session sees it.  running: not known to be
	 * stopped (after attach or a resume, until gdb_session_stopped);
	 * stop_requested: ops->stop() was called since it started running;
	 * reply_owed: the debugger waits for a stop reply (resume, or a `?`
	 * that arrived before the attach stop completed).
	 */
	bool running;
	bool stop_requested;
	bool reply_owed;
	struct gdb_stop stop;	/* why it last stopped (valid when !running) */

	int g_cpu;		/* Hg: registers/memory (each stop sets it), -1 = the stopped vCPU */
	int c_cpu;		/* Hc: what `s` steps, -1 = the stopped vCPU */

	bool extended;		/* `!`: extended mode (vRun, R; kills do not end hyve) */
	bool killed;		/* killed in extended mode: no process until vRun */
	bool want_close;	/* D, k or vKill: flush and hang up */
	bool ended;		/* detached or killed: closing must not detach again */

	struct rsp_decoder dec;	/* large: last */
};

/* ---- replies (session.c) ---- */

/* Frame a payload into the output (and keep it for a resend). */
void sess_send(struct gdb_session *s, const void *payload, size_t n);
void sess_send_str(struct gdb_session *s, const char *str);
/* "Enn" with the errno's low byte (E01 for a parse error: err == -EINVAL). */
void sess_send_err(struct gdb_session *s, int err);
/* Send s->reply and empty it. */
void sess_send_reply(struct gdb_session *s);
/* The stop reply as one vCPU saw the last stop (qThreadStopInfo). */
void sess_send_thread_stop(struct gdb_session *s, int cpu);

/* ---- helpers ---- */

/* The vCPU for registers/memory: the Hg thread, or the one that stopped. */
int sess_cpu_g(const struct gdb_session *s);
/* A thread id ("1", "p1.2", "-1", "0") to a cpu: >= 0, -1 for all, -2 any; -EINVAL. */
int sess_tid_cpu(const struct gdb_session *s, const struct rsp_tid *tid);
#define SESS_TID_ALL	(-1)
#define SESS_TID_ANY	(-2)

/* Does the packet of n bytes start with the string? */
bool sess_prefix(const uint8_t *pkt, size_t n, const char *str);

/* ---- handlers ---- */

void sess_handle_query(struct gdb_session *s, const uint8_t *pkt, size_t n);	/* q, Q */
void sess_handle_regs(struct gdb_session *s, const uint8_t *pkt, size_t n);	/* g G p P */
void sess_handle_mem(struct gdb_session *s, const uint8_t *pkt, size_t n);	/* m M x X */
void sess_handle_bp(struct gdb_session *s, const uint8_t *pkt, size_t n);	/* Z z */
/* session_ext.c */
void sess_handle_kill(struct gdb_session *s, const uint8_t *pkt, size_t n);	/* k vKill */
void sess_handle_extended(struct gdb_session *s, const uint8_t *pkt, size_t n);	/* ! */
void sess_handle_restart(struct gdb_session *s, const uint8_t *pkt, size_t n);	/* vRun R */

#endif
