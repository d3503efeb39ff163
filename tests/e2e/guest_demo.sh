#!/bin/bash
# guest_demo.sh -- the demo kernel `make run` boots (guests/demo), with 2
# vCPUs: banner, a hello from each CPU, heartbeats; then what is typed on the
# serial console is echoed, and 'q' powers the VM off (exit status 0).
set -u
cd "$(dirname "$0")/../.." || exit 1
. tests/e2e/lib.sh
e2e_init demo
skip_if_no_kvm
require_files "$HYVE" "$GUESTS/demo.elf"

start_hyve_bg -c 2 -m 64M --kernel "$GUESTS/demo.elf" --serial stdio
wait_for_line "$WORK/out" '^hyve demo kernel$' "$E2E_TIMEOUT"
wait_for_line "$WORK/out" '^hello from CPU 0$' 30
wait_for_line "$WORK/out" '^hello from CPU 1$' 30
wait_for_line "$WORK/out" 'type q to power off, Ctrl-A x to quit hyve' 30
wait_for_line "$WORK/out" '^heartbeat 1$' 30
wait_for_line "$WORK/out" '^heartbeat 2$' 30

send_input 'echo-check-42'
wait_for_line "$WORK/out" 'echo-check-42' 20
send_input 'q'
wait_bg 20
[ "$RC" = 124 ] && fail "still running 20 s after 'q' (ACPI power-off)"
expect_rc 0
expect_line "$WORK/out" 'powering off'
pass
