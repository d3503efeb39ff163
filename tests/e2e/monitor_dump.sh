#!/bin/bash
# monitor_dump.sh -- `monitor dump FILE` writes an ELF core that gdb opens
# with the guest's ELF: bpg (mode=mon, 2 vCPUs) dumped while it spins in
# mon_spin; `gdb bpg.elf FILE` then shows a backtrace mon_spin <- guest_main,
# one thread per vCPU with the registers the live session saw, and the
# guest's variables (mon_laps as it was at the dump, mon_value, alt_cr3 as
# the guest printed it).
set -u
cd "$(dirname "$0")/../.." || exit 1
. tests/e2e/bplib.sh
e2e_init monitor_dump
skip_if_no_kvm
need_tool gdb readelf
require_files "$HYVE"
build_bpg

start_debug -c 2 -m 64M --kernel "$BPG" --append mode=mon -G 0
wait_out '^MON gdtr ' 30
alt=$(tr -d '\r' <"$WORK/out" | sed -n 's/^MON .* alt_cr3 //p')
gdb_run live tests/e2e/gdb4/monitor_dump.gdb "$BPG" -ex "set \$core = \"$WORK/vm.core\""
expect_out live "^wrote $WORK/vm.core\$" "the monitor says it wrote the file"
wait_bg 20
expect_rc 68
[ -s "$WORK/vm.core" ] || fail "no core file"
readelf -h "$WORK/vm.core" | grep -q 'Type: *CORE' || fail "$WORK/vm.core is not an ELF core"
echo "ok: an ELF core ($(stat -c %s "$WORK/vm.core") bytes)"

GDB_LOGS="$GDB_LOGS core.out"
timeout -k 5 "$GDB_TIMEOUT" "$GDB" -batch -nx -ex 'set pagination off' "$BPG" "$WORK/vm.core" \
	-x tests/e2e/gdb4/monitor_core.gdb </dev/null >"$WORK/core.out" 2>&1
expect_out core '^#0 +(0x[0-9a-f]+ in )?mon_spin \(\) at bpg\.c' "bt: frame 0 in mon_spin"
expect_out core '^#1 +0x[0-9a-f]+ in (mon_main|guest_main) ' "bt: its caller"
expect_count core '^[* ] +[0-9]+ +(process|Thread|LWP) ' 2 "info threads: one thread per vCPU"
expect_val core core_pc0 "$(val live live_pc0)" "vCPU 0's pc as the live session saw it"
expect_val core core_pc1 "$(val live live_pc1)" "vCPU 1's pc"
expect_val core core_rsp1 "$(val live live_rsp1)" "vCPU 1's rsp"
expect_val core core_laps "$(val live live_laps)" "a variable as it was at the dump"
expect_val core core_value 0xfeedface12345678
expect_val core core_alt_cr3 "$alt" "alt_cr3 as the guest printed it"
pass
