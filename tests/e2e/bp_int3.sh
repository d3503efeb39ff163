#!/bin/bash
# bp_int3.sh -- the guest's own int3 goes to the guest, debugger or not:
# bpg (mode=int3) installs a #BP handler that counts, executes int3 five
# times, then checks the count is 5 and the handler saw RIP just past the
# int3 (exit 0, "INT3 COUNT 5 rip after-int3").
#  - gdb attached and waiting in `continue`: no stop reaches gdb for those
#    int3s (its first stop is its own breakpoint at int3_check, by then
#    the count is 5);
#  - a debug server with no debugger connected;
#  - no debug server at all.
set -u
cd "$(dirname "$0")/../.." || exit 1
. tests/e2e/bplib.sh
e2e_init bp_int3
skip_if_no_kvm
need_tool gdb
require_files "$HYVE"
build_bpg

# hyve hands the guest's int3 back only where it comes to hyve at all
if part_needs sw-breakpoints "the int3s with gdb attached (hyve re-injects them)"; then
	start_debug -m 64M --kernel "$BPG" --append mode=int3 -G w0
	gdb_run g tests/e2e/gdb4/bp_int3.gdb "$BPG"
	expect_no_out g 'SIGTRAP' "the guest's int3 is not reported to gdb"
	expect_out g '^Breakpoint 1, int3_check' "the first stop is gdb's own breakpoint"
	expect_val g s1_at_check 1
	expect_val g s1_bp_count 5 "the guest's handler ran once per int3 while gdb was attached"
	expect_val g s1_last_rip_ok 1 "the #BP frame's RIP is past the int3"
	wait_bg 20
	expect_rc 0
	expect_line "$WORK/out" '^INT3 COUNT 5 rip after-int3$'
fi

start_debug -m 64M --kernel "$BPG" --append mode=int3 -G 0
wait_bg 20
expect_rc 0
expect_line "$WORK/out" '^INT3 COUNT 5 rip after-int3$' "debug server, no debugger"

run_hyve -m 64M --kernel "$BPG" --append mode=int3
expect_rc 0
expect_line "$WORK/out" '^INT3 COUNT 5 rip after-int3$' "no debug server"
pass
