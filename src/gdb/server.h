/*
 * server.h -- the debug server's network side: a TCP or Unix listening
 * socket on the event thread, one debugger at a time, each connection
 * driving a gdb_session (session.h) over the machine's ops table (target.h).
 *
 * Everything here runs on the event thread (src/event.h), except
 * gdb_server_start (start-up, before or on it) and gdb_server_stop
 * (shutdown, after event_stop() or on it).
 */
#ifndef HYVE_GDB_SERVER_H
#define HYVE_GDB_SERVER_H

#include <stdbool.h>

#include "gdb/target.h"

/*
 * Listen as the config says: gdb.unix (a Unix socket, mode 0600) or
 * gdb.port (TCP on gdb.address, default 127.0.0.1; port 0 picks a free
 * one).  Neither set: no server, returns 0.  Logs "debug server listening
 * on ADDR:PORT" (or the path) once listening, and a warning when the address
 * is reachable from the network.  0 or -errno (already logged).
 */
int gdb_server_start(const struct gdb_target_ops *ops, void *target);

/*
 * Serve a debugger on an already-connected socket, as if it had just been
 * accepted (tests use a socketpair).  Takes the fd (closed on failure).
 * On the event thread.  0, -EBUSY (a debugger is connected) or -errno.
 */
int gdb_server_attach_fd(const struct gdb_target_ops *ops, void *target, int fd);

/*
 * The machine finished stopping (after ops->stop(), or a vCPU stopped on
 * its own): the debugger gets its stop reply.  With no debugger connected
 * it does nothing -- the machine was detached, so the VM layer resumes it.
 * On the event thread; may be called from inside ops->stop().
 */
void gdb_server_stopped(void);

/*
 * Console text for the connected debugger (gdb_session_console): true if it
 * went out, false if no debugger waits for a stop reply.  On the event thread.
 */
bool gdb_server_console(const char *text, size_t len);

/* A debugger is connected (the VM layer may ask before stopping for one). */
bool gdb_server_connected(void);

/*
 * Shutdown: close the connection (the machine is ending: no detach) and
 * the listener, removing the Unix socket file.
 */
void gdb_server_stop(void);

/*
 * Shutdown when the machine ended with an exit status: a debugger waiting
 * in `continue` first gets W<status> (gdb prints "exited with code N"),
 * then as gdb_server_stop().  After event_stop() (or on the event thread).
 */
void gdb_server_exit(int status);

#endif
