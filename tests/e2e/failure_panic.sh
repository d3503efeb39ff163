#!/bin/bash
# failure_panic.sh -- a guest kernel panic reported on the pvpanic port (0x505)
# while a debugger is attached: bpg (mode=panic) checks that the port reads
# PANICKED|CRASH_LOADED, sets fail_marker and writes PANICKED.  gdb gets a
# SIGABRT stop at panic_after with the machine intact (registers, memory,
# `monitor status` naming exit status 5, `monitor dump`); `continue` or
# `detach` then ends hyve with exit status 5.  Without a debugger hyve exits
# 5 and prints the vCPU's registers.  (bplib.sh: failure_case.)
set -u
cd "$(dirname "$0")/../.." || exit 1
. tests/e2e/bplib.sh
e2e_init failure_panic
skip_if_no_kvm
failure_case panic SIGABRT 5 panic_after
expect_line "$WORK/err" 'pvpanic: the guest kernel panicked' "the panic is logged"
expect_line "$WORK/err" '^vCPU 0 registers:' "the vCPU's registers are printed"
pass
