#!/bin/bash
# bp_hw.sh -- hardware breakpoints (hbreak, Z1) are in every vCPU's debug
# registers, the ones the guest has not started yet included, and work
# before the guest turns paging on:
#  - smp-mb.elf (multiboot, 2 vCPUs) held at its entry with paging off:
#    `hbreak` on the instruction that sets CR0.PG stops vCPU 0 there with
#    CR0.PG still clear; `hbreak smp_ap_entry`, set while vCPU 1 still
#    waited for INIT/SIPI, stops vCPU 1 (thread 2) there; the guest's own
#    SMP test then passes (exit 0);
#  - bpg (mode=smp, 2 vCPUs) held at its entry: `hbreak ap_work` (a
#    function only vCPU 1 runs) stops thread 2 there, twice.
# Where the debug registers never fire and hbreak traps the instruction's
# page instead (hyve --probe: breakpoints: page-trap), the page must be known
# when the breakpoint is set: `hbreak smp_ap_entry` (a higher-half address no
# page table maps yet, outside the loaded image's segments) is then refused,
# and that part is skipped, loudly; the rest runs.
set -u
cd "$(dirname "$0")/../.." || exit 1
. tests/e2e/bplib.sh
e2e_init bp_hw
skip_if_no_kvm
need_tool gdb objdump
need_host hbreak
require_files "$HYVE" "$GUESTS/smp-mb.elf" "$GUESTS/smp-mb64.elf"
build_bpg

mb=$GUESTS/smp-mb.elf
# the `mov %eax,%cr0` of entry_mb.S that turns paging on
pg=$(objdump -d "$mb" --start-address="$(elf_entry "$mb")" |
	awk '/mov +%eax,%cr0/ { sub(/:$/, "", $1); print "0x" $1; exit }')
[ -n "$pg" ] || fail "cannot find the CR0 write of $mb's entry"
ap=1
part_needs hw-breakpoints "hbreak smp_ap_entry before paging maps it (a page-trap breakpoint needs its page)" || ap=0
start_debug -c 2 -m 64M --kernel "$mb" -G w0
gdb_run pre tests/e2e/gdb4/bp_hw_prepaging.gdb "$GUESTS/smp-mb64.elf" -ex "set \$pg_insn = $pg" \
	-ex "set \$ap = $ap"
expect_val pre e_pg 0 "paging is off at the multiboot entry"
expect_val pre s1_thread 1
expect_val pre s1_at_pg_insn 1 "hbreak at $pg hit before paging is on"
expect_val pre s1_pg 0
if [ $ap = 1 ]; then
	expect_val pre s2_thread 2 "the AP's hit is reported on its thread"
	expect_val pre s2_at_ap_entry 1 "the hbreak set before the AP started hit on it"
	expect_val pre s2_pg 1
	expect_out pre 'Thread 2 .* hit Breakpoint 2, smp_ap_entry' "gdb recognised the AP's hit"
fi
wait_bg 30
expect_rc 0
expect_line "$WORK/out" '^PASS smp' "the SMP guest's own check after detach"

start_debug -c 2 -m 64M --kernel "$BPG" --append mode=smp -G w0
gdb_run ap tests/e2e/gdb4/bp_hw_ap.gdb "$BPG"
expect_val ap s1_thread 2
expect_val ap s1_at_ap_work 1
expect_val ap s1_index 1
expect_val ap s2_thread 2
expect_val ap s2_at_ap_work 1
expect_no_out ap 'SIGTRAP'
wait_bg 20
expect_rc 97
expect_line "$WORK/out" '^SMP RELEASED 0x61 '
pass
