/*
 * session_query.c -- the q/Q packets: feature negotiation, the thread list,
 * qXfer objects (target description, threads) and monitor commands.
 */
#include <errno.h>
#include <stddef.h>
#include <stdio.h>
#include <string.h>

#include "gdb/session_int.h"
#include "util.h"

/* Monitor output goes out as O packets of at most this much text each. */
#define MONITOR_CHUNK	2048

/* Target-side conditions and commands: when the target takes them. */
static bool has_bp_opts(const struct gdb_session *s)
{
	return s->ops->bp_opts != NULL;
}

static bool has_reverse(const struct gdb_session *s)
{
	return s->ops->reverse != NULL;
}

/*
 * What we tell GDB in qSupported, after PacketSize: only what is
 * implemented.  No multiprocess (one process: the machine), no non-stop.
 */
static const struct feature {
	const char *name;			/* as sent, with its +/- */
	bool (*offered)(const struct gdb_session *s);	/* NULL: always offered */
} features[] = {
	{ "QStartNoAckMode+", NULL },
	{ "qXfer:features:read+", NULL },
	{ "qXfer:threads:read+", NULL },
	{ "swbreak+", NULL },
	{ "hwbreak+", NULL },
	{ "vContSupported+", NULL },
	{ "binary-upload+", NULL },
	{ "multiprocess-", NULL },
	{ "ConditionalBreakpoints+", has_bp_opts },
	{ "ReverseStep+", has_reverse },
	{ "ReverseContinue+", has_reverse },
	{ "BreakpointCommands+", has_bp_opts },
};

/* GDB's own features: the stop reasons it understands. */
static const struct gdb_feature {
	const char *name;
	size_t flag;				/* offset of the session's bool */
} gdb_features[] = {
	{ "swbreak+", offsetof(struct gdb_session, gdb_swbreak) },
	{ "hwbreak+", offsetof(struct gdb_session, gdb_hwbreak) },
};

static void handle_supported(struct gdb_session *s, const uint8_t *pkt, size_t n)
{
	const char *p = (const char *)pkt + strlen("qSupported");
	const char *end = (const char *)pkt + n;

	if (p < end && *p == ':')
		p++;
	while (p < end) {
		const char *f = p;

		while (p < end && *p != ';')
			p++;
		for (size_t i = 0; i < ARRAY_SIZE(gdb_features); i++)
			if ((size_t)(p - f) == strlen(gdb_features[i].name) &&
			    !memcmp(f, gdb_features[i].name, (size_t)(p - f)))
				*(bool *)((char *)s + gdb_features[i].flag) = true;
		if (p < end)
			p++;
	}
	rsp_buf_printf(&s->reply, "PacketSize=%x", RSP_PACKET_SIZE);
	for (size_t i = 0; i < ARRAY_SIZE(features); i++)
		if (!features[i].offered || features[i].offered(s))
			rsp_buf_printf(&s->reply, ";%s", features[i].name);
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

static void handle_thread_info(struct gdb_session *s, const uint8_t *pkt, size_t n)
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

bool gdb_session_console(struct gdb_session *s, const char *text, size_t len)
{
	if (!s->running || !s->reply_owed || s->want_close)
		return false;
	send_console(s, text, len);
	return true;
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

/* Qqemu.PhyMemMode:0|1 -- QEMU's switch to physical addresses, for front ends written for it. */
static void handle_set_phys(struct gdb_session *s, const uint8_t *pkt, size_t n)
{
	const size_t pre = strlen("Qqemu.PhyMemMode:");
	int r;

	if (n != pre + 1 || (pkt[pre] != '0' && pkt[pre] != '1')) {
		sess_send_err(s, -EINVAL);
		return;
	}
	if (!s->ops->phys_mode) {
		sess_send_str(s, "");
		return;
	}
	if (s->running) {
		sess_send_err(s, -EBUSY);
		return;
	}
	r = s->ops->phys_mode(s->t, pkt[pre] == '1');
	if (r < 0)
		sess_send_err(s, r);
	else
		sess_send_str(s, "OK");
}

/* qqemu.PhyMemMode: "1" while memory packets take physical addresses. */
static void handle_get_phys(struct gdb_session *s, const uint8_t *pkt, size_t n)
{
	int r = s->ops->phys_mode && !s->running ? s->ops->phys_mode(s->t, -1) : 0;

	sess_send_str(s, r > 0 ? "1" : "0");
}

/* ---- QEMU's own packets, answered as QEMU does (front ends detect QEMU by them) ---- */

static void handle_qemu_supported(struct gdb_session *s, const uint8_t *pkt, size_t n)
{
	sess_send_str(s, s->ops->sstep_flags ? "sstepbits;sstep;PhyMemMode" : "PhyMemMode");
}

static void handle_sstepbits(struct gdb_session *s, const uint8_t *pkt, size_t n)
{
	char b[48];

	if (!s->ops->sstep_flags) {
		sess_send_str(s, "");
		return;
	}
	snprintf(b, sizeof(b), "ENABLE=%x,NOIRQ=%x,NOTIMER=%x", GDB_SSTEP_ENABLE, GDB_SSTEP_NOIRQ,
		 GDB_SSTEP_NOTIMER);
	sess_send_str(s, b);
}

static void handle_get_sstep(struct gdb_session *s, const uint8_t *pkt, size_t n)
{
	char b[16];
	int r;

	if (!s->ops->sstep_flags) {
		sess_send_str(s, "");
		return;
	}
	r = s->ops->sstep_flags(s->t, -1);
	if (r < 0) {
		sess_send_err(s, r);
		return;
	}
	snprintf(b, sizeof(b), "0x%x", r);
	sess_send_str(s, b);
}

/* Qqemu.sstep=HEX: flags it cannot honour get E22 (EINVAL), as QEMU says under KVM. */
static void handle_set_sstep(struct gdb_session *s, const uint8_t *pkt, size_t n)
{
	const char *v = (const char *)pkt + strlen("Qqemu.sstep=");
	size_t len = n - strlen("Qqemu.sstep=");
	uint64_t flags;
	int r;

	if (len > 2 && v[0] == '0' && v[1] == 'x') {
		v += 2;
		len -= 2;
	}
	if (!s->ops->sstep_flags || rsp_parse_hex_u64(v, len, &flags)) {
		sess_send_str(s, "");	/* QEMU's answer to a value it cannot parse */
		return;
	}
	if (s->running) {
		sess_send_err(s, -EBUSY);
		return;
	}
	r = flags > 0xff ? -EINVAL : s->ops->sstep_flags(s->t, (int)flags);
	if (r == -EINVAL)
		sess_send_str(s, "E22");
	else if (r < 0)
		sess_send_err(s, r);
	else
		sess_send_str(s, "OK");
}

#ifndef HYVE_VERSION		/* the Makefile defines it; the fuzzers' builds do not */
#define HYVE_VERSION "unknown"
#endif

/* qGDBServerVersion (lldb's; pwndbg asks it too): who we are. */
static void handle_server_version(struct gdb_session *s, const uint8_t *pkt, size_t n)
{
	sess_send_str(s, "name:hyve;version:" HYVE_VERSION ";");
}

static void handle_noack(struct gdb_session *s, const uint8_t *pkt, size_t n)
{
	/* The '+' for this packet is already out; from now on, none. */
	sess_send_str(s, "OK");
	s->noack = true;
}

static void handle_qc(struct gdb_session *s, const uint8_t *pkt, size_t n)
{
	char tid[16];

	snprintf(tid, sizeof(tid), "QC%x", sess_cpu_g(s) + 1);
	sess_send_str(s, tid);
}

static void handle_thread_more(struct gdb_session *s, const uint8_t *pkt, size_t n)
{
	sess_send_str(s, "l");		/* qfThreadInfo listed them all */
}

static void handle_attached(struct gdb_session *s, const uint8_t *pkt, size_t n)
{
	sess_send_str(s, "1");		/* we attached: detach, not kill, on quit */
}

static void handle_symbol(struct gdb_session *s, const uint8_t *pkt, size_t n)
{
	sess_send_str(s, "OK");		/* no symbols wanted */
}

enum match {
	M_EXACT,	/* the packet is the name */
	M_ARGS,		/* the name, then nothing or ':'/',' and arguments */
	M_PREFIX,	/* the name, then anything */
};

static const struct query {
	const char *name;
	enum match match;
	void (*fn)(struct gdb_session *s, const uint8_t *pkt, size_t n);
} queries[] = {
	{ "qSupported", M_ARGS, handle_supported },
	{ "QStartNoAckMode", M_EXACT, handle_noack },
	{ "qC", M_EXACT, handle_qc },
	{ "qfThreadInfo", M_EXACT, handle_thread_info },
	{ "qsThreadInfo", M_EXACT, handle_thread_more },
	{ "qThreadExtraInfo,", M_PREFIX, handle_extra_info },
	{ "qThreadStopInfo", M_PREFIX, handle_thread_stop_info },
	{ "qXfer:", M_PREFIX, handle_xfer },
	{ "qAttached", M_ARGS, handle_attached },
	{ "qSymbol:", M_PREFIX, handle_symbol },
	{ "qRcmd,", M_PREFIX, handle_rcmd },
	{ "Qqemu.PhyMemMode:", M_PREFIX, handle_set_phys },
	{ "qqemu.PhyMemMode", M_EXACT, handle_get_phys },
	{ "qqemu.Supported", M_EXACT, handle_qemu_supported },
	{ "qqemu.sstepbits", M_EXACT, handle_sstepbits },
	{ "Qqemu.sstepbits", M_EXACT, handle_sstepbits },	/* pwndbg sends it so; QEMU answers */
	{ "qqemu.sstep", M_EXACT, handle_get_sstep },
	{ "Qqemu.sstep=", M_PREFIX, handle_set_sstep },
	{ "qGDBServerVersion", M_EXACT, handle_server_version },
};

static bool matches(const struct query *q, const uint8_t *pkt, size_t n)
{
	size_t l = strlen(q->name);

	if (!sess_prefix(pkt, n, q->name))
		return false;
	switch (q->match) {
	case M_EXACT:
		return n == l;
	case M_ARGS:
		return n == l || pkt[l] == ':' || pkt[l] == ',';
	default:
		return true;
	}
}

void sess_handle_query(struct gdb_session *s, const uint8_t *pkt, size_t n)
{
	s->reply.len = 0;
	for (size_t i = 0; i < ARRAY_SIZE(queries); i++) {
		if (matches(&queries[i], pkt, n)) {
			queries[i].fn(s, pkt, n);
			return;
		}
	}
	/*
	 * qOffsets, qTStatus, QNonStop, QThreadEvents, ...: not supported.  An
	 * empty qOffsets is also what qemu-system answers (nothing is
	 * relocated), and what GEF reads as "a system emulator, not qemu-user".
	 */
	sess_send_str(s, "");
}
