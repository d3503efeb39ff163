#!/bin/bash
# gdb_registers.sh -- `info registers`, `p/x $cr3`, `p/x $fs_base`,
# `p $xmm0` show what the guest put there: dbg64 loads RBX, R12, R15, XMM0,
# FS_BASE, GS_BASE and KERNEL_GS_BASE with known values and prints its own
# CR0/CR3/CR4/EFER, then spins; gdb attaches to the running guest.
set -u
cd "$(dirname "$0")/../.." || exit 1
. tests/e2e/gdblib.sh
e2e_init gdb_registers
skip_if_no_kvm
need_tool gdb python3
require_files "$HYVE"
build_dbg64

start_debug -m 64M --kernel "$DBG64" -G 0
wait_out '^DBG64 READY' 30
ready=$(tr -d '\r' <"$WORK/out" | grep -m1 '^DBG64 READY')
guest() { echo "$ready" | sed -n "s/.* $1 \(0x[0-9a-f]*\).*/\1/p"; }

gdb_run regs tests/e2e/gdb/registers.gdb "$DBG64"
expect_val regs in_spin 1 "stopped inside spin_loop"
expect_val regs rbx 0x1122334455667788
expect_val regs r12 0x0badc0ffee0ddf00
expect_val regs r15 0xfedcba9876543210
expect_val regs fs_base 0x00007f1234567000 "wrmsr FS_BASE"
expect_val regs gs_base 0xffff888012340000 "wrmsr GS_BASE"
expect_val regs k_gs_base 0x0000555566667000 "wrmsr KERNEL_GS_BASE"
expect_val regs xmm0lo 0x7766554433221100
expect_val regs xmm0hi 0xffeeddccbbaa9988
expect_val regs cr0 "$(guest cr0)" "the guest's own mov from CR0"
expect_val regs cr3 "$(guest cr3)" "the guest's own mov from CR3"
expect_val regs cr4 "$(guest cr4)" "the guest's own mov from CR4"
expect_val regs efer "$(guest efer)" "the guest's own rdmsr EFER"
# the printed forms a user sees
u128=$(python3 -c 'print(0xffeeddccbbaa99887766554433221100)')
expect_out regs "^\\\$[0-9]+ = \{v4_float = .*uint128 = $u128\}\$" "p \$xmm0"
expect_out regs '^\$[0-9]+ = \{0x0, 0x11, 0x22, 0x33, 0x44, 0x55, 0x66, 0x77, 0x88, 0x99, 0xaa, 0xbb, 0xcc, 0xdd, 0xee, 0xff\}$' "p/x \$xmm0.v16_int8"
expect_out regs "^\\\$[0-9]+ = $(guest cr3)\$" "p/x \$cr3"
expect_out regs '^\$[0-9]+ = 0x7f1234567000$' "p/x \$fs_base"
expect_out regs '^\$[0-9]+ = \[ PE MP ET NE WP PG \]$' "p \$cr0 as flags"
expect_out regs '^\$[0-9]+ = \[ LME LMA \]$' "p \$efer as flags"
expect_out regs '^rbx +0x1122334455667788 +1234605616436508552$' "info registers: rbx"
expect_out regs '^r15 +0xfedcba9876543210 +-81985529216486896$' "info registers: r15"
expect_out regs '^rip +0x[0-9a-f]+ +0x[0-9a-f]+ <dbg_spin\+[0-9]+>$' "info registers: rip"
expect_out regs '^fs_base +0x7f1234567000 ' "info registers: fs_base"
expect_out regs '^gs_base +0xffff888012340000 ' "info registers: gs_base"
expect_out regs '^k_gs_base +0x555566667000 ' "info registers: k_gs_base"
expect_out regs "^cr3 +$(guest cr3) " "info registers: cr3"
expect_out regs '^cr0 +0x80010033 +\[ PE MP ET NE WP PG \]$' "info registers: cr0"
expect_out regs '^efer +0x500 +\[ LME LMA \]$' "info registers: efer"
# detached with release = 0x11: the guest leaves its loop and exits with it
wait_bg 20
expect_rc 17
expect_line "$WORK/out" '^DBG64 RELEASED 0x11 ' "guest output after detach"
pass
