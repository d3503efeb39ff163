#!/bin/bash
# failure_triple.sh -- a triple fault (no usable IDT, then ud2) while a debugger
# is attached: bpg (mode=triple) sets fail_marker and ends the machine.  gdb
# gets a SIGSEGV stop at triple_at with the machine intact (registers, memory,
# `monitor status` naming exit status 3, `monitor dump` a core gdb
# reads); `continue` (first run) or `detach` (second run) then ends hyve
# with exit status 3, which gdb learns after `continue`.  Without a
# debugger hyve exits 3 as before.  (bplib.sh: failure_case.)
set -u
cd "$(dirname "$0")/../.." || exit 1
. tests/e2e/bplib.sh
e2e_init failure_triple
skip_if_no_kvm
failure_case triple SIGSEGV 3 triple_at
pass
