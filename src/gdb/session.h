/*
 * session.h -- one debugger's conversation with the machine: the GDB Remote
 * Serial Protocol packet handlers, in all-stop mode, every vCPU a thread.
 *
 * Pure protocol: bytes go in (gdb_session_feed), bytes to send come out
 * (gdb_session_output), and the machine is reached only through the ops
 * table of gdb/target.h.  No sockets, no KVM, so it is unit-tested against an
 * in-memory target.  Owned by one thread (the event thread); not locked.
 *
 * Life of a session:
 *   s = gdb_session_new(ops, t);    the debugger has connected
 *   gdb_session_attach(s);          stop the machine (a debugger attaching stops it)
 *   gdb_session_feed(s, buf, n);    received bytes -> acks and replies in the output
 *   gdb_session_stopped(s);         the machine finished stopping (after ops->stop()
 *                                   or a vCPU stopping on its own): the stop reply
 *                                   goes out if the debugger waits for one
 *   gdb_session_want_close(s)       after D / k: flush the output, then hang up
 *   gdb_session_exited(s, status);  the machine ended: W to a waiting debugger
 *   gdb_session_closed(s);          connection gone: detach (unless D / k did)
 *   gdb_session_free(s);
 */
#ifndef HYVE_GDB_SESSION_H
#define HYVE_GDB_SESSION_H

#include <stdbool.h>
#include <stddef.h>

#include "gdb/target.h"

struct gdb_session;
struct rsp_buf;

/* NULL if out of memory or the target has no vCPU. */
struct gdb_session *gdb_session_new(const struct gdb_target_ops *ops, void *target);
void gdb_session_free(struct gdb_session *s);

/*
 * Stop the machine for the newly connected debugger (ops->stop()).  The
 * target must answer with exactly one gdb_session_stopped() -- also when the
 * machine was already stopped -- possibly from inside ops->stop() itself.
 * 0 or the -errno of ops->stop() (then the session acts as if stopped).
 */
int gdb_session_attach(struct gdb_session *s);

/* Feed received bytes (any split).  Never fails: bad input gets error replies. */
void gdb_session_feed(struct gdb_session *s, const void *buf, size_t n);

/* The machine finished stopping; ignored unless the session had it running. */
void gdb_session_stopped(struct gdb_session *s);

/*
 * The machine has ended (hyve is exiting) with this status: a debugger that
 * waits for a stop reply gets W<status>, so it learns the exit code instead
 * of just losing the connection.  The session is over (want_close); no
 * detach follows -- there is nothing left to detach from.
 */
void gdb_session_exited(struct gdb_session *s, int status);

/* The connection is gone: ops->detach() unless D or k already ended the session. */
void gdb_session_closed(struct gdb_session *s);

/*
 * Bytes to send (acks and framed packets).  The caller writes out what it
 * can and drops that much with rsp_buf_consume(); the rest stays queued.
 */
struct rsp_buf *gdb_session_output(struct gdb_session *s);

/* After D, k or vKill: send what is queued, then close the connection. */
bool gdb_session_want_close(const struct gdb_session *s);

/*
 * Text for the debugger's console while the machine runs (dprintf output):
 * sent as O packets if the debugger waits for a stop reply, which is the
 * only time it reads them.  False if not sent (the caller logs it instead).
 */
bool gdb_session_console(struct gdb_session *s, const char *text, size_t len);

/* True while the machine runs on the debugger's behalf (a stop reply is owed). */
bool gdb_session_running(const struct gdb_session *s);

#endif
