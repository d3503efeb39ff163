#!/bin/bash
# gdb_interrupt.sh -- Ctrl-C stops a running guest: hyve starts held (-G w)
# with 2 vCPUs, gdb continues, a SIGINT to gdb a second later (as Ctrl-C
# sends) stops it with "... received signal SIGINT, Interrupt."; both vCPUs are
# then in their spin loops (the guest ran from its entry to there), stay
# stopped, and a second continue + Ctrl-C shows vCPU 1 ran on meanwhile.
set -u
cd "$(dirname "$0")/../.." || exit 1
. tests/e2e/gdblib.sh
e2e_init gdb_interrupt
skip_if_no_kvm
need_tool gdb readelf
require_files "$HYVE"
build_dbg64

start_debug -c 2 -m 64M --kernel "$DBG64" -G w0
gdb_run int tests/e2e/gdb/interrupt.gdb "$DBG64"
expect_val int entry "$(elf_entry "$DBG64")" "held at the entry before continuing"
n=$(tr -d '\r' <"$WORK/int.out" | grep -cE '^(Program|Thread [0-9]+ "vCPU [0-9]+") received signal SIGINT, Interrupt\.$')
[ "$n" = 2 ] || fail "int: $n 'received signal SIGINT' lines, want 2"
echo "ok: int: two SIGINT stops"
for s in i1 i1b i2; do
	expect_val int ${s}_t1_in_spin 1 "vCPU 0 stopped inside spin_loop"
	expect_val int ${s}_t2_in_loop 1 "vCPU 1 stopped inside ap_loop"
done
for k in t1 t2 r12; do
	expect_val int i1b_$k "$(val int i1_$k)" "nothing moves while stopped"
done
r1=$(val int i1_r12) r2=$(val int i2_r12)
(( r2 > r1 )) || fail "vCPU 1's lap counter went from $r1 to $r2 across a continue"
echo "ok: vCPU 1 ran on after the second continue (R12 $r1 -> $r2)"
wait_bg 20
expect_rc 68
expect_line "$WORK/out" '^DBG64 RELEASED 0x44 ' "guest output after detach"
pass
