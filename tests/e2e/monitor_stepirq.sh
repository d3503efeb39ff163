#!/bin/bash
# monitor_stepirq.sh -- `monitor step-irq on|off` decides whether single
# steps let interrupts in.  bpg (mode=irq) runs with a local APIC timer
# firing every few microseconds; gdb stops it in its main loop and does 200 `stepi` with step-irq off:
# no step enters the timer's IDT stub and the tick count stays put; then
# 200 with step-irq on: steps enter the stub and ticks are counted.  The
# same with QEMU's packet: Qqemu.sstep=0x3 (ENABLE|NOIRQ) keeps them out,
# Qqemu.sstep=0x1 (ENABLE) lets them in.
set -u
cd "$(dirname "$0")/../.." || exit 1
. tests/e2e/bplib.sh
e2e_init monitor_stepirq
skip_if_no_kvm
need_tool gdb
require_files "$HYVE"
build_bpg

start_debug -m 64M --kernel "$BPG" --append mode=irq -G 0
wait_out '^IRQ READY$' 30
GDB_TIMEOUT=$((GDB_TIMEOUT > 240 ? GDB_TIMEOUT : 240)) gdb_run i tests/e2e/gdb4/monitor_stepirq.gdb "$BPG"
between i off-begin off-end | grep -qx 'step-irq off' || fail "monitor step-irq off: no 'step-irq off' answer"
between i on-begin on-end | grep -qx 'step-irq on' || fail "monitor step-irq on: no 'step-irq on' answer"
expect_val i at_loop 1 "stepping starts in the main loop"
expect_val i off_stub_hits 0 "step-irq off: no step entered the interrupt handler"
expect_val i off_ticks 0 "step-irq off: no timer interrupt was taken while stepping"
on=$(val i on_stub_hits) ticks=$(val i on_ticks)
[ -n "$on" ] && [ "$on" -ge 1 ] && [ "$ticks" -ge 1 ] ||
	fail "step-irq on: $on steps entered the timer's stub and $ticks ticks were counted in 200 steps, want >= 1 each"
echo "ok: step-irq on: $on of 200 steps entered the timer's stub, $ticks ticks"
expect_val i qnoirq_stub_hits 0 "Qqemu.sstep=0x3: no step entered the interrupt handler"
expect_val i qnoirq_ticks 0 "Qqemu.sstep=0x3: no timer interrupt while stepping"
on=$(val i qirq_stub_hits) ticks=$(val i qirq_ticks)
[ -n "$on" ] && [ "$on" -ge 1 ] && [ "$ticks" -ge 1 ] ||
	fail "Qqemu.sstep=0x1: $on steps entered the timer's stub and $ticks ticks were counted in 200 steps, want >= 1 each"
echo "ok: Qqemu.sstep=0x1: $on of 200 steps entered the timer's stub, $ticks ticks"
wait_bg 20
expect_rc 39
expect_line "$WORK/out" '^IRQ RELEASED 0x27 '
pass
