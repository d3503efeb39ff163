/*
 * test_session_ext.c -- the session's QEMU-compatible identification packets
 * (QEMU's single-step flags: test_session.c), kills, and extended mode (`run`: vRun, R), against
 * the fake target (fake_target.h).
 */
#include <errno.h>
#include <stdlib.h>

#include "session_harness.h"

/* ---- what tools probe to tell QEMU (GEF, pwndbg), and gdbserver's version ---- */

TEST(qemu_identification)
{
	struct gdb_session *s = setup(2);

	/* GEF and pwndbg: "maintenance packet Qqemu.sstepbits" must say ENABLE= */
	CHECK_STR(req(s, "Qqemu.sstepbits"), "ENABLE=1,NOIRQ=2,NOTIMER=4");
	CHECK_STR(req(s, "qqemu.sstepbits"), "ENABLE=1,NOIRQ=2,NOTIMER=4");
	/* ...and qOffsets empty (qemu-system, not qemu-user's "Text=") */
	CHECK_STR(req(s, "qOffsets"), "");
	CHECK_STR(req(s, "qqemu.Supported"), "sstepbits;sstep;PhyMemMode");
	CHECK_STR(req(s, "qGDBServerVersion"), "name:hyve;version:" HYVE_VERSION ";");
	/* near misses are other packets: not supported */
	CHECK_STR(req(s, "qqemu.sstepbitsx"), "");
	CHECK_STR(req(s, "Qqemu.Supported"), "");
	CHECK_STR(req(s, "qGDBServerVersion:"), "");
	teardown(s);
}

/* ---- kills ---- */

TEST(vkill_forms)
{
	static const char *const bad[] = {
		"vKill", "vKill;", "vKill;1x", "vKill;x1", "vKill;-1", "vKill;1;2",
		"vKill;12345678901234567",
	};
	struct gdb_session *s = setup(1);

	for (unsigned i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		const char *r = req(s, bad[i]);

		if (!r || strcmp(r, "E01"))
			fprintf(stderr, "  packet %s got \"%s\"\n", bad[i], r ? r : "(none)");
		CHECK_STR(r, "E01");
		CHECK(!gdb_session_want_close(s));
	}
	CHECK_EQ(FT.kills, 0);
	CHECK_STR(req(s, "vKillx"), "");	/* another packet altogether */
	/* gdb names its only process 42000 when multiprocess is off */
	CHECK_STR(req(s, "vKill;a410"), "OK");
	CHECK_EQ(FT.kills, 1);
	CHECK(gdb_session_want_close(s));
	gdb_session_closed(s);
	CHECK_EQ(FT.detaches, 0);
	gdb_session_free(s);
	got_clear();
}

/* ---- extended mode: run ---- */

static void put_rip(int cpu, uint64_t v)
{
	memcpy(FT.regs[cpu] + 8, &v, 8);
}

TEST(extended_run)
{
	struct gdb_session *s = setup(2);
	const char *r;

	/* not in extended mode: no R, no vRun */
	CHECK_STR(req(s, "vRun;"), "");
	CHECK_EQ(FT.restarts, 0);
	CHECK_STR(req(s, "!"), "OK");
	CHECK_STR(req(s, "!x"), "");

	/* gdb's `run` on a live machine: the kill first, which must not end it */
	put_rip(0, 0x1234);
	CHECK_STR(req(s, "Hg2"), "OK");
	CHECK(req(s, "g") != NULL);		/* cached, to be dropped by the reset */
	CHECK_STR(req(s, "vKill;a410"), "OK");
	CHECK_EQ(FT.kills, 0);
	CHECK(!gdb_session_want_close(s));
	CHECK_STR(req(s, "?"), "W00");		/* no process now */
	CHECK_STR(req(s, "g"), "E10");
	CHECK_STR(req(s, "c"), "W00");
	CHECK_EQ(FT.resumes, 0);

	/* then vRun: the machine reset, a stop at its entry on vCPU 0 */
	r = req(s, "vRun;");
	CHECK_STR(r, "T05thread:1;core:0;");
	CHECK_EQ(FT.restarts, 1);
	CHECK_STR(req(s, "qC"), "QC1");
	r = req(s, "g");			/* vCPU 0's registers, read afresh */
	CHECK(r && !strncmp(r + 16, "0000000000000000", 16));
	CHECK_STR(req(s, "?"), "T05thread:1;core:0;");

	/* and on: continue, stop */
	resume_pkt(s, "vCont;c");
	fake_hit(&FT, GDB_STOP_SWBREAK, 1, 0);
	take(s);
	CHECK(G.n == 1 && !strncmp(G.pkt[0], "T05thread:2;", 12));

	/* a file name or arguments cannot be honoured: said in words */
	r = req(s, "vRun;2f62696e2f7368");
	CHECK(r && !strncmp(r, "E.hyve: run takes no file or arguments", 38));
	r = req(s, "vRun;;6172673");
	CHECK(r && !strncmp(r, "E.", 2));
	CHECK_EQ(FT.restarts, 1);
	CHECK_STR(req(s, "vRun;;"), "T05thread:1;core:0;");	/* empty ones are fine */
	CHECK_EQ(FT.restarts, 2);

	/* a reset that fails */
	FT.restart_error = -EIO;
	r = req(s, "vRun;");
	CHECK(r && !strcmp(r, "E.hyve: cannot reset the machine: Input/output error"));
	FT.restart_error = 0;

	/* R: a reset with no reply */
	put_rip(0, 0x99);
	CHECK(req(s, "R00") == NULL);
	CHECK_EQ(G.n, 0);
	CHECK_EQ(G.acks, 1);
	CHECK_EQ(FT.restarts, 4);
	CHECK_STR(req(s, "?"), "T05thread:1;core:0;");

	/* `kill` then quit: the kill takes effect when the debugger leaves */
	CHECK(req(s, "k") == NULL);
	CHECK_EQ(FT.kills, 0);
	CHECK_STR(req(s, "?"), "W00");
	gdb_session_closed(s);
	CHECK_EQ(FT.kills, 1);
	CHECK_EQ(FT.detaches, 0);
	gdb_session_free(s);
	got_clear();

	/* no vRun while the machine runs */
	s = setup(1);
	CHECK_STR(req(s, "!"), "OK");
	resume_pkt(s, "c");
	r = req(s, "vRun;");
	CHECK(r && !strncmp(r, "E.hyve: cannot reset the machine: Device or resource busy", 57));
	CHECK_EQ(FT.restarts, 0);
	teardown(s);
}

/* A target with no restart has no extended mode. */
TEST(extended_needs_restart)
{
	struct gdb_target_ops ops = fake_ops;
	struct gdb_session *s;

	fake_init(&FT, 1);
	ops.restart = NULL;
	s = gdb_session_new(&ops, &FT);
	FT.notify = notify_session;
	FT.notify_arg = s;
	CHECK_EQ(gdb_session_attach(s), 0);
	take(s);
	CHECK_STR(req(s, "!"), "");
	CHECK_STR(req(s, "vRun;"), "");
	CHECK_STR(req(s, "vKill;1"), "OK");	/* a kill is a kill */
	CHECK_EQ(FT.kills, 1);
	gdb_session_free(s);
	got_clear();
}

TEST_MAIN()
