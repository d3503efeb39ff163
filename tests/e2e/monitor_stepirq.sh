#!/bin/bash
# monitor_stepirq.sh -- `monitor step-irq on|off` decides whether single
# steps let interrupts in.  bpg (mode=irq) runs with a local APIC timer
# firing every few microseconds; gdb stops it in its main loop and does 200 `stepi` with step-irq off:
# no step enters the timer's IDT stub and the tick count stays put; then
# 200 with step-irq on: ticks are counted, and steps stop in the interrupt
# path -- in the IDT stub where KVM emulates ring 0, after the handler's
# EOI write (which KVM emulates: a single step ends at any emulated
# instruction, TF or not) where the CPU runs the guest.  The same with
# QEMU's packet: Qqemu.sstep=0x3 (ENABLE|NOIRQ) keeps interrupts out,
# Qqemu.sstep=0x1 (ENABLE) lets them in.
set -u
cd "$(dirname "$0")/../.." || exit 1
. tests/e2e/bplib.sh
# 400 steps, each a round trip: a slow host needs more than hyve's default 60 s
E2E_TIMEOUT=300
e2e_init monitor_stepirq
skip_if_no_kvm
need_tool gdb
require_files "$HYVE"
build_bpg

start_debug -m 64M --kernel "$BPG" --append mode=irq -G 0
wait_out '^IRQ READY$' 30
GDB_TIMEOUT=$((GDB_TIMEOUT > 400 ? GDB_TIMEOUT : 400)) gdb_run i tests/e2e/gdb4/monitor_stepirq.gdb "$BPG"
between i off-begin off-end | grep -qx 'step-irq off' || fail "monitor step-irq off: no 'step-irq off' answer"
between i on-begin on-end | grep -qx 'step-irq on' || fail "monitor step-irq on: no 'step-irq on' answer"
expect_val i at_loop 1 "stepping starts in the main loop"
expect_val i off_stub_hits 0 "step-irq off: no step entered the interrupt handler"
expect_val i off_ticks 0 "step-irq off: no timer interrupt was taken while stepping"
expect_val i off_handler_stops 0 "step-irq off: every step stayed in irq_spin"
on=$(val i on_stub_hits) away=$(val i on_handler_stops) ticks=$(val i on_ticks)
[ -n "$on" ] && [ -n "$away" ] && [ "$away" -ge 1 ] && [ "$ticks" -ge 1 ] ||
	fail "step-irq on: $away steps stopped in the interrupt path ($on in the timer's stub) and $ticks ticks were counted in 200 steps, want >= 1 each"
echo "ok: step-irq on: $away of 200 steps stopped in the interrupt path ($on in the timer's stub), $ticks ticks"
expect_val i qnoirq_stub_hits 0 "Qqemu.sstep=0x3: no step entered the interrupt handler"
expect_val i qnoirq_ticks 0 "Qqemu.sstep=0x3: no timer interrupt was taken while stepping"
expect_val i qnoirq_handler_stops 0 "Qqemu.sstep=0x3: every step stayed in irq_spin"
on=$(val i qirq_stub_hits) away=$(val i qirq_handler_stops) ticks=$(val i qirq_ticks)
[ -n "$on" ] && [ -n "$away" ] && [ "$away" -ge 1 ] && [ "$ticks" -ge 1 ] ||
	fail "Qqemu.sstep=0x1: $away steps stopped in the interrupt path ($on in the timer's stub) and $ticks ticks were counted in 200 steps, want >= 1 each"
echo "ok: Qqemu.sstep=0x1: $away of 200 steps stopped in the interrupt path ($on in the timer's stub), $ticks ticks"
expect_val i back_in_loop 1 "stepped out of the interrupt path before detaching"
wait_bg 20
expect_rc 39
expect_line "$WORK/out" '^IRQ RELEASED 0x27 '
pass
