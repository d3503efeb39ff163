#!/bin/bash
# gdb_extended_run.sh -- `run` under `target extended-remote` restarts the
# machine and gdb follows it: dbg64 held by -G w, gdb continues it until it
# is up, changes `poke`, then `run` (gdb sends vKill, which in extended mode
# does not end hyve, then vRun: a reset answered with a stop at the entry,
# and continues).  Interrupted in the second boot, gdb shows the new
# registers (RIP in the spin loop, R15 as dbg_spin loads it), `poke` is 0
# again; the guest printed its boot line in both boots.  `monitor reset` tells
# how gdb refreshes its registers.  Detached, the guest exits with
# `release`.  Then `kill` and quit in extended mode end hyve (status 0).
set -u
cd "$(dirname "$0")/../.." || exit 1
. tests/e2e/gdblib.sh
e2e_init gdb_extended_run
skip_if_no_kvm
need_tool gdb readelf python3
require_files "$HYVE"
build_dbg64

xgdb() {	# NAME SCRIPT: gdb -batch under target extended-remote
	GDB_LOGS="$GDB_LOGS $1.out"
	HYVE_OUT=$WORK/out timeout -k 5 "$GDB_TIMEOUT" "$GDB" -batch -nx -ex 'set pagination off' \
		-ex 'set confirm off' -ex "file $DBG64" -ex "target extended-remote $GDB_ADDR" \
		-x "$2" </dev/null >"$WORK/$1.out" 2>&1
	GDB_RC=$?
	[ "$GDB_RC" != 124 ] || fail "gdb ($1) timed out after ${GDB_TIMEOUT}s"
}

start_debug -m 64M --kernel "$DBG64" -G w0
xgdb x tests/e2e/gdb/extended_run.gdb
expect_val x e_pc "$(elf_entry "$DBG64")" "held at the entry"
expect_val x a_in_spin 1 "first boot: in the spin loop"
expect_val x a_poke 0x77
between() { tr -d '\r' <"$WORK/x.out" | sed -n "/^$1\$/,/^$2\$/p"; }
# (batch mode prints no "Starting program"): the second boot's interrupt
between run-begin run-end | grep -q '^Program received signal SIGINT' || fail "gdb did not run the program again"
expect_val x b_in_spin 1 "second boot: gdb shows the new RIP, in the spin loop"
expect_val x b_r15 0xfedcba9876543210 "second boot: registers as dbg_spin loads them"
expect_val x b_poke 0 "RAM loaded afresh"
expect_val x b_thread 1
between reset-begin reset-end | grep -q 'maintenance flush register-cache' ||
	fail "monitor reset does not say how gdb refreshes its registers"
echo "ok: monitor reset tells about the register cache"
wait_bg 60
expect_rc 43
# booted three times: at the start, after run, after monitor reset
[ "$(tr -d '\r' <"$WORK/out" | grep -c '^DBG64 READY')" = 3 ] ||
	fail "the guest's boot line appeared $(tr -d '\r' <"$WORK/out" | grep -c '^DBG64 READY') times, want 3"
echo "ok: the guest booted three times (start, run, monitor reset)"
expect_line "$WORK/out" '^DBG64 RELEASED 0x2b '

# kill, then quit: in extended mode the kill takes effect as gdb leaves
start_debug -m 64M --kernel "$DBG64" -G w0
printf 'kill\nprintf "after_kill=1\\n"\n' >"$WORK/kill.gdb"
xgdb k "$WORK/kill.gdb"
expect_val k after_kill 1 "gdb carries on after the kill"
wait_bg 30
expect_rc 0
expect_line "$WORK/err" 'killed by the debugger'
pass
