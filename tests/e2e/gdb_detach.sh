#!/bin/bash
# gdb_detach.sh -- `detach` leaves the guest running:
#  1. long64 held by -G w, three stepi, detach: the guest runs to its end
#     (exit status 0, "LONG64 OK"), having printed nothing before.
#  2. a running 2-vCPU dbg64: a session reads vCPU 1's lap counter and
#     detaches; a second session (the server takes a new debugger after a
#     detach) finds the counter grown, sets `release`, detaches, and the
#     guest exits with that value.
set -u
cd "$(dirname "$0")/../.." || exit 1
. tests/e2e/gdblib.sh
e2e_init gdb_detach
skip_if_no_kvm
need_tool gdb
require_files "$HYVE" "$GUESTS/long64.elf"
build_dbg64

start_debug -m 64M --kernel "$GUESTS/long64.elf" -G w0
gdb_run steps tests/e2e/gdb/detach_steps.gdb "$GUESTS/long64.elf"
expect_out steps '^\[Inferior 1 \(Remote target\) detached\]$' "gdb detached"
want=$(insn_after "$GUESTS/long64.elf" "$(elf_entry "$GUESTS/long64.elf")" 3) || fail "objdump"
expect_val steps rip "$want" "3 instructions from the entry (objdump)"
wait_bg 20
expect_rc 0
expect_line "$WORK/out" '^LONG64 OK' "guest output after detach"
expect_line "$WORK/err" 'debug server: debugger ended the session' "hyve's log"

start_debug -c 2 -m 64M --kernel "$DBG64" -G 0
wait_out '^DBG64 READY 2' 30
gdb_run a tests/e2e/gdb/detach_a.gdb "$DBG64"
sleep 0.5
bg_running || fail "hyve ended after the first detach"
gdb_run b tests/e2e/gdb/detach_b.gdb "$DBG64"
r1=$(val a r12) r2=$(val b r12)
[ -n "$r1" ] && [ -n "$r2" ] || fail "no r12 values from the two sessions"
(( r2 > r1 )) || fail "vCPU 1 did not run between the sessions (R12 $r1 -> $r2)"
echo "ok: vCPU 1 ran on while detached (R12 $r1 -> $r2)"
expect_val b in_spin 1
wait_bg 20
expect_rc 33
expect_line "$WORK/out" '^DBG64 RELEASED 0x21 ' "guest output after the second detach"
pass
