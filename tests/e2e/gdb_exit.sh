#!/bin/bash
# gdb_exit.sh -- the guest ends the machine while gdb is attached (dbg64
# writes 0x3c to the debug-exit port once gdb set `release`): as
# doc/debugging.md says, the machine stays stopped where it happened and gdb
# reports SIGTERM there (in guest_exit, memory still readable); the next
# `continue` ends hyve with the guest's status 60, and gdb reports
# "[Inferior 1 (...) exited with code 074]" ($_exitcode 60) rather than
# "Remote connection closed".
set -u
cd "$(dirname "$0")/../.." || exit 1
. tests/e2e/gdblib.sh
e2e_init gdb_exit
skip_if_no_kvm
need_tool gdb
require_files "$HYVE"
build_dbg64

start_debug -m 64M --kernel "$DBG64" -G w0
gdb_run ex tests/e2e/gdb/exit.gdb "$DBG64"
wait_bg 20
expect_rc 60
expect_line "$WORK/out" '^DBG64 RELEASED 0x3c ' "the guest ran to its end"
expect_out ex '^Program received signal SIGTERM, Terminated\.$' "the debug-exit port stops the machine for gdb"
expect_val ex in_guest_exit 1 "stopped in the guest's guest_exit"
expect_val ex release 0x3c "guest memory readable after the guest asked to end"
expect_val ex first_done 1
expect_no_out ex '^Remote connection closed' "hyve hung up without a W stop reply"
expect_out ex '^\[Inferior 1 \(.*\) exited with code 074\]$' "gdb reports the exit code"
expect_val ex exitcode 60
pass
