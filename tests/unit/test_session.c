/*
 * test_session.c -- the GDB remote protocol session against the in-memory
 * fake target (fake_target.h), plus the server on a socketpair and on real
 * TCP / Unix listeners.  Replies are checked by decoding the session's
 * output with the codec's own decoder.
 */
#include <errno.h>
#include <poll.h>
#include <pthread.h>
#include <stdlib.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <netinet/in.h>
#include <arpa/inet.h>
#include <unistd.h>

#include "test.h"
#include "fake_target.h"
#include "config.h"
#include "event.h"
#include "gdb/rsp.h"
#include "gdb/server.h"
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

static int got_fn(void *opaque, const struct rsp_event *ev)
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

static void got_clear(void)
{
	for (int i = 0; i < G.n && i < MAXPKT; i++)
		free(G.pkt[i]);
	memset(&G, 0, sizeof(G));
}

/* Decode (and drop) everything queued in the session's output into G. */
static void take(struct gdb_session *s)
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

static void feed_raw(struct gdb_session *s, const void *p, size_t n)
{
	gdb_session_feed(s, p, n);
	take(s);
}

static void send_pkt(struct gdb_session *s, const void *payload, size_t n)
{
	size_t cap = 2 * n + 4;
	uint8_t *buf = malloc(cap);
	int len = rsp_encode(buf, cap, payload, n);

	CHECK(len > 0);
	feed_raw(s, buf, (size_t)len);
	free(buf);
}

/* Send a text packet; the single reply's payload (NULL if not exactly one). */
static const char *req(struct gdb_session *s, const char *payload)
{
	send_pkt(s, payload, strlen(payload));
	return G.n == 1 ? G.pkt[0] : NULL;
}

static const char *hex(const void *p, size_t n)
{
	static char buf[4096];

	rsp_hex_encode(buf, p, n);
	buf[2 * n] = 0;
	return buf;
}

/* ---- a session over the fake target ---- */

static struct fake_target FT;

static void notify_session(void *arg)
{
	gdb_session_stopped(arg);
}

/* A session attached to a fresh fake machine, already stopped (T02 cpu 0). */
static struct gdb_session *setup(int ncpus)
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

static void teardown(struct gdb_session *s)
{
	CHECK_EQ(FT.violations, 0);
	gdb_session_closed(s);
	gdb_session_free(s);
	got_clear();
}

/* ---- handshake and acks ---- */

TEST(supported_and_noack)
{
	struct gdb_session *s = setup(2);
	const char *r = req(s, "qSupported:multiprocess+;swbreak+;hwbreak+;xmlRegisters=i386");
	char want[64];

	CHECK_EQ(G.acks, 1);
	CHECK(r != NULL);
	snprintf(want, sizeof(want), "PacketSize=%x;", RSP_PACKET_SIZE);
	CHECK(r && !strncmp(r, want, strlen(want)));
	CHECK(r && strstr(r, ";QStartNoAckMode+"));
	CHECK(r && strstr(r, ";qXfer:features:read+"));
	CHECK(r && strstr(r, ";qXfer:threads:read+"));
	CHECK(r && strstr(r, ";swbreak+"));
	CHECK(r && strstr(r, ";hwbreak+"));
	CHECK(r && strstr(r, ";vContSupported+"));
	CHECK(r && strstr(r, ";multiprocess-"));
	CHECK(r && !strstr(r, "QNonStop+"));

	CHECK_STR(req(s, "vMustReplyEmpty"), "");
	CHECK_EQ(G.acks, 1);
	CHECK_STR(req(s, "QStartNoAckMode"), "OK");
	CHECK_EQ(G.acks, 1);		/* that packet is still acked */
	CHECK_STR(req(s, "qAttached"), "1");
	CHECK_EQ(G.acks, 0);		/* then no more */
	/* In no-ack mode a '-' resends nothing and a bad checksum is dropped. */
	feed_raw(s, "-", 1);
	CHECK_EQ(G.n, 0);
	feed_raw(s, "$qC#00", 6);
	CHECK_EQ(G.n + G.naks, 0);
	teardown(s);
}

TEST(nak_resends_and_bad_checksum)
{
	struct gdb_session *s = setup(2);
	struct rsp_buf *out = gdb_session_output(s);
	uint8_t first[64];
	size_t flen;

	gdb_session_feed(s, "$qC#b4", 6);
	CHECK(out->len > 1 && out->data[0] == '+');
	flen = out->len - 1;
	CHECK(flen < sizeof(first));
	memcpy(first, out->data + 1, flen);
	rsp_buf_consume(out, out->len);
	gdb_session_feed(s, "-", 1);		/* GDB did not get it: once more */
	CHECK_EQ(out->len, flen);
	CHECK(!memcmp(out->data, first, flen));
	rsp_buf_consume(out, out->len);
	gdb_session_feed(s, "+", 1);		/* acks are ignored */
	CHECK_EQ(out->len, 0);

	feed_raw(s, "$qC#00", 6);
	CHECK_EQ(G.naks, 1);
	CHECK_EQ(G.n, 0);
	/* Split anywhere, several per read, junk in between. */
	feed_raw(s, "junk$q", 6);
	CHECK_EQ(G.n, 0);
	feed_raw(s, "C#b4$qC#b4", 10);
	CHECK_EQ(G.n, 2);
	CHECK_EQ(G.acks, 2);
	CHECK_STR(G.pkt[0], "QC1");
	CHECK_STR(G.pkt[1], "QC1");
	teardown(s);
}

TEST(unknown_and_unsupported_are_empty)
{
	struct gdb_session *s = setup(1);
	static const char *const pkts[] = {
		"vMustReplyEmpty", "qOffsets", "qTStatus", "QNonStop:1", "QThreadEvents:1",
		"!", "R00", "Hm1", "qFoo", "vAttach;1", "A", "i", "bc", "qXfer:auxv:read::0,10",
		"vContX", "?x", "k1", "qXfer:memory-map:read::0,100",
	};

	for (unsigned i = 0; i < sizeof(pkts) / sizeof(pkts[0]); i++) {
		const char *r = req(s, pkts[i]);

		if (!r || *r)
			fprintf(stderr, "  packet %s got \"%s\"\n", pkts[i], r ? r : "(none)");
		CHECK_STR(r, "");
	}
	CHECK_STR(req(s, "qSymbol::"), "OK");
	CHECK_EQ(FT.kills + FT.detaches + FT.resumes, 0);
	teardown(s);
}

/* ---- threads ---- */

TEST(threads)
{
	struct gdb_session *s = setup(3);

	CHECK_STR(req(s, "qfThreadInfo"), "m1,2,3");
	CHECK_STR(req(s, "qsThreadInfo"), "l");
	CHECK_STR(req(s, "qC"), "QC1");
	CHECK_STR(req(s, "Hg2"), "OK");
	CHECK_STR(req(s, "qC"), "QC2");
	CHECK_STR(req(s, "Hg-1"), "E01");
	CHECK_STR(req(s, "Hg4"), "E01");
	CHECK_STR(req(s, "Hgz"), "E01");
	CHECK_STR(req(s, "Hg"), "E01");
	CHECK_STR(req(s, "qC"), "QC2");		/* errors changed nothing */
	CHECK_STR(req(s, "Hg0"), "OK");
	CHECK_STR(req(s, "qC"), "QC1");		/* any: the stopped vCPU */
	CHECK_STR(req(s, "Hgp1.3"), "OK");
	CHECK_STR(req(s, "qC"), "QC3");
	CHECK_STR(req(s, "Hgp2.1"), "E01");	/* there is only process 1 */
	CHECK_STR(req(s, "Hc-1"), "OK");
	CHECK_STR(req(s, "Hc3"), "OK");
	CHECK_STR(req(s, "Hc0"), "OK");
	CHECK_STR(req(s, "T1"), "OK");
	CHECK_STR(req(s, "T3"), "OK");
	CHECK_STR(req(s, "Tp1.2"), "OK");
	CHECK_STR(req(s, "T4"), "E01");
	CHECK_STR(req(s, "T0"), "E01");
	CHECK_STR(req(s, "T-1"), "E01");
	CHECK_STR(req(s, "T"), "E01");
	CHECK_STR(req(s, "qThreadExtraInfo,1"), hex("vCPU 0", 6));
	CHECK_STR(req(s, "qThreadExtraInfo,2"), hex("vCPU 1, halted", 14));
	CHECK_STR(req(s, "qThreadExtraInfo,9"), "E01");
	CHECK_STR(req(s, "qThreadExtraInfo,"), "E01");
	CHECK_STR(req(s, "qAttached:1"), "1");
	teardown(s);
}

/* Read a qXfer object in slices of `chunk` bytes; the concatenation (malloc'd). */
static char *xfer_all(struct gdb_session *s, const char *what, unsigned chunk)
{
	size_t len = 0;
	char *doc = malloc(1);
	char q[128];

	for (int i = 0; i < 10000; i++) {
		const char *r;

		snprintf(q, sizeof(q), "qXfer:%s:%zx,%x", what, len, chunk);
		r = req(s, q);
		if (!r || (r[0] != 'm' && r[0] != 'l')) {
			free(doc);
			return NULL;
		}
		CHECK(G.len[0] - 1 <= chunk);
		doc = realloc(doc, len + G.len[0]);
		memcpy(doc + len, r + 1, G.len[0] - 1);
		len += G.len[0] - 1;
		doc[len] = 0;
		if (r[0] == 'l')
			return doc;
		CHECK_EQ(G.len[0] - 1, chunk);	/* 'm' slices are full */
	}
	free(doc);
	return NULL;
}

TEST(qxfer_features)
{
	struct gdb_session *s = setup(2);
	char want[64], *doc;
	const char *r;

	r = req(s, "qXfer:features:read:target.xml:0,ffff");
	CHECK(r && r[0] == 'l' && !strcmp(r + 1, fake_xml));
	r = req(s, "qXfer:features:read:target.xml:0,a");
	snprintf(want, sizeof(want), "m%.10s", fake_xml);
	CHECK_STR(r, want);
	r = req(s, "qXfer:features:read:target.xml:5,3");
	snprintf(want, sizeof(want), "m%.3s", fake_xml + 5);
	CHECK_STR(r, want);
	snprintf(want, sizeof(want), "qXfer:features:read:target.xml:%zx,10",
		 sizeof(fake_xml) - 1);
	CHECK_STR(req(s, want), "l");
	CHECK_STR(req(s, "qXfer:features:read:target.xml:ffffffffffffffff,10"), "l");
	CHECK_STR(req(s, "qXfer:features:read:other.xml:0,10"), "E00");
	CHECK_STR(req(s, "qXfer:features:read:target.xml:0,0"), "E01");
	CHECK_STR(req(s, "qXfer:features:read:target.xml:zz,10"), "E01");
	CHECK_STR(req(s, "qXfer:features:read:target.xml:0"), "E01");
	CHECK_STR(req(s, "qXfer:features:read:target.xml:0,10000000000000000"), "E01");
	CHECK_STR(req(s, "qXfer:features:write:target.xml:0:abc"), "");
	for (unsigned chunk = 1; chunk < 40; chunk += 7) {
		doc = xfer_all(s, "features:read:target.xml", chunk);
		CHECK(doc && !strcmp(doc, fake_xml));
		free(doc);
	}
	teardown(s);
}

TEST(qxfer_threads)
{
	struct gdb_session *s = setup(3);
	const char *r = req(s, "qXfer:threads:read::0,fff");
	char *doc, *whole = strdup(r ? r : "");

	r = whole;

	CHECK(r && r[0] == 'l');
	CHECK(r && strstr(r, "<threads>"));
	CHECK(r && strstr(r, "<thread id=\"1\" core=\"0\" name=\"vCPU 0\"/>"));
	CHECK(r && strstr(r, "<thread id=\"3\" core=\"2\" name=\"vCPU 2\"/>"));
	CHECK(r && !strstr(r, "id=\"4\""));
	CHECK(r && strstr(r, "</threads>"));
	doc = xfer_all(s, "threads:read:", 7);
	CHECK(doc && r && !strcmp(doc, r + 1));
	free(doc);
	CHECK_STR(req(s, "qXfer:threads:read:x:0,fff"), "E00");
	free(whole);
	teardown(s);
}

/* ---- registers ---- */

TEST(registers)
{
	struct gdb_session *s = setup(2);
	char pkt[4200];
	uint8_t img[FAKE_REGS_BYTES];

	CHECK_STR(req(s, "g"), hex(FT.regs[0], FAKE_REGS_BYTES));
	CHECK_STR(req(s, "Hg2"), "OK");
	CHECK_STR(req(s, "g"), hex(FT.regs[1], FAKE_REGS_BYTES));
	CHECK_STR(req(s, "p0"), hex(FT.regs[1], 8));
	CHECK_STR(req(s, "p1"), hex(FT.regs[1] + 8, 8));
	CHECK_STR(req(s, "p2"), hex(FT.regs[1] + 16, 4));
	CHECK(req(s, "p3") && G.pkt[0][0] == 'E');	/* no such register */
	CHECK_STR(req(s, "p"), "E01");
	CHECK_STR(req(s, "pz"), "E01");
	CHECK_STR(req(s, "p1,"), "E01");
	CHECK_STR(req(s, "p100000000"), "E01");

	CHECK_STR(req(s, "P1=1122334455667788"), "OK");
	CHECK(!memcmp(FT.regs[1] + 8, "\x11\x22\x33\x44\x55\x66\x77\x88", 8));
	CHECK(FT.regs[0][8] == 8);			/* the other vCPU untouched */
	CHECK(req(s, "P1=11") && G.pkt[0][0] == 'E');	/* wrong size: target says no */
	CHECK_STR(req(s, "P1=1z"), "E01");
	CHECK_STR(req(s, "P1=123"), "E01");
	CHECK_STR(req(s, "P1="), "E01");
	CHECK_STR(req(s, "P1"), "E01");
	CHECK(req(s, "P7=00") && G.pkt[0][0] == 'E');

	for (int i = 0; i < FAKE_REGS_BYTES; i++)
		img[i] = (uint8_t)(0xa0 + i);
	snprintf(pkt, sizeof(pkt), "G%s", hex(img, sizeof(img)));
	CHECK_STR(req(s, pkt), "OK");
	CHECK(!memcmp(FT.regs[1], img, sizeof(img)));
	CHECK_STR(req(s, "G123"), "E01");
	CHECK_STR(req(s, "G12zz"), "E01");
	CHECK_STR(req(s, "G"), "E01");
	CHECK(req(s, "G1122") && G.pkt[0][0] == 'E');	/* short image: target says no */
	CHECK_STR(req(s, "gg"), "E01");
	teardown(s);
}

/* ---- memory ---- */

static const uint8_t *ram(uint64_t addr)
{
	return FT.ram + (addr - FAKE_RAM_BASE);
}

TEST(memory_read)
{
	struct gdb_session *s = setup(2);
	const char *r;

	CHECK_STR(req(s, "m1000,4"), hex(ram(0x1000), 4));
	CHECK_STR(req(s, "m1ffe,4"), hex(ram(0x1ffe), 2));	/* short at the hole */
	CHECK_STR(req(s, "m2000,4"), "E14");			/* in the hole */
	CHECK_STR(req(s, "m0,4"), "E14");
	CHECK_STR(req(s, "m3ffe,10"), hex(ram(0x3ffe), 2));	/* end of RAM */
	CHECK_STR(req(s, "m1000,0"), "");
	CHECK_STR(req(s, "mffffffffffffffff,2"), "E01");	/* wraps */
	CHECK_STR(req(s, "mffffffffffffffff,1"), "E14");
	CHECK_STR(req(s, "m1000"), "E01");
	CHECK_STR(req(s, "m1000,"), "E01");
	CHECK_STR(req(s, "m,4"), "E01");
	CHECK_STR(req(s, "mzz,4"), "E01");
	CHECK_STR(req(s, "m1000,4,5"), "E01");
	CHECK_STR(req(s, "m10000000000000000,1"), "E01");
	/* Long reads are cut to what fits a packet (here: up to the hole). */
	r = req(s, "m1000,ffffffff");
	CHECK(r && strlen(r) == 2 * (FAKE_HOLE_START - FAKE_RAM_BASE));
	r = req(s, "m2100,ffffffff");
	CHECK(r && strlen(r) == 2 * (FAKE_RAM_END - FAKE_HOLE_END));
	CHECK_STR(req(s, "Hg2"), "OK");
	CHECK_STR(req(s, "m1000,1"), hex(ram(0x1000), 1));
	CHECK_EQ(FT.last_mem_cpu, 1);		/* through the Hg vCPU */

	/* x: 'b' + raw bytes, escapes undone by the framing. */
	r = req(s, "x1000,40");
	CHECK(r && r[0] == 'b' && G.len[0] == 0x41 && !memcmp(r + 1, ram(0x1000), 0x40));
	r = req(s, "x1ff0,40");
	CHECK(r && r[0] == 'b' && G.len[0] == 0x11 && !memcmp(r + 1, ram(0x1ff0), 0x10));
	CHECK_STR(req(s, "x2000,4"), "E14");
	CHECK_STR(req(s, "x1000,0"), "b");
	CHECK_STR(req(s, "x1000"), "E01");
	r = req(s, "x2100,ffffffff");
	CHECK(r && G.len[0] == 1 + (FAKE_RAM_END - FAKE_HOLE_END));
	CHECK(r && !memcmp(r + 1, ram(0x2100), FAKE_RAM_END - FAKE_HOLE_END));
	teardown(s);
}

TEST(memory_write)
{
	struct gdb_session *s = setup(1);
	uint8_t pkt[64];
	size_t n;

	CHECK_STR(req(s, "M1000,2:abcd"), "OK");
	CHECK(ram(0x1000)[0] == 0xab && ram(0x1000)[1] == 0xcd);
	CHECK_STR(req(s, "M1ffe,4:01020304"), "E14");	/* runs into the hole */
	CHECK_STR(req(s, "M2000,1:01"), "E14");
	CHECK_STR(req(s, "M1000,2:abc"), "E01");
	CHECK_STR(req(s, "M1000,2:abcdef"), "E01");
	CHECK_STR(req(s, "M1000,2:abzz"), "E01");
	CHECK_STR(req(s, "M1000,2"), "E01");
	CHECK_STR(req(s, "M1000:abcd"), "E01");
	CHECK_STR(req(s, "M1000,0:"), "OK");

	/* X: binary, with bytes the framing must escape. */
	n = (size_t)snprintf((char *)pkt, sizeof(pkt), "X1100,6:");
	memcpy(pkt + n, "\x7d\x23\x24\x2a\x00\xff", 6);
	send_pkt(s, pkt, n + 6);
	CHECK(G.n == 1 && !strcmp(G.pkt[0], "OK"));
	CHECK(!memcmp(ram(0x1100), "\x7d\x23\x24\x2a\x00\xff", 6));
	CHECK_STR(req(s, "X1000,0:"), "OK");		/* GDB's probe */
	CHECK_STR(req(s, "X1000,2:a"), "E01");
	CHECK_STR(req(s, "X1000,2"), "E01");
	CHECK_STR(req(s, "X2000,1:a"), "E14");
	/* What was written reads back. */
	CHECK_STR(req(s, "m1100,6"), "7d23242a00ff");
	teardown(s);
}

/* ---- malformed input: error replies, no crash, nothing touched ---- */

TEST(malformed)
{
	struct gdb_session *s = setup(2);
	static const char *const bad[] = {
		"Z0,1000", "Z9,1000,1", "Z0,zz,1", "Z0,1000,1;X1,0", "z", "Z", "Z0,,1",
		"m", "M", "X", "x", "p", "P", "G1", "Hgz", "Hc-2", "Hg1x",
		"vCont;q", "vCont;c:zz", "vCont", "vCont;", "vCont;s:9", "vCont;s:0:1", "vCont;C5",
		"vCont;r1000,2000:1", "vCont;cc",
		"qRcmd,zz", "qRcmd,6100", "qRcmd,4",
		"C", "Cxx", "C05x", "c1000", "s1000", "S05;1000", "D;zz", "D1",
		"qThreadExtraInfo,zz",
	};

	for (unsigned i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		const char *r = req(s, bad[i]);

		if (!r || r[0] != 'E')
			fprintf(stderr, "  packet %s got \"%s\"\n", bad[i], r ? r : "(none)");
		CHECK(r && r[0] == 'E');
	}
	CHECK_EQ(FT.resumes + FT.detaches + FT.kills + FT.nbps, 0);
	CHECK(!gdb_session_running(s));

	/* Oversize: acked (the frame was sound), then an error. */
	{
		size_t n = RSP_MAX_PACKET + 100;
		char *big = malloc(n + 1);

		memset(big, '0', n);
		big[0] = 'G';
		big[n] = 0;
		send_pkt(s, big, n);
		CHECK_EQ(G.acks, 1);
		CHECK(G.n == 1 && !strcmp(G.pkt[0], "E01"));
		free(big);
	}
	/* A bad escape inside a good checksum. */
	feed_raw(s, "$}#7d", 5);
	CHECK_EQ(G.acks, 1);
	CHECK(G.n == 1 && G.pkt[0][0] == 'E');

	/* Random packets: every one answered (or a resume), nothing outside buffers. */
	srand(1234);
	for (int i = 0; i < 20000; i++) {
		static const char alphabet[] = "gGpPmMxXzZHTqQvcsCSD?0123456789abcdef,:;=-.pl";
		char p[24];
		int n = 1 + rand() % 20;

		for (int j = 0; j < n; j++)
			p[j] = alphabet[rand() % (sizeof(alphabet) - 1)];
		p[n] = 0;
		if (p[0] == 'D' || p[0] == 'k' || p[0] == 'c' || p[0] == 's' ||
		    p[0] == 'C' || p[0] == 'S' || p[0] == 'v')
			p[0] = 'q';	/* keep the session alive and stopped */
		send_pkt(s, p, (size_t)n);
		CHECK_EQ(G.n, 1);
	}
	CHECK(!gdb_session_running(s));
	teardown(s);
}

/* ---- run control ---- */

/* Feed a resume packet: no reply until the machine stops. */
static void resume_pkt(struct gdb_session *s, const char *p)
{
	int before = FT.resumes;

	CHECK(req(s, p) == NULL);
	CHECK_EQ(G.n, 0);
	CHECK_EQ(FT.resumes, before + 1);
	CHECK(gdb_session_running(s));
}

static void check_actions(enum gdb_resume a0, enum gdb_resume a1, enum gdb_resume a2)
{
	CHECK_EQ(FT.actions[0], a0);
	CHECK_EQ(FT.actions[1], a1);
	CHECK_EQ(FT.actions[2], a2);
}

TEST(vcont_actions)
{
	struct gdb_session *s = setup(3);

	CHECK_STR(req(s, "vCont?"), "vCont;c;C;s;S;t");

	resume_pkt(s, "vCont;s:2;c");
	check_actions(GDB_CONT, GDB_STEP, GDB_CONT);
	fake_hit(&FT, GDB_STOP_STEP, 1, 0);
	take(s);
	CHECK(G.n == 1 && !strcmp(G.pkt[0], "T05thread:2;core:1;"));
	CHECK(!gdb_session_running(s));

	resume_pkt(s, "vCont;c:1");
	check_actions(GDB_CONT, GDB_STAY, GDB_STAY);
	fake_hit(&FT, GDB_STOP_TRAP, 0, 0);
	take(s);
	CHECK(G.n == 1 && !strcmp(G.pkt[0], "T05thread:1;core:0;"));

	resume_pkt(s, "vCont;t:1;c");
	check_actions(GDB_STAY, GDB_CONT, GDB_CONT);
	fake_hit(&FT, GDB_STOP_TRAP, 2, 0);
	take(s);

	resume_pkt(s, "vCont;c;s:1");		/* leftmost wins: c covers all */
	check_actions(GDB_CONT, GDB_CONT, GDB_CONT);
	fake_hit(&FT, GDB_STOP_TRAP, 0, 0);
	take(s);

	resume_pkt(s, "vCont;C05:2;S0a:1");	/* signals ignored */
	check_actions(GDB_STEP, GDB_CONT, GDB_STAY);
	fake_hit(&FT, GDB_STOP_STEP, 0, 0);
	take(s);

	resume_pkt(s, "vCont;s:p1.3");
	check_actions(GDB_STAY, GDB_STAY, GDB_STEP);
	fake_hit(&FT, GDB_STOP_STEP, 2, 0);
	take(s);
	CHECK(G.n == 1 && !strcmp(G.pkt[0], "T05thread:3;core:2;"));

	resume_pkt(s, "vCont;c:-1");
	check_actions(GDB_CONT, GDB_CONT, GDB_CONT);
	fake_hit(&FT, GDB_STOP_TRAP, 0, 0);
	take(s);

	resume_pkt(s, "vCont;s:0");		/* "any": the vCPU that stopped */
	check_actions(GDB_STEP, GDB_STAY, GDB_STAY);
	fake_hit(&FT, GDB_STOP_STEP, 0, 0);
	take(s);

	/* Nothing would run: answered at once, the machine untouched. */
	CHECK_STR(req(s, "vCont;t"), "T05thread:1;core:0;");
	CHECK_STR(req(s, "vCont;t:1;t:2;t:3"), "T05thread:1;core:0;");
	CHECK_EQ(FT.resumes, 8);
	teardown(s);
}

TEST(continue_and_step)
{
	struct gdb_session *s = setup(3);

	req(s, "qSupported:swbreak+;hwbreak+");
	resume_pkt(s, "c");
	check_actions(GDB_CONT, GDB_CONT, GDB_CONT);
	/* Packets arriving while running are answered, but leave the machine alone. */
	CHECK_STR(req(s, "qC"), "QC1");
	CHECK(req(s, "g") && G.pkt[0][0] == 'E');
	CHECK(req(s, "m1000,4") && G.pkt[0][0] == 'E');
	CHECK(req(s, "Z0,1000,1") && G.pkt[0][0] == 'E');
	CHECK(req(s, "c") && G.pkt[0][0] == 'E');	/* already running */
	CHECK_EQ(FT.resumes, 1);
	fake_hit(&FT, GDB_STOP_SWBREAK, 2, 0);
	take(s);
	CHECK(G.n == 1 && !strcmp(G.pkt[0], "T05thread:3;core:2;swbreak:;"));
	gdb_session_stopped(s);			/* a second report: nothing more */
	take(s);
	CHECK_EQ(G.n, 0);

	resume_pkt(s, "s");			/* the vCPU that stopped steps alone */
	check_actions(GDB_STAY, GDB_STAY, GDB_STEP);
	fake_hit(&FT, GDB_STOP_HWBREAK, 2, 0);
	take(s);
	CHECK(G.n == 1 && !strcmp(G.pkt[0], "T05thread:3;core:2;hwbreak:;"));

	CHECK_STR(req(s, "Hc1"), "OK");
	resume_pkt(s, "S05");
	check_actions(GDB_STEP, GDB_STAY, GDB_STAY);
	fake_hit(&FT, GDB_STOP_WATCH, 0, 0x1234);
	take(s);
	CHECK(G.n == 1 && !strcmp(G.pkt[0], "T05thread:1;core:0;watch:1234;"));

	resume_pkt(s, "C09");
	check_actions(GDB_CONT, GDB_CONT, GDB_CONT);
	fake_hit(&FT, GDB_STOP_RWATCH, 1, 0xabc);
	take(s);
	CHECK(G.n == 1 && !strcmp(G.pkt[0], "T05thread:2;core:1;rwatch:abc;"));
	CHECK_STR(req(s, "?"), "T05thread:2;core:1;rwatch:abc;");
	CHECK_STR(req(s, "qC"), "QC2");

	/*
	 * GDB assumes a stop makes the reported thread the Hg thread (it does
	 * not send Hg again): `g` after a stop reads the vCPU that stopped.
	 */
	CHECK_STR(req(s, "Hg3"), "OK");
	CHECK_STR(req(s, "g"), hex(FT.regs[2], FAKE_REGS_BYTES));
	resume_pkt(s, "vCont;s:1");
	fake_hit(&FT, GDB_STOP_STEP, 0, 0);
	take(s);
	CHECK(G.n == 1 && !strcmp(G.pkt[0], "T05thread:1;core:0;"));
	CHECK_STR(req(s, "g"), hex(FT.regs[0], FAKE_REGS_BYTES));
	CHECK_STR(req(s, "qC"), "QC1");

	/* resume() failing: an error, still stopped. */
	FT.resume_error = -EIO;
	CHECK(req(s, "c") && G.pkt[0][0] == 'E');
	CHECK(!gdb_session_running(s));
	teardown(s);
}

TEST(stop_reasons_need_gdb_support)
{
	struct gdb_session *s = setup(1);

	resume_pkt(s, "c");			/* GDB said nothing about swbreak+ */
	fake_hit(&FT, GDB_STOP_SWBREAK, 0, 0);
	take(s);
	CHECK(G.n == 1 && !strcmp(G.pkt[0], "T05thread:1;core:0;"));
	teardown(s);
}

TEST(interrupt)
{
	struct gdb_session *s = setup(2);
	const char ctrl_c = 0x03;

	FT.stop_sync = false;
	FT.interrupt_cpu = 1;
	feed_raw(s, &ctrl_c, 1);		/* stopped already: ignored */
	CHECK_EQ(FT.stops, 1);
	CHECK_EQ(G.n, 0);

	resume_pkt(s, "c");
	feed_raw(s, &ctrl_c, 1);
	CHECK_EQ(FT.stops, 2);
	CHECK_EQ(G.n + G.acks, 0);
	feed_raw(s, &ctrl_c, 1);		/* stop already asked for */
	CHECK_EQ(FT.stops, 2);
	fake_complete_stop(&FT);
	take(s);
	CHECK(G.n == 1 && !strcmp(G.pkt[0], "T02thread:2;core:1;"));

	/* vCtrlC: OK now, the stop reply when stopped. */
	resume_pkt(s, "vCont;c");
	CHECK_STR(req(s, "vCtrlC"), "OK");
	CHECK_EQ(FT.stops, 3);
	fake_complete_stop(&FT);
	take(s);
	CHECK(G.n == 1 && !strcmp(G.pkt[0], "T02thread:2;core:1;"));

	/* A stop() completing inside the call. */
	FT.stop_sync = true;
	resume_pkt(s, "c");
	feed_raw(s, &ctrl_c, 1);
	CHECK(G.n == 1 && !strcmp(G.pkt[0], "T02thread:2;core:1;"));

	/* stop() failing: the next Ctrl-C tries again. */
	resume_pkt(s, "c");
	FT.stop_error = -EIO;
	feed_raw(s, &ctrl_c, 1);
	CHECK_EQ(G.n, 0);
	FT.stop_error = 0;
	feed_raw(s, &ctrl_c, 1);
	CHECK(G.n == 1 && !strcmp(G.pkt[0], "T02thread:2;core:1;"));
	teardown(s);
}

TEST(deferred_question)
{
	struct gdb_session *s;

	fake_init(&FT, 2);
	FT.stop_sync = false;
	s = gdb_session_new(&fake_ops, &FT);
	FT.notify = notify_session;
	FT.notify_arg = s;
	CHECK_EQ(gdb_session_attach(s), 0);
	CHECK(gdb_session_running(s));
	CHECK(req(s, "qSupported") != NULL);	/* answered while stopping */
	CHECK_STR(req(s, "qfThreadInfo"), "m1,2");
	CHECK(req(s, "g") && G.pkt[0][0] == 'E');
	CHECK(req(s, "?") == NULL);
	CHECK_EQ(G.acks, 1);
	CHECK_EQ(G.n, 0);
	fake_complete_stop(&FT);
	take(s);
	CHECK(G.n == 1 && !strcmp(G.pkt[0], "T02thread:1;core:0;"));
	CHECK_STR(req(s, "?"), "T02thread:1;core:0;");
	CHECK_STR(req(s, "g"), hex(FT.regs[0], FAKE_REGS_BYTES));
	teardown(s);

	/* attach with stop() failing: acts as stopped. */
	fake_init(&FT, 1);
	FT.stop_error = -EIO;
	s = gdb_session_new(&fake_ops, &FT);
	CHECK_EQ(gdb_session_attach(s), -EIO);
	CHECK(!gdb_session_running(s));
	FT.running = false;
	CHECK_STR(req(s, "?"), "T02thread:1;core:0;");	/* stop_info: as the fake says */
	teardown(s);
}

TEST(exit_reply)
{
	struct gdb_session *s = setup(2);

	resume_pkt(s, "c");
	fake_hit(&FT, GDB_STOP_EXITED, 0, 3);
	take(s);
	CHECK(G.n == 1 && !strcmp(G.pkt[0], "W03"));
	CHECK_STR(req(s, "?"), "W03");
	CHECK(req(s, "g") && G.pkt[0][0] == 'E');
	CHECK(req(s, "m1000,1") && G.pkt[0][0] == 'E');
	CHECK_STR(req(s, "c"), "W03");
	CHECK_EQ(FT.resumes, 1);
	teardown(s);
}

/* ---- breakpoints ---- */

TEST(breakpoints)
{
	struct gdb_session *s = setup(1);

	CHECK_STR(req(s, "Z0,1000,1"), "OK");
	CHECK_EQ(FT.nbps, 1);
	CHECK_EQ(FT.bps[0].type, GDB_BP_SW);
	CHECK_EQ(FT.bps[0].addr, 0x1000);
	CHECK_EQ(FT.bps[0].kind, 1);
	CHECK_STR(req(s, "Z2,1800,8"), "OK");
	CHECK_EQ(FT.nbps, 2);
	CHECK_EQ(FT.bps[1].type, GDB_WP_WRITE);
	CHECK_EQ(FT.bps[1].kind, 8);
	CHECK_STR(req(s, "z0,1000,1"), "OK");
	CHECK_EQ(FT.nbps, 1);
	CHECK(req(s, "z0,1000,1") && G.pkt[0][0] == 'E');	/* not there */
	CHECK(req(s, "Z0,2000,1") && G.pkt[0][0] == 'E');	/* in the hole */
	FT.hw_unsupported = true;
	CHECK_STR(req(s, "Z1,1000,1"), "");			/* not supported */
	CHECK_STR(req(s, "Z4,1000,4"), "OK");
	teardown(s);
}

/* ---- ending ---- */

TEST(detach_and_kill)
{
	struct gdb_session *s = setup(2);

	CHECK_STR(req(s, "Z0,1000,1"), "OK");
	CHECK_STR(req(s, "D"), "OK");
	CHECK_EQ(FT.detaches, 1);
	CHECK_EQ(FT.nbps, 0);
	CHECK(gdb_session_want_close(s));
	CHECK(req(s, "qC") == NULL);		/* nothing more is read */
	CHECK_EQ(G.acks, 0);
	gdb_session_stopped(s);			/* a late stop: ignored */
	take(s);
	CHECK_EQ(G.n, 0);
	gdb_session_closed(s);
	CHECK_EQ(FT.detaches, 1);		/* not twice */
	gdb_session_free(s);

	s = setup(1);
	CHECK_STR(req(s, "D;1"), "OK");
	CHECK_EQ(FT.detaches, 1);
	gdb_session_free(s);

	s = setup(1);
	CHECK(req(s, "k") == NULL);
	CHECK_EQ(G.acks, 1);
	CHECK_EQ(FT.kills, 1);
	CHECK(gdb_session_want_close(s));
	gdb_session_closed(s);
	CHECK_EQ(FT.detaches, 0);
	gdb_session_free(s);

	s = setup(1);
	CHECK_STR(req(s, "vKill;1"), "OK");
	CHECK_EQ(FT.kills, 1);
	gdb_session_free(s);

	/* The connection drops, in the middle of a run: detach once. */
	s = setup(1);
	resume_pkt(s, "c");
	gdb_session_closed(s);
	CHECK_EQ(FT.detaches, 1);
	gdb_session_closed(s);
	CHECK_EQ(FT.detaches, 1);
	gdb_session_free(s);
	got_clear();
}

/* ---- monitor ---- */

static char *console_text(int npackets)
{
	static char buf[8192];
	size_t o = 0;

	buf[0] = 0;
	for (int i = 0; i < npackets && i < G.n; i++) {
		int r;

		if (G.pkt[i][0] != 'O')
			return NULL;
		r = rsp_hex_decode(buf + o, sizeof(buf) - 1 - o, G.pkt[i] + 1, G.len[i] - 1);
		if (r < 0)
			return NULL;
		o += (size_t)r;
		buf[o] = 0;
	}
	return buf;
}

static void monitor(struct gdb_session *s, const char *cmd)
{
	char pkt[256] = "qRcmd,";

	rsp_hex_encode(pkt + 6, cmd, strlen(cmd));
	pkt[6 + 2 * strlen(cmd)] = 0;
	send_pkt(s, pkt, strlen(pkt));
}

TEST(monitor_commands)
{
	struct gdb_session *s = setup(2);
	char *t;

	monitor(s, "info");
	CHECK_EQ(G.n, 2);
	CHECK_STR(console_text(1), "fake machine: 2 vCPUs\n");
	CHECK(G.n == 2 && !strcmp(G.pkt[1], "OK"));
	CHECK_STR(FT.last_monitor, "info");

	monitor(s, "help");
	t = console_text(G.n - 1);
	CHECK(t && strstr(t, "packets on|off"));
	CHECK(t && strstr(t, "fake machine facts"));
	CHECK(G.n >= 2 && !strcmp(G.pkt[G.n - 1], "OK"));

	monitor(s, "nonsense");
	CHECK_EQ(G.n, 2);
	t = console_text(1);
	CHECK(t && strstr(t, "unknown monitor command \"nonsense\""));
	CHECK(G.n == 2 && !strcmp(G.pkt[1], "OK"));

	monitor(s, "fail");
	CHECK_EQ(G.n, 2);
	CHECK_STR(console_text(1), "half done\n");
	CHECK(G.n == 2 && G.pkt[1][0] == 'E');

	monitor(s, "big");
	CHECK(G.n >= 4);
	t = console_text(G.n - 1);
	CHECK(t && strlen(t) == 5000);
	CHECK(t && t[16] == '\n' && t[17] == '0');

	monitor(s, "packets on");
	CHECK(G.n == 1 && !strcmp(G.pkt[0], "OK"));
	monitor(s, "packets off");
	CHECK(G.n == 1 && !strcmp(G.pkt[0], "OK"));

	resume_pkt(s, "c");			/* the machine is not touched while running */
	monitor(s, "info");
	CHECK(G.n == 1 && G.pkt[0][0] == 'E');
	teardown(s);
}

/* ---- the server: a socketpair, and real listeners ---- */

struct on_event_thread {
	void (*fn)(void *arg);
	void *arg;
	pthread_mutex_t lock;
	pthread_cond_t cond;
	bool done;
};

static void run_here(void *opaque)
{
	struct on_event_thread *c = opaque;

	c->fn(c->arg);
	pthread_mutex_lock(&c->lock);
	c->done = true;
	pthread_cond_signal(&c->cond);
	pthread_mutex_unlock(&c->lock);
}

/* Run fn on the event thread (the server's owner) and wait for it. */
static void on_event_thread(void (*fn)(void *arg), void *arg)
{
	struct on_event_thread c = { fn, arg, PTHREAD_MUTEX_INITIALIZER,
				     PTHREAD_COND_INITIALIZER, false };

	CHECK_EQ(event_call(run_here, &c), 0);
	pthread_mutex_lock(&c.lock);
	while (!c.done)
		pthread_cond_wait(&c.cond, &c.lock);
	pthread_mutex_unlock(&c.lock);
}

static bool event_started;

static void start_events(void)
{
	if (event_started)
		return;
	CHECK_EQ(event_init(), 0);
	CHECK_EQ(event_start(), 0);
	event_started = true;
}

static void notify_server(void *arg)
{
	gdb_server_stopped();
}

static int attach_fd_arg, attach_result;

static void do_attach(void *arg)
{
	attach_result = gdb_server_attach_fd(&fake_ops, &FT, attach_fd_arg);
}

static void do_stop_server(void *arg)
{
	gdb_server_stop();
}

static int start_result;

static void do_start_server(void *arg)
{
	start_result = gdb_server_start(&fake_ops, &FT);
}

/* Read from fd until `want` appears or 5 s pass; the bytes read (static). */
static const char *read_until(int fd, const char *want)
{
	static char buf[65536];
	size_t o = 0;

	buf[0] = 0;
	while (!strstr(buf, want) && o < sizeof(buf) - 1) {
		struct pollfd p = { fd, POLLIN, 0 };
		ssize_t n;

		if (poll(&p, 1, 5000) <= 0)
			break;
		n = read(fd, buf + o, sizeof(buf) - 1 - o);
		if (n <= 0)
			break;
		o += (size_t)n;
		buf[o] = 0;
	}
	return buf;
}

/* True if the peer closed fd within 5 s. */
static bool sees_eof(int fd)
{
	char c;
	struct pollfd p = { fd, POLLIN, 0 };

	for (;;) {
		if (poll(&p, 1, 5000) <= 0)
			return false;
		ssize_t n = read(fd, &c, 1);

		if (n == 0)
			return true;
		if (n < 0)
			return errno == ECONNRESET;
	}
}

/*
 * The fake and the server belong to the event thread: the test thread looks
 * at them only through a snapshot taken there (and sets them up there).
 */
static struct {
	bool connected;
	int stops, resumes, detaches, kills;
} SNAP;

static void do_snap(void *arg)
{
	SNAP.connected = gdb_server_connected();
	SNAP.stops = FT.stops;
	SNAP.resumes = FT.resumes;
	SNAP.detaches = FT.detaches;
	SNAP.kills = FT.kills;
}

static void snap(void)
{
	on_event_thread(do_snap, NULL);
}

static void do_fake_init(void *arg)
{
	fake_init(&FT, *(int *)arg);
	FT.notify = notify_server;
}

static void server_fake(int ncpus)
{
	on_event_thread(do_fake_init, &ncpus);
}

/* The server hangs up on the event thread: give it time to finish. */
static void wait_disconnected(void)
{
	for (int i = 0; i < 500; i++) {
		snap();
		if (!SNAP.connected)
			return;
		usleep(10000);
	}
}

static void put(int fd, const char *s)
{
	CHECK_EQ(write(fd, s, strlen(s)), (long)strlen(s));
}

TEST(server_on_socketpair)
{
	int sv[2];

	start_events();
	server_fake(2);
	CHECK_EQ(socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, sv), 0);
	attach_fd_arg = sv[0];
	on_event_thread(do_attach, NULL);
	CHECK_EQ(attach_result, 0);
	snap();
	CHECK(SNAP.connected);
	CHECK_EQ(SNAP.stops, 1);

	/* Two packets in one write, the second split across writes. */
	put(sv[1], "+$?#3f$qfThr");
	put(sv[1], "eadInfo#bb");
	CHECK(strstr(read_until(sv[1], "$m1,2#"), "+$T02thread:1;core:0;#22"));
	put(sv[1], "$m1000,4#8e");
	CHECK(strstr(read_until(sv[1], "#"), "$00070e15#"));
	put(sv[1], "$QStartNoAckMode#b0");
	CHECK(strstr(read_until(sv[1], "$OK#9a"), "+$OK#9a"));
	put(sv[1], "$qC#b4");
	CHECK_STR(read_until(sv[1], "#"), "$QC1#c5");

	/* Run, then Ctrl-C: the stop reply comes from gdb_server_stopped. */
	put(sv[1], "$c#63");
	put(sv[1], "\x03");
	CHECK_STR(read_until(sv[1], "#"), "$T02thread:1;core:0;#22");
	snap();
	CHECK_EQ(SNAP.stops, 2);

	put(sv[1], "$D#44");
	CHECK_STR(read_until(sv[1], "#"), "$OK#9a");
	CHECK(sees_eof(sv[1]));
	wait_disconnected();
	CHECK(!SNAP.connected);
	CHECK_EQ(SNAP.detaches, 1);
	close(sv[1]);

	/* A debugger that just vanishes: detached. */
	server_fake(1);
	CHECK_EQ(socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, sv), 0);
	attach_fd_arg = sv[0];
	on_event_thread(do_attach, NULL);
	CHECK_EQ(attach_result, 0);
	put(sv[1], "$c#63");
	close(sv[1]);
	wait_disconnected();
	CHECK(!SNAP.connected);
	CHECK_EQ(SNAP.detaches, 1);
	CHECK_EQ(SNAP.resumes, 1);
}

static int connect_tcp(unsigned port)
{
	struct sockaddr_in a = { .sin_family = AF_INET, .sin_port = htons((uint16_t)port) };
	int fd = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);

	a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	if (connect(fd, (struct sockaddr *)&a, sizeof(a))) {
		close(fd);
		return -1;
	}
	return fd;
}

/* A free TCP port on 127.0.0.1 (racy in theory; fine for a test). */
static unsigned free_port(void)
{
	struct sockaddr_in a = { .sin_family = AF_INET };
	socklen_t len = sizeof(a);
	int fd = socket(AF_INET, SOCK_STREAM, 0);
	unsigned port;

	a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	bind(fd, (struct sockaddr *)&a, sizeof(a));
	getsockname(fd, (struct sockaddr *)&a, &len);
	port = ntohs(a.sin_port);
	close(fd);
	return port;
}

TEST(server_tcp_one_debugger_at_a_time)
{
	char port[16];
	unsigned p = free_port();
	int a, b;

	start_events();
	server_fake(1);
	config_reset();
	snprintf(port, sizeof(port), "%u", p);
	CHECK_EQ(config_set("gdb.port", port), 0);
	on_event_thread(do_start_server, NULL);
	CHECK_EQ(start_result, 0);

	a = connect_tcp(p);
	CHECK(a >= 0);
	put(a, "$?#3f");
	CHECK_STR(read_until(a, "#22"), "+$T02thread:1;core:0;#22");
	b = connect_tcp(p);			/* refused: closed at once */
	CHECK(b >= 0 && sees_eof(b));
	close(b);
	put(a, "$qC#b4");			/* the first one carries on */
	CHECK_STR(read_until(a, "#c5"), "+$QC1#c5");
	close(a);
	wait_disconnected();
	CHECK_EQ(SNAP.detaches, 1);

	b = connect_tcp(p);			/* the next debugger is welcome */
	CHECK(b >= 0);
	put(b, "$qC#b4");
	CHECK_STR(read_until(b, "#c5"), "+$QC1#c5");
	on_event_thread(do_stop_server, NULL);
	CHECK(sees_eof(b));
	close(b);
	CHECK(connect_tcp(p) < 0);		/* no longer listening */
	config_reset();
}

TEST(server_unix_socket)
{
	char dir[] = "/tmp/hyve-test-XXXXXX", path[128], link[140];
	struct sockaddr_un sa = { .sun_family = AF_UNIX };
	struct stat st;
	int fd;

	start_events();
	server_fake(1);
	CHECK(mkdtemp(dir) != NULL);
	snprintf(path, sizeof(path), "%s/gdb.sock", dir);
	snprintf(link, sizeof(link), "%s/link.sock", dir);
	config_reset();

	/* A symlink at the path is refused. */
	CHECK_EQ(symlink(path, link), 0);
	CHECK_EQ(config_set("gdb.unix", link), 0);
	on_event_thread(do_start_server, NULL);
	CHECK_EQ(start_result, -ELOOP);
	unlink(link);

	/* A stale socket file is replaced; the new one is private. */
	fd = socket(AF_UNIX, SOCK_STREAM, 0);
	strcpy(sa.sun_path, path);
	CHECK_EQ(bind(fd, (struct sockaddr *)&sa, sizeof(sa)), 0);
	close(fd);
	CHECK_EQ(config_set("gdb.unix", path), 0);
	on_event_thread(do_start_server, NULL);
	CHECK_EQ(start_result, 0);
	CHECK_EQ(lstat(path, &st), 0);
	CHECK(S_ISSOCK(st.st_mode));
	CHECK_EQ(st.st_mode & 0777, 0600);

	fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
	CHECK_EQ(connect(fd, (struct sockaddr *)&sa, sizeof(sa)), 0);
	put(fd, "$qfThreadInfo#bb");
	CHECK_STR(read_until(fd, "#"), "+$m1#9e");
	put(fd, "$k#6b");
	CHECK(sees_eof(fd));
	close(fd);
	wait_disconnected();
	CHECK_EQ(SNAP.kills, 1);
	CHECK_EQ(SNAP.detaches, 0);

	on_event_thread(do_stop_server, NULL);
	CHECK(lstat(path, &st) < 0);		/* removed at shutdown */
	rmdir(dir);
	config_reset();
}

TEST_MAIN()
