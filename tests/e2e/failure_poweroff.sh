#!/bin/bash
# failure_poweroff.sh -- ACPI S5 power-off (outw 0x3400 to port 0x604) while a debugger
# is attached: bpg (mode=poweroff) sets fail_marker and ends the machine.  gdb
# gets a SIGPWR stop at poweroff_after with the machine intact (registers, memory,
# `monitor status` naming exit status 0, `monitor dump` a core gdb
# reads); `continue` (first run) or `detach` (second run) then ends hyve
# with exit status 0, which gdb learns after `continue`.  Without a
# debugger hyve exits 0 as before.  (bplib.sh: failure_case.)
set -u
cd "$(dirname "$0")/../.." || exit 1
. tests/e2e/bplib.sh
e2e_init failure_poweroff
skip_if_no_kvm
failure_case poweroff SIGPWR 0 poweroff_after
pass
