#!/bin/bash
# gdb_wait_hold.sh -- `-G w` holds the guest until a debugger resumes it.
# Connections that end before any continue leave it held: a plain TCP
# connect and close (a port scan), a gdb that exits at once (it detaches),
# a gdb given a 32-bit ELF that gives up ("Remote 'g' packet reply is too
# long") -- after each, hyve still runs and the guest has printed nothing.
# Then a real gdb finds vCPU 0 at the ELF's entry with MXCSR 0x1f80 and FCW
# 0x37f (the reset values, on the AP too), sets `release` and continues: the
# guest boots and exits with that value.
set -u
cd "$(dirname "$0")/../.." || exit 1
. tests/e2e/gdblib.sh
e2e_init gdb_wait_hold
skip_if_no_kvm
need_tool gdb readelf
require_files "$HYVE" "$GUESTS/flat32.elf"
build_dbg64

held_check() {	# WHAT
	sleep 1
	bg_running || fail "hyve ended after $1"
	[ ! -s "$WORK/out" ] || fail "the guest ran after $1: $(head -c 200 "$WORK/out")"
	echo "ok: still held after $1"
}

start_debug -c 2 -m 64M --kernel "$DBG64" -G w0
held_check "start-up"
port=${GDB_ADDR##*:}
exec 3<>"/dev/tcp/127.0.0.1/$port" || fail "cannot connect to $GDB_ADDR"
exec 3>&-
held_check "a plain TCP connect and close"
timeout -k 5 "$GDB_TIMEOUT" "$GDB" -batch -nx -ex "target remote $GDB_ADDR" </dev/null \
	>"$WORK/quick.out" 2>&1
GDB_LOGS="$GDB_LOGS quick.out"
expect_out quick '^\[Inferior 1 \(Remote target\) detached\]$' "the quick gdb connected, then detached"
held_check "a gdb that connected and exited"
gdb_try bad tests/e2e/gdb/wait_hold.gdb "$GUESTS/flat32.elf"
expect_out bad "Remote 'g' packet reply is too long" "gdb with a 32-bit ELF gives up"
held_check "a gdb that gave up on a 32-bit ELF"
expect_line "$WORK/err" 'the guest stays held until a debugger lets it run' "hyve's log"

gdb_run go tests/e2e/gdb/wait_hold.gdb "$DBG64"
expect_val go rip "$(elf_entry "$DBG64")" "vCPU 0 still at the entry"
expect_val go mxcsr 0x1f80 "MXCSR at its reset value"
expect_val go fctrl 0x37f "FCW at its reset value"
expect_val go mxcsr2 0x1f80 "the AP's MXCSR at its reset value"
wait_bg 30
expect_rc 42
expect_line "$WORK/out" '^DBG64 READY 2' "the guest ran once continued"
expect_line "$WORK/out" '^DBG64 RELEASED 0x2a'
pass
