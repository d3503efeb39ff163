/*
 * session_query.c -- the q/Q packets: feature negotiation, the thread list,
 * qXfer objects (target description, threads) and monitor commands.
 */
#include <errno.h>
#include <stdio.h>
#include <string.h>

#include "gdb/session_int.h"
#include "util.h"

/* Monitor output goes out as O packets of at most this much text each. */
#define MONITOR_CHUNK	2048

/*
 * What we tell GDB.  Only what is implemented: no multiprocess (one
 * process: the machine), no non-stop, no range stepping.
 */
static void handle_supported(struct gdb_session *s, const uint8_t *pkt, size_t n)
{
	const char *p = (const char *)pkt + strlen("qSupported");
	const char *end = (const char *)pkt + n;

	/* GDB's own features: remember the stop reasons it understands. */
	if (p < end && *p == ':')
		p++;
	while (p < end) {
		const char *f = p;
		size_t len;

		while (p < end && *p != ';')
			p++;
		len = (size_t)(p - f);
		if (len == 8 && !memcmp(f, "swbreak+", 8))
			s->gdb_swbreak = true;
		if (len == 8 && !memcmp(f, "hwbreak+", 8))
			s->gdb_hwbreak = true;
		if (p < end)
			p++;
	}
	rsp_buf_printf(&s->reply, "PacketSize=%x;QStartNoAckMode+;qXfer:features:read+;"
		       "qXfer:threads:read+;swbreak+;hwbreak+;vContSupported+;"
		       "binary-upload+;multiprocess-", RSP_PACKET_SIZE);
	sess_send_reply(s);
}

/* One slice of a qXfer document: 'm' if more follows, 'l' for the last. */
static void send_xfer(struct gdb_session *s, const char *doc, size_t len,
		      uint64_t off, uint64_t want)
{
	size_t take;

	if (want == 0) {
		sess_send_err(s, -EINVAL);	/* would never make progress */
		return;
	}
	if (off >= len) {
		sess_send_str(s, "l");
		return;
	}
	take = len - (size_t)off;
	if (take > want)
		take = (size_t)want;
	if (take > RSP_PACKET_SIZE - 1)
		take = RSP_PACKET_SIZE - 1;
	s->reply.len = 0;
	if (rsp_buf_put(&s->reply, (off + take < len) ? "m" : "l", 1) ||
	    rsp_buf_put(&s->reply, doc + off, take)) {
		s->reply.len = 0;
		sess_send_err(s, -ENOMEM);
		return;
	}
	sess_send_reply(s);
}

/* The thread list as XML: each vCPU with its core and a name. */
static int threads_xml(struct gdb_session *s, struct rsp_buf *b)
{
	int r = rsp_buf_puts(b, "<?xml version=\"1.0\"?>\n<threads>\n");

	for (int i = 0; i < s->ncpus && !r; i++)
		r = rsp_buf_printf(b, "<thread id=\"%x\" core=\"%d\" name=\"vCPU %d\"/>\n",
				   i + 1, i, i);
	if (!r)
		r = rsp_buf_puts(b, "</threads>\n");
	return r;
}

static bool field_is(const char *f, size_t len, const char *str)
{
	return len == strlen(str) && !memcmp(f, str, len);
}

static void handle_xfer(struct gdb_session *s, const uint8_t *pkt, size_t n)
{
	struct rsp_qxfer q;

	if (rsp_parse_qxfer_read(pkt, n, &q)) {
		/* A write, or an object we do not have, is "not supported"; junk is an error. */
		sess_send_str(s, sess_prefix(pkt, n, "qXfer:features:read:") ||
			      sess_prefix(pkt, n, "qXfer:threads:read:") ? "E01" : "");
		return;
	}
	if (field_is(q.object, q.object_len, "features")) {
		const char *xml;
		size_t len = 0;

		if (!field_is(q.annex, q.annex_len, "target.xml") ||
		    !(xml = s->ops->target_xml(s->t, &len))) {
			sess_send_str(s, "E00");	/* no such annex */
			return;
		}
		send_xfer(s, xml, len, q.offset, q.length);
	} else if (field_is(q.object, q.object_len, "threads")) {
		struct rsp_buf b;

		if (q.annex_len) {
			sess_send_str(s, "E00");
			return;
		}
		rsp_buf_init(&b);
		if (threads_xml(s, &b))
			sess_send_err(s, -ENOMEM);
		else
			send_xfer(s, (const char *)b.data, b.len, q.offset, q.length);
		rsp_buf_free(&b);
	} else {
		sess_send_str(s, "");
	}
}

static void handle_thread_info(struct gdb_session *s)
{
	struct rsp_buf *r = &s->reply;

	r->len = 0;
	rsp_buf_puts(r, "m");
	for (int i = 0; i < s->ncpus; i++)
		rsp_buf_printf(r, i ? ",%x" : "%x", i + 1);
	sess_send_reply(s);
}

static void handle_extra_info(struct gdb_session *s, const uint8_t *pkt, size_t n)
{
	const size_t pre = strlen("qThreadExtraInfo,");
	struct rsp_tid tid;
	char text[160], extra[128];
	int cpu, len;

	if (rsp_parse_thread_id((const char *)pkt + pre, n - pre, &tid) ||
	    (cpu = sess_tid_cpu(s, &tid)) < 0) {
		sess_send_err(s, -EINVAL);
		return;
	}
	len = snprintf(text, sizeof(text), "vCPU %d", cpu);
	if (!s->running && s->ops->thread_extra &&
	    s->ops->thread_extra(s->t, cpu, extra, sizeof(extra)) >= 0) {
		extra[sizeof(extra) - 1] = 0;
		if (extra[0])
			len = snprintf(text, sizeof(text), "vCPU %d, %s", cpu, extra);
	}
	if (len < 0)
		len = 0;
	if ((size_t)len >= sizeof(text))
		len = sizeof(text) - 1;
	s->reply.len = 0;
	rsp_buf_put_hex(&s->reply, text, (size_t)len);
	sess_send_reply(s);
}

/*
 * qThreadStopInfo<tid> (LLDB): why that thread is stopped.  LLDB asks for
 * every thread after a stop; without an answer it keeps a thread's old
 * reason and may keep the wrong thread selected.
 */
static void handle_thread_stop_info(struct gdb_session *s, const uint8_t *pkt, size_t n)
{
	const size_t pre = strlen("qThreadStopInfo");
	struct rsp_tid tid;
	int cpu;

	if (rsp_parse_thread_id((const char *)pkt + pre, n - pre, &tid) ||
	    (cpu = sess_tid_cpu(s, &tid)) < 0) {
		sess_send_err(s, -EINVAL);
		return;
	}
	if (s->running) {
		sess_send_err(s, -EBUSY);
		return;
	}
	sess_send_thread_stop(s, cpu);
}

/* ---- monitor ---- */

static const char builtin_help[] =
	"hyve debug server commands (monitor CMD):\n"
	"  help              this list\n"
	"  packets on|off    log every remote-protocol packet on hyve's stderr\n";

/* Text as O packets (GDB prints them), cut into pieces of bounded size. */
static void send_console(struct gdb_session *s, const char *text, size_t len)
{
	while (len) {
		size_t take = len < MONITOR_CHUNK ? len : MONITOR_CHUNK;

		s->reply.len = 0;
		if (rsp_buf_put(&s->reply, "O", 1) || rsp_buf_put_hex(&s->reply, text, take)) {
			s->reply.len = 0;
			return;
		}
		sess_send_reply(s);
		text += take;
		len -= take;
	}
}

static void handle_rcmd(struct gdb_session *s, const uint8_t *pkt, size_t n)
{
	s->gcache_cpu = -1;	/* `monitor reset` and friends change registers */
	char cmd[GDB_MONITOR_MAX + 1];
	struct rsp_buf out;
	size_t len;
	int r = 0;

	if (rsp_parse_qrcmd(pkt, n, cmd, sizeof(cmd), &len) || strlen(cmd) != len) {
		sess_send_err(s, -EINVAL);
		return;
	}
	rsp_buf_init(&out);
	if (!strcmp(cmd, "packets on") || !strcmp(cmd, "packets off")) {
		s->trace = !strcmp(cmd, "packets on");
	} else if (!strcmp(cmd, "help") || !cmd[0]) {
		/* Ours, then the machine's (its own "help" lists its commands). */
		rsp_buf_puts(&out, builtin_help);
		if (s->ops->monitor && !s->running)
			s->ops->monitor(s->t, "help", &out);
	} else if (s->running) {
		r = -EBUSY;		/* the machine may only be touched while stopped */
	} else if (!s->ops->monitor) {
		r = -ENOENT;
	} else {
		r = s->ops->monitor(s->t, cmd, &out);
	}
	if (r == -ENOENT) {
		out.len = 0;
		rsp_buf_printf(&out, "unknown monitor command \"%s\"; try \"monitor help\"\n", cmd);
	}
	if (out.len)
		send_console(s, (const char *)out.data, out.len);
	rsp_buf_free(&out);
	if (r < 0 && r != -ENOENT)
		sess_send_err(s, r);
	else
		sess_send_str(s, "OK");
}

static void handle_phys_mode(struct gdb_session *s, bool on)
{
	struct rsp_buf out;
	int r;

	rsp_buf_init(&out);
	r = s->ops->monitor(s->t, on ? "phys on" : "phys off", &out);
	rsp_buf_free(&out);
	if (r) {
		sess_send_err(s, r);
		return;
	}
	s->phys_mode = on;
	sess_send_str(s, "OK");
}

void sess_handle_query(struct gdb_session *s, const uint8_t *pkt, size_t n)
{
	char tid[16];

	s->reply.len = 0;
	if (sess_prefix(pkt, n, "qSupported") && (n == 10 || pkt[10] == ':')) {
		handle_supported(s, pkt, n);
	} else if (n == 15 && sess_prefix(pkt, n, "QStartNoAckMode")) {
		/* The '+' for this packet is already out; from now on, none. */
		sess_send_str(s, "OK");
		s->noack = true;
	} else if (n == 2 && sess_prefix(pkt, n, "qC")) {
		snprintf(tid, sizeof(tid), "QC%x", sess_cpu_g(s) + 1);
		sess_send_str(s, tid);
	} else if (n == 12 && sess_prefix(pkt, n, "qfThreadInfo")) {
		handle_thread_info(s);
	} else if (n == 12 && sess_prefix(pkt, n, "qsThreadInfo")) {
		sess_send_str(s, "l");
	} else if (sess_prefix(pkt, n, "qThreadExtraInfo,")) {
		handle_extra_info(s, pkt, n);
	} else if (sess_prefix(pkt, n, "qThreadStopInfo")) {
		handle_thread_stop_info(s, pkt, n);
	} else if (sess_prefix(pkt, n, "qXfer:")) {
		handle_xfer(s, pkt, n);
	} else if (n == 9 && sess_prefix(pkt, n, "qAttached")) {
		sess_send_str(s, "1");	/* we attached: detach, not kill, on quit */
	} else if (sess_prefix(pkt, n, "qAttached:")) {
		sess_send_str(s, "1");
	} else if (sess_prefix(pkt, n, "qSymbol:")) {
		sess_send_str(s, "OK");	/* no symbols wanted */
	} else if (sess_prefix(pkt, n, "qRcmd,")) {
		handle_rcmd(s, pkt, n);
	} else if (n == 18 && sess_prefix(pkt, n, "Qqemu.PhyMemMode:") &&
		   (pkt[17] == '0' || pkt[17] == '1') && s->ops->monitor && !s->running) {
		/* QEMU's switch to physical addresses, for front ends written for it */
		handle_phys_mode(s, pkt[17] == '1');
	} else if (n == 16 && sess_prefix(pkt, n, "qqemu.PhyMemMode")) {
		sess_send_str(s, s->phys_mode ? "1" : "0");
	} else {
		/* qOffsets, qTStatus, QNonStop, QThreadEvents, ...: not supported. */
		sess_send_str(s, "");
	}
}
