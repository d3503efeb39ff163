/*
 * test_session_run.c -- the session's run control against the fake target:
 * vCont and c/s/C/S actions per vCPU, stop replies, Ctrl-C and vCtrlC,
 * the deferred `?` of attach, the machine ending, breakpoints, D/k, and
 * monitor commands as O packets.
 */
#include <errno.h>
#include <stdlib.h>

#include "session_harness.h"

TEST(range_stepping)
{
	struct gdb_target_ops ops = fake_ops;
	struct gdb_session *s;

	ops.set_range = fake_set_range;
	fake_init(&FT, 2);
	s = gdb_session_new(&ops, &FT);
	FT.notify = notify_session;
	FT.notify_arg = s;
	CHECK_EQ(gdb_session_attach(s), 0);
	take(s);
	CHECK_STR(req(s, "vCont?"), "vCont;c;C;s;S;t;r");
	resume_pkt(s, "vCont;rffffffff80001000,ffffffff80001010:2;c");
	CHECK_EQ(FT.actions[0], GDB_CONT);
	CHECK_EQ(FT.actions[1], GDB_RANGE);
	CHECK_EQ(FT.range_start[1], 0xffffffff80001000ULL);
	CHECK_EQ(FT.range_end[1], 0xffffffff80001010ULL);
	fake_hit(&FT, GDB_STOP_STEP, 1, 0);
	take(s);
	CHECK(G.n == 1 && !strcmp(G.pkt[0], "T05thread:2;core:1;"));
	/* an empty or reversed range is refused, nothing runs */
	CHECK(req(s, "vCont;r1010,1000:1")[0] == 'E');
	CHECK(!gdb_session_running(s));
	gdb_session_free(s);
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

	resume_pkt(s, "vCont;s:2");		/* scheduler-locking step: alone */
	check_actions(GDB_STAY, GDB_STEP, GDB_STAY);
	fake_hit(&FT, GDB_STOP_STEP, 1, 0);
	take(s);
	CHECK(G.n == 1 && !strcmp(G.pkt[0], "T05thread:2;core:1;"));

	resume_pkt(s, "vCont;s:0");		/* "any": the vCPU that stopped */
	check_actions(GDB_STAY, GDB_STEP, GDB_STAY);
	fake_hit(&FT, GDB_STOP_STEP, 1, 0);
	take(s);

	/* Nothing would run: answered at once, the machine untouched. */
	CHECK_STR(req(s, "vCont;t"), "T05thread:2;core:1;");
	CHECK_STR(req(s, "vCont;t:1;t:2;t:3"), "T05thread:2;core:1;");
	CHECK_EQ(FT.resumes, 9);
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
	/* LLDB's per-thread question: only the reporting thread has a reason. */
	CHECK_STR(req(s, "qThreadStopInfo2"), "T05thread:2;core:1;rwatch:abc;");
	CHECK_STR(req(s, "qThreadStopInfo1"), "T00thread:1;core:0;");
	CHECK_STR(req(s, "qThreadStopInfo0003"), "T00thread:3;core:2;");
	CHECK_STR(req(s, "qThreadStopInfo4"), "E01");
	CHECK_STR(req(s, "qThreadStopInfo"), "E01");

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

TEST(machine_ends_under_the_debugger)
{
	struct gdb_session *s = setup(2);

	/* Waiting in `continue`: W with the status, then the session is over. */
	resume_pkt(s, "c");
	gdb_session_exited(s, 60);
	take(s);
	CHECK(G.n == 1 && !strcmp(G.pkt[0], "W3c"));
	CHECK(gdb_session_want_close(s));
	CHECK(req(s, "?") == NULL);
	gdb_session_closed(s);
	CHECK_EQ(FT.detaches, 0);		/* nothing left to detach from */
	gdb_session_free(s);

	/* Idle at a stop: nothing is sent (GDB did not ask), the session ends. */
	s = setup(1);
	gdb_session_exited(s, 0);
	take(s);
	CHECK_EQ(G.n, 0);
	CHECK(gdb_session_want_close(s));
	gdb_session_free(s);

	/* After D, the end of the machine is none of the debugger's business. */
	s = setup(1);
	CHECK_STR(req(s, "D"), "OK");
	gdb_session_exited(s, 1);
	take(s);
	CHECK_EQ(G.n, 0);
	gdb_session_free(s);
	got_clear();
}

TEST(guest_signal_stop)
{
	struct gdb_session *s = setup(2);

	resume_pkt(s, "c");
	memset(&FT.stop, 0, sizeof(FT.stop));
	FT.stop.kind = GDB_STOP_SIGNAL;
	FT.stop.cpu = 1;
	FT.stop.code = 15;
	FT.running = false;
	gdb_session_stopped(s);
	take(s);
	CHECK(G.n == 1 && !strcmp(G.pkt[0], "T0fthread:2;core:1;"));
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

/* ---- conditions and commands (Z ...;X...;cmds:...) ---- */

/* What gdb 13 sent for `hbreak f if x == 4096` (tests/fuzz/capture_ax.py). */
#define COND_X4096	"X13,26000622100222ec1608021916202310001327"

static struct gdb_target_ops cond_ops;

static struct gdb_session *setup_cond(void)
{
	struct gdb_session *s;

	cond_ops = fake_ops;
	cond_ops.bp_opts = fake_bp_opts;
	fake_init(&FT, 1);
	s = gdb_session_new(&cond_ops, &FT);
	CHECK(s != NULL);
	FT.notify = notify_session;
	FT.notify_arg = s;
	CHECK_EQ(gdb_session_attach(s), 0);
	take(s);
	return s;
}

TEST(bp_conditions)
{
	struct gdb_session *s = setup(1);
	const char *r;

	/* a target without bp_opts: not offered, and a tail is ignored */
	r = req(s, "qSupported:swbreak+");
	CHECK(r && !strstr(r, "ConditionalBreakpoints") && !strstr(r, "BreakpointCommands"));
	CHECK_STR(req(s, "Z0,1000,1;" COND_X4096), "OK");
	CHECK_EQ(FT.nbps, 1);
	teardown(s);

	s = setup_cond();
	r = req(s, "qSupported:swbreak+");
	CHECK(r && strstr(r, ";ConditionalBreakpoints+") && strstr(r, ";BreakpointCommands+"));

	/* the condition reaches the target with the breakpoint it belongs to */
	CHECK_STR(req(s, "Z1,1010,1;" COND_X4096), "OK");
	CHECK_EQ(FT.opts_calls, 1);
	CHECK_EQ(FT.opts_type, GDB_BP_HW);
	CHECK_EQ(FT.opts_addr, 0x1010);
	CHECK_EQ(FT.opts_kind, 1);
	CHECK_EQ(FT.opts_nconds, 1);
	CHECK_EQ(FT.opts_ncmds, 0);
	CHECK_EQ(FT.opts_first_len, 0x13);
	CHECK_EQ(FT.opts_first[0], 0x26);
	CHECK_EQ(FT.opts_first[0x12], 0x27);
	/* re-sent with a condition and commands (persist): both, replacing */
	CHECK_STR(req(s, "Z1,1010,1;X3,220127;cmds:1,X3,220227"), "OK");
	CHECK_EQ(FT.opts_calls, 2);
	CHECK_EQ(FT.opts_nconds, 1);
	CHECK_EQ(FT.opts_ncmds, 1);
	CHECK(FT.opts_persist);
	CHECK_EQ(FT.nbps, 1);				/* still one breakpoint */
	/* re-sent plain: the lists become empty */
	CHECK_STR(req(s, "Z1,1010,1"), "OK");
	CHECK_EQ(FT.opts_calls, 3);
	CHECK_EQ(FT.opts_nconds + FT.opts_ncmds, 0);

	/* refused conditions: OK all the same, unconditional (never E.., never "") */
	CHECK_STR(req(s, "Z0,1000,1;Xzz,00"), "OK");		/* malformed list */
	CHECK_EQ(FT.opts_nconds, 0);
	CHECK_STR(req(s, "Z0,1000,1;X2,ff27"), "OK");		/* unknown opcode */
	CHECK_EQ(FT.opts_nconds, 0);
	/* one bad condition of two ORed ones drops both: stopping less is wrong */
	CHECK_STR(req(s, "Z0,1000,1;X3,220127X2,ff27"), "OK");
	CHECK_EQ(FT.opts_nconds, 0);
	/* bad commands are dropped, the condition kept */
	CHECK_STR(req(s, "Z0,1000,1;X3,220127;cmds:0,X1,ff"), "OK");
	CHECK_EQ(FT.opts_nconds, 1);
	CHECK_EQ(FT.opts_ncmds, 0);
	/* the target failing to take them: still OK */
	FT.opts_error = -ENOMEM;
	CHECK_STR(req(s, "Z2,1800,4;X3,220127"), "OK");
	CHECK_EQ(FT.opts_type, GDB_WP_WRITE);
	CHECK_EQ(FT.opts_kind, 4);
	FT.opts_error = 0;
	/* a breakpoint that cannot be inserted gets its error, its lists go nowhere */
	FT.opts_calls = 0;
	CHECK(req(s, "Z0,2000,1;X3,220127") && G.pkt[0][0] == 'E');
	CHECK_EQ(FT.opts_calls, 0);
	/* removal carries no lists */
	CHECK(req(s, "z0,1000,1;X3,220127") && G.pkt[0][0] == 'E');
	CHECK_STR(req(s, "z0,1000,1"), "OK");
	CHECK_EQ(FT.opts_calls, 0);
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

TEST_MAIN()
