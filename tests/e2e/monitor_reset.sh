#!/bin/bash
# monitor_reset.sh -- `monitor reset` puts the machine back to its boot
# state: bpg (mode=mon, 2 vCPUs) attached while it spins; gdb changes
# mon_value, sets `break mon_spin`, resets.  Then vCPU 0 is at the ELF's
# entry, RAM holds the image again (mon_value back to 0xfeedface12345678,
# mon_laps 0), vCPU 1 waits for INIT/SIPI in real mode at 0xfff0; the
# guest boots a second time (its boot lines appear twice) and stops at the
# breakpoint, which survived the reset; released, it exits 0x33.  Where no
# breakpoint fires (hyve --probe) that last part is left out, loudly: gdb
# kills the machine after the checks of the reset.
set -u
cd "$(dirname "$0")/../.." || exit 1
. tests/e2e/bplib.sh
e2e_init monitor_reset
skip_if_no_kvm
need_tool gdb readelf
require_files "$HYVE"
build_bpg

start_debug -c 2 -m 64M --kernel "$BPG" --append mode=mon -G 0
wait_out '^MON gdtr ' 30
bp=0
part_needs breakpoints "the breakpoint that survives the reset, the second boot to it" && bp=1
gdb_run r tests/e2e/gdb4/monitor_reset.gdb "$BPG" -ex "set \$brk = $bp"
expect_out r '^machine reset: every vCPU is at its boot state$' "the monitor's answer"
expect_val r r_pc "$(elf_entry "$BPG")" "vCPU 0 at the ELF's entry"
expect_val r r_value 0xfeedface12345678 "the image was loaded again"
expect_val r r_laps 0 "RAM was cleared"
between r status-begin status-end | grep -qE '^vCPU 0: long mode, rip=ffffffff80100000, runnable$' ||
	fail "monitor status after reset does not show vCPU 0 at the entry"
between r status-begin status-end | grep -qE '^vCPU 1: real mode, rip=000000000000fff0, waiting for INIT/SIPI$' ||
	fail "monitor status after reset does not show vCPU 1 waiting for INIT/SIPI"
echo "ok: status: vCPU 0 at the entry, vCPU 1 waiting for INIT/SIPI"
if [ $bp = 0 ]; then
	wait_bg 20
	expect_rc 0
	pass "(killed after the reset's checks)"
fi
expect_out r 'Breakpoint 1, mon_spin' "the breakpoint set before the reset hit in the second boot"
expect_val r c_thread 1
expect_val r c_at_mon_spin 1
expect_val r c_value 0xfeedface12345678
wait_bg 20
expect_rc 51
[ "$(tr -d '\r' <"$WORK/out" | grep -c '^BPG BOOT mode=mon ncpus=2$')" = 2 ] ||
	fail "the guest's boot line appeared $(tr -d '\r' <"$WORK/out" | grep -c '^BPG BOOT') times, want 2"
[ "$(tr -d '\r' <"$WORK/out" | grep -c '^MON gdtr ')" = 2 ] || fail "the guest did not get through its second boot"
echo "ok: the guest booted twice"
expect_line "$WORK/out" '^MON RELEASED 0x33 dr0 '
pass
