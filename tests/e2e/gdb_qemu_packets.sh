#!/bin/bash
# gdb_qemu_packets.sh -- hyve answers QEMU's packets as qemu-system does,
# through the real gdb's `maintenance packet` (what GEF and pwndbg send to
# tell which stub they talk to): qqemu.sstepbits and Qqemu.sstepbits
# "ENABLE=1,NOIRQ=2,NOTIMER=4", qqemu.sstep "0x3" (qemu-system under KVM),
# qqemu.Supported, an empty
# qOffsets, qGDBServerVersion "name:hyve;version:...;"; GEF's and pwndbg's
# own checks take hyve for qemu-system.  Qqemu.sstep=N really selects the
# stepping: bpg (mode=irq) with a LAPIC timer firing every few
# microseconds, 100 stepi with 0x3 take no interrupt (its tick count stays),
# 100 with 0x1 (NOIRQ clear; `monitor status` says step-irq on) do; 8 and
# NOTIMER (7) are refused (E22), as QEMU does under KVM.
set -u
cd "$(dirname "$0")/../.." || exit 1
. tests/e2e/bplib.sh
e2e_init gdb_qemu_packets
skip_if_no_kvm
need_tool gdb
require_files "$HYVE"
build_bpg

start_debug -m 64M --kernel "$BPG" --append mode=irq -G 0
wait_out '^IRQ READY$' 30
GDB_TIMEOUT=${GDB_TIMEOUT_LONG:-$((GDB_TIMEOUT * 3))} gdb_run q tests/e2e/gdb/qemu_packets.gdb "$BPG"
version=$(sed -n 's/^VERSION := //p' Makefile)
expect_val q sstepbits '"ENABLE=1,NOIRQ=2,NOTIMER=4"' "qqemu.sstepbits as QEMU prints it"
expect_val q Sstepbits '"ENABLE=1,NOIRQ=2,NOTIMER=4"' "Qqemu.sstepbits, the form GEF and pwndbg send"
expect_val q sstep '"0x3"' "QEMU's default step flags under KVM"
expect_val q supported '"sstepbits;sstep;PhyMemMode"' "qqemu.Supported: qemu-system's list"
expect_val q version "\"name:hyve;version:$version;\"" "qGDBServerVersion"
expect_val q offsets '""' "qOffsets: empty, as qemu-system"
expect_val q gef_is_qemu 1 "GEF's and pwndbg's is_qemu()"
expect_val q gef_is_qemu_system 1 "GEF's is_qemu_system()"
expect_val q pwndbg_is_usermode 0 "pwndbg's is_usermode()"
expect_val q at_loop 1 "stepped into the main loop"
expect_val q noirq_stub_hits 0 "flags 0x3: no step entered the interrupt handler"
expect_val q noirq_ticks 0 "flags 0x3: no timer interrupt taken while stepping"
expect_val q set1 '"OK"'
expect_val q sstep1 '"0x1"'
between q status-begin status-end | grep -q 'step-irq on' || fail "Qqemu.sstep=1: monitor status does not say step-irq on"
echo "ok: Qqemu.sstep=1 is monitor step-irq on"
# the guest runs only while stepped: ticks counted mean a step took the
# interrupt (whether the step then ends in the handler's stub, as on hardware
# KVM, or after the handler, as under nested TCG, varies)
on=$(val q irq_stub_hits) ticks=$(val q irq_ticks)
[ -n "$ticks" ] && [ "$ticks" -ge 1 ] ||
	fail "flags 0x1: $ticks ticks were counted in 100 steps, want >= 1 (interrupts let into steps)"
echo "ok: flags 0x1: $ticks ticks in 100 steps ($on of them ended in the timer's stub)"
expect_val q set3 '"OK"'
expect_val q bad '"E22"' "unknown bits refused as QEMU does"
expect_val q notimer '"E22"' "NOTIMER refused, as QEMU does under KVM"
expect_val q sstep3 '"0x3"'
wait_bg 20
expect_rc 0
expect_line "$WORK/err" 'killed by the debugger'
pass
