#!/bin/bash
# failure_reset.sh -- a reset request through the i8042 (0xfe to port 0x64) while a debugger
# is attached: bpg (mode=reset) sets fail_marker and ends the machine.  gdb
# gets a SIGHUP stop at reset_after with the machine intact (registers, memory,
# `monitor status` naming exit status 2, `monitor dump` a core gdb
# reads); `continue` (first run) or `detach` (second run) then ends hyve
# with exit status 2, which gdb learns after `continue`.  Without a
# debugger hyve exits 2 as before.  (bplib.sh: failure_case.)
set -u
cd "$(dirname "$0")/../.." || exit 1
. tests/e2e/bplib.sh
e2e_init failure_reset
skip_if_no_kvm
failure_case reset SIGHUP 2 reset_after
pass
