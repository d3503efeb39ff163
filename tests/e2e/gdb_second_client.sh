#!/bin/bash
# gdb_second_client.sh -- one debugger at a time: while gdb is attached, a
# second client that connects gets an error reply with the reason to its
# first packet and a clean end of file (a real second gdb prints the
# reason, not "Broken pipe"; hyve logs "refused a second debugger",
# between the first one's "connected" and "ended" lines), and the first
# session keeps working (registers, memory, stepi, detach).
set -u
cd "$(dirname "$0")/../.." || exit 1
. tests/e2e/gdblib.sh
e2e_init gdb_second_client
skip_if_no_kvm
need_tool gdb objdump
require_files "$HYVE"
build_dbg64

start_debug -m 64M --kernel "$DBG64" -G 0
wait_out '^DBG64 READY' 30
export GDB_ADDR
gdb_run two tests/e2e/gdb/second_client.gdb "$DBG64"
expect_val two second told "the second client's first packet got E.<reason>, then a clean EOF"
expect_val two second_msg "hyve: another debugger is attached (one at a time); try again when it detaches"
expect_out two '^gdb2: .*hyve: another debugger is attached \(one at a time\)' "a second gdb prints the reason"
expect_no_out two '^gdb2: .*Broken pipe' "and no broken pipe"
expect_line "$WORK/err" 'debug server: refused a second debugger from 127\.0\.0\.1:' "hyve's log"
# the first debugger's own lines, in order (the "connected" one is written
# once the event thread idles, but never after the session's end)
log=$(tr -d '\r' <"$WORK/err" | grep -E 'debug server: (debugger connected from|debugger ended the session|refused a second)' |
	sed -E 's/from .*//' | tr '\n' '|')
# two refused: the raw client, then the second gdb
[ "$log" = "hyve: debug server: debugger connected |hyve: debug server: refused a second debugger |hyve: debug server: refused a second debugger |hyve: debug server: debugger ended the session|" ] ||
	fail "hyve's connection log lines: $log"
echo "ok: connection log in order: $log"
expect_val two rip2 "$(val two rip1)" "first session: same RIP after the refusal"
expect_val two magic 0x0123456789abcdef "first session: memory"
want=$(loop_next "$DBG64" spin_loop spin_end "$(val two rip2)") || fail "RIP not in spin_loop"
expect_val two rip3 "$want" "first session: stepi"
wait_bg 20
expect_rc 34
pass
