/*
 * test_session.c -- the GDB remote protocol session against the in-memory
 * fake target (fake_target.h): handshake and acks, threads, qXfer,
 * registers, memory, malformed input.  Run control, breakpoints, ending and
 * monitor: test_session_run.c; the sockets around it: test_server.c.
 */
#include <errno.h>
#include <stdlib.h>

#include "session_harness.h"

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

/*
 * The next debugger's session takes over the last one's memory: it must start
 * as new -- acks on, no Hg thread, no half-read packet, no cached `g`.
 */
TEST(next_session_starts_fresh)
{
	struct gdb_session *s = setup(2), *s2;
	const char *r;

	CHECK_STR(req(s, "QStartNoAckMode"), "OK");
	r = req(s, "g");		/* vCPU 0's registers, cached */
	CHECK(r && !strncmp(r, "0001", 4));
	CHECK_STR(req(s, "Hg2"), "OK");
	feed_raw(s, "$qSupp", 6);	/* hangs up mid-packet */
	teardown(s);

	s2 = setup(2);
	CHECK(s2 == s);			/* the same memory, made new */
	FT.regs[0][0] = 0xab;
	CHECK_STR(req(s2, "qC"), "QC1");	/* not the old Hg thread */
	CHECK_EQ(G.acks, 1);		/* acks again */
	r = req(s2, "g");		/* read afresh, not the old session's cache */
	CHECK(r && !strncmp(r, "ab01", 4));
	teardown(s2);
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
		"R00", "vRun;", "Hm1", "qFoo", "vAttach;1", "A", "i", "bc", "qXfer:auxv:read::0,10",
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

/* QEMU's packets, with QEMU 7.2's answers (GEF and pwndbg detect QEMU by them). */
TEST(qemu_packets)
{
	struct gdb_session *s = setup(1);

	FT.sstep = GDB_SSTEP_ENABLE | GDB_SSTEP_NOIRQ;
	CHECK_STR(req(s, "qqemu.Supported"), "sstepbits;sstep;PhyMemMode");
	CHECK_STR(req(s, "qqemu.sstepbits"), "ENABLE=1,NOIRQ=2,NOTIMER=4");
	CHECK_STR(req(s, "Qqemu.sstepbits"), "ENABLE=1,NOIRQ=2,NOTIMER=4");
	CHECK_STR(req(s, "qqemu.sstep"), "0x3");
	CHECK_STR(req(s, "Qqemu.sstep=0x1"), "OK");
	CHECK_EQ(FT.sstep, 1);
	CHECK_STR(req(s, "qqemu.sstep"), "0x1");
	CHECK_STR(req(s, "Qqemu.sstep=3"), "OK");
	CHECK_EQ(FT.sstep, 3);
	/* NOTIMER cannot be honoured: E22, as QEMU under KVM; the flags stay */
	CHECK_STR(req(s, "Qqemu.sstep=0x7"), "E22");
	CHECK_STR(req(s, "Qqemu.sstep=0x100"), "E22");
	CHECK_EQ(FT.sstep, 3);
	CHECK_STR(req(s, "Qqemu.sstep=zz"), "");
	CHECK_STR(req(s, "Qqemu.sstep="), "");
	CHECK_STR(req(s, "qqemu.sstep:1"), "");
	CHECK_STR(req(s, "qGDBServerVersion"), "name:hyve;version:" HYVE_VERSION ";");
	CHECK_STR(req(s, "qOffsets"), "");	/* no "Text=": not QEMU's user mode */
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
		"Z0,1000", "Z9,1000,1", "Z0,zz,1", "Z0,1000,1X1,0", "z", "Z", "Z0,,1",
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

TEST_MAIN()
