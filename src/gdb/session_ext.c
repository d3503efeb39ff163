/*
 * session_ext.c -- ending and restarting the machine: `k`, `vKill`, and
 * extended mode (`!`, `vRun`, `R`), which is how gdb's `run` restarts a
 * program under `target extended-remote`.
 *
 * The machine is the program: `run` resets it to its boot state (the
 * target's restart op) and answers with a stop at the entry, the new
 * "process" gdb then follows with fresh registers and continues.
 *
 * gdb's `run` on a live target first kills it (vKill, or `k` where vKill is
 * not offered), then sends vRun.  So in extended mode a kill must not end
 * hyve as it does otherwise: the machine stays stopped, reported as exited
 * (W00, what gdbserver answers with no process) until vRun starts it again;
 * a debugger that leaves instead ends it then, as a plain kill would have.
 */
#include <errno.h>
#include <stdio.h>
#include <string.h>

#include "gdb/session_int.h"
#include "util.h"

/* "E." and a message: gdb prints the text (the GDB manual's E.errtext). */
static void send_err_text(struct gdb_session *s, const char *msg)
{
	s->reply.len = 0;
	rsp_buf_printf(&s->reply, "E.%s", msg);
	sess_send_reply(s);
}

/* k (no reply) and vKill;pid (OK).  -EINVAL: a malformed vKill. */
void sess_handle_kill(struct gdb_session *s, const uint8_t *pkt, size_t n)
{
	const size_t pre = strlen("vKill;");
	uint64_t pid;

	if (pkt[0] == 'v') {
		/*
		 * Any pid: without multiprocess gdb names its inferior with a
		 * made-up one (42000), and there is only one process to kill.
		 */
		if (n <= pre || rsp_parse_hex_u64((const char *)pkt + pre, n - pre, &pid)) {
			sess_send_err(s, -EINVAL);
			return;
		}
		sess_send_str(s, "OK");
	}
	if (s->extended) {
		memset(&s->stop, 0, sizeof(s->stop));
		s->stop.kind = GDB_STOP_EXITED;	/* no process until vRun */
		s->killed = true;
		s->gcache_cpu = -1;
		return;
	}
	s->ended = true;
	s->want_close = true;
	s->ops->kill(s->t);
}

/* ! -- extended mode, offered only with a target that can restart. */
void sess_handle_extended(struct gdb_session *s, const uint8_t *pkt, size_t n)
{
	if (n != 1 || !s->ops->restart) {
		sess_send_str(s, "");
		return;
	}
	s->extended = true;
	sess_send_str(s, "OK");
}

/* Reset the machine and make its boot state the session's stop.  0 or -errno. */
static int restart(struct gdb_session *s)
{
	int r;

	if (s->running)
		return -EBUSY;
	r = s->ops->restart(s->t);
	if (r < 0)
		return r;
	s->killed = false;
	s->gcache_cpu = -1;
	memset(&s->stop, 0, sizeof(s->stop));
	s->stop.kind = GDB_STOP_TRAP;	/* a new process, stopped at its first instruction */
	s->stop.cpu = 0;
	s->g_cpu = 0;
	s->c_cpu = -1;
	return 0;
}

/* Is the vRun field [f, end) empty, as gdb sends it without `set remote exec-file` or args? */
static bool fields_empty(const uint8_t *f, const uint8_t *end)
{
	for (; f < end; f++)
		if (*f != ';')
			return false;
	return true;
}

/*
 * vRun;filename[;arg]... and R XX, in extended mode.  The machine boots the
 * images hyve was started with: a file name or arguments cannot be honoured
 * and are refused rather than ignored.
 */
void sess_handle_restart(struct gdb_session *s, const uint8_t *pkt, size_t n)
{
	bool vrun = pkt[0] == 'v';
	char msg[128];
	int r;

	if (!s->extended || !s->ops->restart) {
		sess_send_str(s, "");		/* only in extended mode, as the manual says */
		return;
	}
	if (vrun && !fields_empty(pkt + strlen("vRun;"), pkt + n)) {
		send_err_text(s, "hyve: run takes no file or arguments: the machine boots "
			      "the images hyve was started with");
		return;
	}
	r = restart(s);
	if (!vrun) {			/* R has no reply */
		if (r < 0)
			log_warn("debug server: cannot reset the machine: %s", strerror(-r));
		return;
	}
	if (r < 0) {
		snprintf(msg, sizeof(msg), "hyve: cannot reset the machine: %s", strerror(-r));
		send_err_text(s, msg);
		return;
	}
	sess_send_thread_stop(s, 0);	/* vRun's reply is the new process's stop */
}
