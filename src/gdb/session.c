/*
 * session.c -- the GDB remote protocol session: acks, packet dispatch, stop
 * replies, thread selection and run control (all-stop).  Queries live in
 * session_query.c, registers/memory/breakpoints in session_data.c.
 *
 * Threads are vCPUs: thread id = vCPU index + 1 (GDB reserves 0 and -1).
 *
 * Run control choices (all-stop mode):
 *  - `c` continues every vCPU; `s` steps the Hc vCPU (or the one that
 *    stopped) while the others stay stopped -- what bhyve and QEMU do, and
 *    what makes a plain `stepi` predictable.  vCont names each thread's
 *    action explicitly; GDB uses it (we advertise it) in preference to c/s.
 *  - A VM has no signals: C/S and vCont C/S ignore theirs.
 *  - Once resumed, exactly one stop reply is sent: when the target reports
 *    (gdb_session_stopped) that every vCPU has stopped again.
 */
#include <errno.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "gdb/session_int.h"
#include "util.h"

/* ---- replies ---- */

/* Log a packet for `monitor packets on`: printable, and cut short. */
static void trace_packet(const char *dir, const void *p, size_t n)
{
	char buf[160];
	const uint8_t *b = p;
	size_t o = 0;

	for (size_t i = 0; i < n && o + 5 < sizeof(buf); i++) {
		if (b[i] >= 0x20 && b[i] < 0x7f && b[i] != '\\')
			buf[o++] = (char)b[i];
		else
			o += (size_t)snprintf(buf + o, sizeof(buf) - o, "\\x%02x", b[i]);
	}
	buf[o] = 0;
	log_info("gdb %s %s%s", dir, buf, o + 5 >= sizeof(buf) ? "..." : "");
}

void sess_send(struct gdb_session *s, const void *payload, size_t n)
{
	size_t start = s->out.len;

	if (s->trace)
		trace_packet("->", payload, n);
	/*
	 * No run-length encoding: it saves bytes on loopback, where bytes are
	 * cheap, and costs every client a decoding pass (QEMU does not use it).
	 */
	if (rsp_buf_put_packet(&s->out, payload, n, false)) {
		/* Out of memory: GDB will time out and resend; nothing better to do. */
		log_err("debug server: cannot queue a reply of %zu bytes", n);
		return;
	}
	/* kept for a resend on '-', which no-ack mode never asks for */
	s->last.len = 0;
	if (!s->noack && rsp_buf_put(&s->last, s->out.data + start, s->out.len - start))
		s->last.len = 0;
}

void sess_send_str(struct gdb_session *s, const char *str)
{
	sess_send(s, str, strlen(str));
}

void sess_send_err(struct gdb_session *s, int err)
{
	char buf[8];
	int e = err < 0 ? -err : err;

	if (err == -EINVAL || e == 0)
		e = 1;			/* E01: the packet itself was bad */
	else if (err == -EFAULT)
		e = 0x14;		/* the traditional "bad address" */
	snprintf(buf, sizeof(buf), "E%02x", e & 0xff);
	sess_send_str(s, buf);
}

void sess_send_reply(struct gdb_session *s)
{
	sess_send(s, s->reply.data ? s->reply.data : (const uint8_t *)"", s->reply.len);
	s->reply.len = 0;
}

static void send_raw(struct gdb_session *s, char c)
{
	if (rsp_buf_put(&s->out, &c, 1))
		log_err("debug server: out of memory");
}

/* ---- helpers ---- */

bool sess_prefix(const uint8_t *pkt, size_t n, const char *str)
{
	size_t l = strlen(str);

	return n >= l && !memcmp(pkt, str, l);
}

int sess_cpu_g(const struct gdb_session *s)
{
	return s->g_cpu >= 0 ? s->g_cpu : s->stop.cpu;
}

int sess_tid_cpu(const struct gdb_session *s, const struct rsp_tid *tid)
{
	/* We are one process: pid 1 (or "all"/"any" processes). */
	if (tid->has_pid && tid->pid != 1 && tid->pid != RSP_TID_ALL && tid->pid != RSP_TID_ANY)
		return -EINVAL;
	if (tid->tid == RSP_TID_ALL)
		return SESS_TID_ALL;
	if (tid->tid == RSP_TID_ANY)
		return SESS_TID_ANY;
	if (tid->tid < 1 || tid->tid > s->ncpus)
		return -EINVAL;
	return (int)(tid->tid - 1);
}

/* ---- stop replies ---- */

/*
 * "Tssthread:N;core:C;" into r, by hand, not printf: this is the reply a
 * Ctrl-C waits for.
 */
static void put_stop_head(struct rsp_buf *r, int sig, int cpu)
{
	uint8_t code = (uint8_t)sig;

	rsp_buf_put(r, "T", 1);
	rsp_buf_put_hex(r, &code, 1);
	rsp_buf_puts(r, "thread:");
	rsp_buf_put_hexnum(r, (uint64_t)cpu + 1);
	rsp_buf_puts(r, ";core:");
	rsp_buf_put_hexnum(r, (uint64_t)cpu);
	rsp_buf_put(r, ";", 1);
}

static void send_stop_reply(struct gdb_session *s)
{
	const struct gdb_stop *st = &s->stop;
	struct rsp_buf *r = &s->reply;
	int sig = st->kind == GDB_STOP_INTERRUPT ? 2 :		/* SIGINT */
		  st->kind == GDB_STOP_SIGNAL ? st->code & 0xff : 5;	/* SIGTRAP */

	r->len = 0;
	if (st->kind == GDB_STOP_EXITED) {
		rsp_buf_printf(r, "W%02x", (unsigned)st->code & 0xff);
		sess_send_reply(s);
		return;
	}
	put_stop_head(r, sig, st->cpu);
	switch (st->kind) {
	case GDB_STOP_SWBREAK:
		if (s->gdb_swbreak)
			rsp_buf_puts(r, "swbreak:;");
		break;
	case GDB_STOP_HWBREAK:
		if (s->gdb_hwbreak)
			rsp_buf_puts(r, "hwbreak:;");
		break;
	case GDB_STOP_WATCH:
		rsp_buf_printf(r, "watch:%llx;", (unsigned long long)st->addr);
		break;
	case GDB_STOP_RWATCH:
		rsp_buf_printf(r, "rwatch:%llx;", (unsigned long long)st->addr);
		break;
	case GDB_STOP_AWATCH:
		rsp_buf_printf(r, "awatch:%llx;", (unsigned long long)st->addr);
		break;
	case GDB_STOP_REPLAYLOG:
		rsp_buf_puts(r, "replaylog:begin;");
		break;
	default:
		break;
	}
	sess_send_reply(s);
}

void sess_send_thread_stop(struct gdb_session *s, int cpu)
{
	if (cpu == s->stop.cpu || s->stop.kind == GDB_STOP_EXITED) {
		send_stop_reply(s);
		return;
	}
	/* Stopped only because all stop: signal 0, no reason of its own. */
	s->reply.len = 0;
	put_stop_head(&s->reply, 0, cpu);
	sess_send_reply(s);
}

/* The machine is stopped: learn why, and answer a debugger that waits. */
static void take_stop(struct gdb_session *s)
{
	s->gcache_cpu = -1;
	struct gdb_stop st;

	memset(&st, 0, sizeof(st));
	if (s->ops->stop_info(s->t, &st) < 0) {
		memset(&st, 0, sizeof(st));
		st.kind = s->stop_requested ? GDB_STOP_INTERRUPT : GDB_STOP_TRAP;
	}
	if (st.cpu < 0 || st.cpu >= s->ncpus)
		st.cpu = 0;
	s->stop = st;
	/*
	 * GDB takes the thread of a stop reply as the new Hg thread without
	 * saying so (its remote.c records it as the stub's general thread):
	 * follow, or a later `g` reads the wrong vCPU.
	 */
	s->g_cpu = st.cpu;
	s->running = false;
	s->stop_requested = false;
	if (s->reply_owed) {
		s->reply_owed = false;
		send_stop_reply(s);
	}
}

void gdb_session_stopped(struct gdb_session *s)
{
	if (!s->running || s->ended)
		return;		/* not ours to report (or reported already) */
	take_stop(s);
}

/* Ask a running machine to stop; the reply follows from gdb_session_stopped. */
static void interrupt(struct gdb_session *s)
{
	int r;

	if (!s->running || s->stop_requested || s->ended)
		return;
	s->stop_requested = true;
	r = s->ops->stop(s->t);
	if (r < 0) {
		log_warn("debug server: cannot stop the guest: %s", strerror(-r));
		s->stop_requested = false;	/* let the next Ctrl-C try again */
	}
}

int gdb_session_attach(struct gdb_session *s)
{
	int r;

	s->running = true;
	s->stop_requested = true;
	r = s->ops->stop(s->t);
	if (r < 0 && s->running) {
		log_warn("debug server: cannot stop the guest: %s", strerror(-r));
		take_stop(s);
	}
	return r < 0 ? r : 0;
}

/* ---- run control ---- */

/* Release the vCPUs with s->actions; the stop reply comes later. */
static void resume(struct gdb_session *s)
{
	s->gcache_cpu = -1;
	bool any = false;
	int r;

	if (s->running) {
		sess_send_err(s, -EBUSY);
		return;
	}
	if (s->stop.kind == GDB_STOP_EXITED) {
		send_stop_reply(s);	/* nothing left to run: say so again */
		return;
	}
	for (int i = 0; i < s->ncpus; i++)
		if (s->actions[i] != GDB_STAY)
			any = true;
	if (!any) {
		/* Nothing would run, so nothing would ever stop: report at once. */
		send_stop_reply(s);
		return;
	}
	s->running = true;
	s->reply_owed = true;
	s->stop_requested = false;
	r = s->ops->resume(s->t, s->actions);
	if (r < 0) {
		s->running = false;
		s->reply_owed = false;
		sess_send_err(s, r);
	}
}

/* The vCPU `s` steps when no thread is named: Hc, else the one that stopped. */
static int step_cpu(const struct gdb_session *s)
{
	return s->c_cpu >= 0 ? s->c_cpu : s->stop.cpu;
}

/*
 * c [addr], s [addr], C sig[;addr], S sig[;addr].  Resuming at another
 * address would need the PC's register number, which only the arch knows;
 * GDB has not sent an address here for decades, so it is refused.
 */
static void handle_cs(struct gdb_session *s, const uint8_t *pkt, size_t n)
{
	char op = (char)pkt[0];
	size_t i = 1;
	uint64_t sig;

	if (op == 'C' || op == 'S') {
		if (n < 3 || rsp_parse_hex_u64((const char *)pkt + 1, 2, &sig)) {
			sess_send_err(s, -EINVAL);
			return;
		}
		i = 3;
		if (i < n && pkt[i] == ';')
			i++;
		else if (i < n) {
			sess_send_err(s, -EINVAL);
			return;
		}
	}
	if (i < n) {
		sess_send_err(s, -EINVAL);
		return;
	}
	for (int c = 0; c < s->ncpus; c++)
		s->actions[c] = (op == 'c' || op == 'C') ? GDB_CONT : GDB_STAY;
	if (op == 's' || op == 'S')
		s->actions[step_cpu(s)] = GDB_STEP;
	resume(s);
}

/* bs, bc: reverse step and continue, answered at once (the history is hyve's own). */
static void handle_reverse(struct gdb_session *s, const uint8_t *pkt, size_t n)
{
	struct gdb_stop st;
	int r;

	if (!s->ops->reverse || n != 2 || (pkt[1] != 's' && pkt[1] != 'c')) {
		sess_send_str(s, "");
		return;
	}
	if (s->running) {
		sess_send_err(s, -EBUSY);
		return;
	}
	if (s->stop.kind == GDB_STOP_EXITED) {
		send_stop_reply(s);
		return;
	}
	memset(&st, 0, sizeof(st));
	r = s->ops->reverse(s->t, step_cpu(s), pkt[1] == 'c', &st);
	if (r < 0) {
		sess_send_err(s, r);
		return;
	}
	s->gcache_cpu = -1;
	if (st.cpu < 0 || st.cpu >= s->ncpus)
		st.cpu = 0;
	s->stop = st;
	s->g_cpu = st.cpu;	/* as after any stop reply (take_stop) */
	send_stop_reply(s);
}

#define VCONT_MAX_ACTIONS	64

/* vCont;action[:tid]...: the leftmost action naming a thread wins for it. */
static void handle_vcont(struct gdb_session *s, const uint8_t *pkt, size_t n)
{
	struct rsp_vcont_action acts[VCONT_MAX_ACTIONS];
	int target[VCONT_MAX_ACTIONS];
	int count;

	if (rsp_parse_vcont(pkt, n, acts, VCONT_MAX_ACTIONS, &count)) {
		sess_send_err(s, -EINVAL);
		return;
	}
	/* set_range() below may only touch a stopped machine (resume() says EBUSY too) */
	if (s->running) {
		sess_send_err(s, -EBUSY);
		return;
	}
	for (int k = 0; k < count; k++) {
		if (acts[k].action == 'r' && !s->ops->set_range) {	/* not advertised */
			sess_send_err(s, -EINVAL);
			return;
		}
		target[k] = SESS_TID_ALL;
		if (acts[k].has_tid) {
			target[k] = sess_tid_cpu(s, &acts[k].tid);
			if (target[k] == -EINVAL) {
				sess_send_err(s, -EINVAL);
				return;
			}
			if (target[k] == SESS_TID_ANY)
				target[k] = step_cpu(s);
		}
	}
	for (int c = 0; c < s->ncpus; c++) {
		s->actions[c] = GDB_STAY;	/* no action named it: it stays stopped */
		for (int k = 0; k < count; k++) {
			if (target[k] != SESS_TID_ALL && target[k] != c)
				continue;
			switch (acts[k].action) {
			case 'c':
			case 'C':
				s->actions[c] = GDB_CONT;
				break;
			case 's':
			case 'S':
				s->actions[c] = GDB_STEP;
				break;
			case 'r':
				s->actions[c] = GDB_RANGE;
				if (s->ops->set_range(s->t, c, acts[k].start, acts[k].end)) {
					sess_send_err(s, -EINVAL);
					return;
				}
				break;
			default:
				s->actions[c] = GDB_STAY;
				break;
			}
			break;
		}
	}
	resume(s);
}

/* ---- threads ---- */

static void handle_H(struct gdb_session *s, const uint8_t *pkt, size_t n)
{
	struct rsp_tid tid;
	char op;
	int cpu;

	if (n < 2 || (pkt[1] != 'g' && pkt[1] != 'c')) {
		sess_send_str(s, "");	/* other H operations: not supported */
		return;
	}
	if (rsp_parse_H(pkt, n, &op, &tid) || (cpu = sess_tid_cpu(s, &tid)) == -EINVAL) {
		sess_send_err(s, -EINVAL);
		return;
	}
	if (op == 'g') {
		if (cpu == SESS_TID_ALL) {	/* registers of every thread: meaningless */
			sess_send_err(s, -EINVAL);
			return;
		}
		s->g_cpu = cpu >= 0 ? cpu : -1;
	} else {
		s->c_cpu = cpu >= 0 ? cpu : -1;
	}
	sess_send_str(s, "OK");
}

static void handle_T(struct gdb_session *s, const uint8_t *pkt, size_t n)
{
	struct rsp_tid tid;

	if (rsp_parse_T(pkt, n, &tid) || sess_tid_cpu(s, &tid) < 0)
		sess_send_err(s, -EINVAL);
	else
		sess_send_str(s, "OK");
}

/* ---- ending ---- */

/* D or D;pid: let the guest go on without us. */
static void handle_detach(struct gdb_session *s, const uint8_t *pkt, size_t n)
{
	uint64_t pid;

	if (n > 1 && (pkt[1] != ';' || rsp_parse_hex_u64((const char *)pkt + 2, n - 2, &pid))) {
		sess_send_err(s, -EINVAL);
		return;
	}
	sess_send_str(s, "OK");
	s->ended = true;
	s->want_close = true;
	s->ops->detach(s->t);
}

static void handle_v(struct gdb_session *s, const uint8_t *pkt, size_t n)
{
	if (n == 6 && sess_prefix(pkt, n, "vCont?")) {
		sess_send_str(s, s->ops->set_range ? "vCont;c;C;s;S;t;r" : "vCont;c;C;s;S;t");
	} else if (sess_prefix(pkt, n, "vCont;") || (n == 5 && sess_prefix(pkt, n, "vCont"))) {
		handle_vcont(s, pkt, n);
	} else if (n == 6 && sess_prefix(pkt, n, "vCtrlC")) {
		sess_send_str(s, "OK");
		interrupt(s);
	} else if (sess_prefix(pkt, n, "vKill") && (n == 5 || pkt[5] == ';')) {
		sess_handle_kill(s, pkt, n);
	} else if (sess_prefix(pkt, n, "vRun;")) {
		sess_handle_restart(s, pkt, n);
	} else {
		sess_send_str(s, "");	/* vMustReplyEmpty and everything unknown */
	}
}

/* ---- dispatch ---- */

static void dispatch(struct gdb_session *s, const uint8_t *pkt, size_t n)
{
	if (n == 0) {
		sess_send_str(s, "");
		return;
	}
	switch (pkt[0]) {
	case '?':
		if (n != 1)
			sess_send_str(s, "");
		else if (s->running)
			s->reply_owed = true;	/* sent when the stop completes */
		else
			send_stop_reply(s);
		break;
	case 'c':
	case 'C':
	case 's':
	case 'S':
		handle_cs(s, pkt, n);
		break;
	case 'D':
		handle_detach(s, pkt, n);
		break;
	case 'b':
		handle_reverse(s, pkt, n);
		break;
	case 'g':
	case 'G':
	case 'p':
	case 'P':
		sess_handle_regs(s, pkt, n);
		break;
	case 'H':
		handle_H(s, pkt, n);
		break;
	case 'k':
		if (n == 1)
			sess_handle_kill(s, pkt, n);	/* no reply: GDB does not wait for one */
		else
			sess_send_str(s, "");
		break;
	case '!':
		sess_handle_extended(s, pkt, n);
		break;
	case 'R':
		sess_handle_restart(s, pkt, n);
		break;
	case 'm':
	case 'M':
	case 'x':
	case 'X':
		sess_handle_mem(s, pkt, n);
		break;
	case 'q':
	case 'Q':
		sess_handle_query(s, pkt, n);
		break;
	case 'T':
		handle_T(s, pkt, n);
		break;
	case 'v':
		handle_v(s, pkt, n);
		break;
	case 'z':
	case 'Z':
		sess_handle_bp(s, pkt, n);
		break;
	default:
		sess_send_str(s, "");	/* unknown: the empty reply says so */
		break;
	}
}

static int on_event(void *opaque, const struct rsp_event *ev)
{
	struct gdb_session *s = opaque;

	switch (ev->type) {
	case RSP_EV_PACKET:
		if (!s->noack)
			send_raw(s, '+');
		if (s->trace)
			trace_packet("<-", ev->data, ev->len);
		dispatch(s, ev->data, ev->len);
		break;
	case RSP_EV_ACK:
		break;
	case RSP_EV_NAK:
		if (!s->noack && s->last.len)
			rsp_buf_put(&s->out, s->last.data, s->last.len);
		break;
	case RSP_EV_INTERRUPT:
		interrupt(s);
		break;
	case RSP_EV_BAD_CHECKSUM:
		if (!s->noack)
			send_raw(s, '-');
		break;
	case RSP_EV_ERROR:
		/* The frame arrived intact; its content is unusable (oversize, bad escape). */
		if (!s->noack)
			send_raw(s, '+');
		sess_send_err(s, -EINVAL);
		break;
	}
	/* After D or k nothing more is read: stop feeding. */
	return s->want_close ? 1 : 0;
}

void gdb_session_feed(struct gdb_session *s, const void *buf, size_t n)
{
	if (s->want_close)
		return;
	rsp_feed(&s->dec, buf, n, on_event, s, NULL);
}

/* ---- life cycle ---- */

/*
 * The last session's memory, kept for the next one: allocating (and zeroing)
 * the decoder's buffer and the scratch space took 20-50 us of a debugger's
 * attach.  Sessions live on one thread (the event thread, or a test's).
 */
static struct gdb_session *spare;

static void release(struct gdb_session *s)
{
	rsp_buf_free(&s->out);
	rsp_buf_free(&s->last);
	rsp_buf_free(&s->gcache);
	rsp_buf_free(&s->reply);
	free(s->scratch);
	free(s->actions);
	free(s);
}

/* A spare session made as new; its buffers keep their room. */
static void reuse(struct gdb_session *s)
{
	struct rsp_buf bufs[4] = { s->out, s->last, s->gcache, s->reply };
	uint8_t *scratch = s->scratch;
	enum gdb_resume *actions = s->actions;
	int ncpus = s->ncpus;

	memset(s, 0, offsetof(struct gdb_session, dec));
	s->out = bufs[0];
	s->last = bufs[1];
	s->gcache = bufs[2];
	s->reply = bufs[3];
	s->out.len = s->last.len = s->gcache.len = s->reply.len = 0;
	s->scratch = scratch;
	s->actions = actions;
	s->ncpus = ncpus;
	memset(actions, 0, (size_t)ncpus * sizeof(*actions));
}

struct gdb_session *gdb_session_new(const struct gdb_target_ops *ops, void *target)
{
	struct gdb_session *s = spare;
	int ncpus = ops->ncpus(target);

	if (ncpus < 1 || ncpus > GDB_MAX_CPUS)
		return NULL;
	spare = NULL;
	if (s && s->ncpus == ncpus) {
		reuse(s);
	} else {
		if (s)
			release(s);
		s = calloc(1, sizeof(*s));
		if (!s)
			return NULL;
		s->ncpus = ncpus;
		s->scratch = malloc(RSP_PACKET_SIZE);
		s->actions = calloc((size_t)ncpus, sizeof(*s->actions));
		if (!s->scratch || !s->actions) {
			release(s);
			return NULL;
		}
	}
	s->ops = ops;
	s->t = target;
	s->gcache_cpu = -1;
	rsp_decoder_init(&s->dec);
	s->g_cpu = -1;
	s->c_cpu = -1;
	/* Until attach has stopped it, the machine counts as running. */
	s->running = true;
	return s;
}

void gdb_session_free(struct gdb_session *s)
{
	if (!s)
		return;
	if (spare)
		release(spare);
	spare = s;
}

void gdb_session_exited(struct gdb_session *s, int status)
{
	if (s->ended)
		return;
	memset(&s->stop, 0, sizeof(s->stop));
	s->stop.kind = GDB_STOP_EXITED;
	s->stop.code = status;
	s->running = false;
	s->stop_requested = false;
	if (s->reply_owed) {
		s->reply_owed = false;
		send_stop_reply(s);
	}
	s->ended = true;
	s->want_close = true;
}

void gdb_session_closed(struct gdb_session *s)
{
	if (s->ended)
		return;
	s->ended = true;
	/* killed in extended mode and not run again: the kill takes effect now */
	if (s->killed)
		s->ops->kill(s->t);
	else
		s->ops->detach(s->t);
}

struct rsp_buf *gdb_session_output(struct gdb_session *s)
{
	return &s->out;
}

bool gdb_session_want_close(const struct gdb_session *s)
{
	return s->want_close;
}

bool gdb_session_running(const struct gdb_session *s)
{
	return s->running;
}
