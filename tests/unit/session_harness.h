/*
 * session_harness.h -- what the session tests share: a session over the
 * fake target (fake_target.h), packets in, the session's output decoded
 * with the codec's own decoder into G (acks, naks, payloads).
 */
#ifndef HYVE_SESSION_HARNESS_H
#define HYVE_SESSION_HARNESS_H

#include <stdlib.h>
#include <string.h>

#include "test.h"
#include "fake_target.h"
#include "gdb/rsp.h"
#include "gdb/session.h"

/* ---- collecting what the session sends ---- */

#define MAXPKT 64

struct got {
	int acks, naks;
	int n;			/* packets */
	char *pkt[MAXPKT];	/* decoded payloads, NUL-terminated */
	size_t len[MAXPKT];
};

static struct got G;		/* what the last exchange produced */
static struct rsp_decoder *outdec;

static inline int got_fn(void *opaque, const struct rsp_event *ev)
{
	struct got *g = opaque;

	if (ev->type == RSP_EV_ACK)
		g->acks++;
	else if (ev->type == RSP_EV_NAK)
		g->naks++;
	else if (ev->type == RSP_EV_PACKET && g->n < MAXPKT) {
		g->pkt[g->n] = malloc(ev->len + 1);
		memcpy(g->pkt[g->n], ev->data, ev->len + 1);
		g->len[g->n++] = ev->len;
	} else {
		g->n = MAXPKT + 1;	/* anything else is a framing bug: fail loudly */
	}
	return 0;
}

static inline void got_clear(void)
{
	for (int i = 0; i < G.n && i < MAXPKT; i++)
		free(G.pkt[i]);
	memset(&G, 0, sizeof(G));
}

/* Decode (and drop) everything queued in the session's output into G. */
static inline void take(struct gdb_session *s)
{
	struct rsp_buf *out = gdb_session_output(s);

	got_clear();
	if (!outdec)
		outdec = malloc(sizeof(*outdec));
	rsp_decoder_init(outdec);
	rsp_feed(outdec, out->data, out->len, got_fn, &G, NULL);
	CHECK_EQ(outdec->state, RSP_IDLE);	/* nothing half-sent */
	rsp_buf_consume(out, out->len);
}

static inline void feed_raw(struct gdb_session *s, const void *p, size_t n)
{
	gdb_session_feed(s, p, n);
	take(s);
}

static inline void send_pkt(struct gdb_session *s, const void *payload, size_t n)
{
	size_t cap = 2 * n + 4;
	uint8_t *buf = malloc(cap);
	int len = rsp_encode(buf, cap, payload, n);

	CHECK(len > 0);
	feed_raw(s, buf, (size_t)len);
	free(buf);
}

/* Send a text packet; the single reply's payload (NULL if not exactly one). */
static inline const char *req(struct gdb_session *s, const char *payload)
{
	send_pkt(s, payload, strlen(payload));
	return G.n == 1 ? G.pkt[0] : NULL;
}

static inline const char *hex(const void *p, size_t n)
{
	static char buf[4096];

	rsp_hex_encode(buf, p, n);
	buf[2 * n] = 0;
	return buf;
}

/* ---- a session over the fake target ---- */

static struct fake_target FT;

static inline void notify_session(void *arg)
{
	gdb_session_stopped(arg);
}

/* A session attached to a fresh fake machine, already stopped (T02 cpu 0). */
static inline struct gdb_session *setup(int ncpus)
{
	struct gdb_session *s;

	fake_init(&FT, ncpus);
	s = gdb_session_new(&fake_ops, &FT);
	CHECK(s != NULL);
	FT.notify = notify_session;
	FT.notify_arg = s;
	CHECK_EQ(gdb_session_attach(s), 0);
	CHECK_EQ(FT.stops, 1);
	CHECK(!gdb_session_running(s));
	take(s);
	CHECK_EQ(G.n, 0);		/* no stop reply until `?` */
	return s;
}

static inline void teardown(struct gdb_session *s)
{
	CHECK_EQ(FT.violations, 0);
	gdb_session_closed(s);
	gdb_session_free(s);
	got_clear();
}

/* ---- run control ---- */

/* Feed a resume packet: no reply until the machine stops. */
static inline void resume_pkt(struct gdb_session *s, const char *p)
{
	int before = FT.resumes;

	CHECK(req(s, p) == NULL);
	CHECK_EQ(G.n, 0);
	CHECK_EQ(FT.resumes, before + 1);
	CHECK(gdb_session_running(s));
}

static inline void check_actions(enum gdb_resume a0, enum gdb_resume a1, enum gdb_resume a2)
{
	CHECK_EQ(FT.actions[0], a0);
	CHECK_EQ(FT.actions[1], a1);
	CHECK_EQ(FT.actions[2], a2);
}

#endif
