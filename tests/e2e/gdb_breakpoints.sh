#!/bin/bash
# gdb_breakpoints.sh -- `hbreak`, `break` and `watch`:
#  - long64 from its entry: hbreak work stops in work(0) (counter 0, a
#    backtrace through guest_main); `break work` stops in work(1) and
#    work(2) (counter 1, then 3); memory reads show the original bytes, not
#    the int3; `watch counter` stops at its next change (3 -> 4); after
#    detach the guest's own check of its loop (counter 55, sum 165) passes:
#    nothing of the breakpoints was left behind.  Where the host fires no
#    hardware breakpoint, or no breakpoint at all (hyve --probe), those
#    parts are left out, loudly, and the rest runs as before.
#  - dbg64 with 2 vCPUs: a breakpoint in the loop only vCPU 1 runs is
#    reported on thread 2, and between two hits vCPU 1 did exactly one lap
#    (hardware, then software).
set -u
cd "$(dirname "$0")/../.." || exit 1
. tests/e2e/gdblib.sh
e2e_init gdb_breakpoints
skip_if_no_kvm
need_tool gdb nm python3
elf=$GUESTS/long64.elf
require_files "$HYVE" "$elf"
build_dbg64

hw=0 bp=0
part_needs hbreak "hbreak" && hw=1
part_needs breakpoints "break" && bp=1
flags=(-ex "set \$hw = $hw" -ex "set \$brk = $bp")

start_debug -m 64M --kernel "$elf" -G w0
gdb_run bp tests/e2e/gdb/breakpoints.gdb "$elf" "${flags[@]}"
if [ $hw = 1 ]; then
	expect_out bp '^Hardware assisted breakpoint 1 at 0x[0-9a-f]+: file .*main\.c' "hbreak set"
	expect_val bp hb_pc_is_work 1 "hbreak: stopped at work"
	expect_val bp hb_i 0 "hbreak: first call"
	expect_val bp hb_counter 0
	expect_out bp '^#1 +0x[0-9a-f]+ in guest_main ' "backtrace through guest_main"
fi
if [ $bp = 1 ]; then
	# the call after the hbreak's (or the first call, without that part)
	expect_val bp sb1_i "$hw" "break: the next call"
	expect_val bp sb1_counter $((hw ? 1 : 0))
	expect_val bp sb2_i $((hw + 1)) "break: the call after"
	expect_val bp sb2_counter $((hw ? 3 : 1))
	want=$(elf_bytes "$elf" "$(sym "$elf" work)" 8) || fail "cannot read work from $elf"
	[ "$(gdb_bytes bp work)" = "$want" ] ||
		fail "bp: x/8xb work with a breakpoint set shows '$(gdb_bytes bp work)', the ELF has '$want'"
	echo "ok: bp: the breakpoint's int3 is hidden from reads"
fi
# counter counts up by one: the watchpoint stops at the next change
before=$(val bp w_before)
[ -n "$before" ] || fail "bp: gdb printed no w_before= line"
next=$((before + 1))
expect_out bp "^Old value = $before\$" "watch: old value"
expect_out bp "^New value = $next\$" "watch: new value"
expect_val bp w_counter "$next"
wait_bg 20
expect_rc 0
expect_line "$WORK/out" '^LONG64 OK' "the guest's own check after detach"

start_debug -c 2 -m 64M --kernel "$DBG64" -G 0
wait_out '^DBG64 READY 2' 30
gdb_run smp tests/e2e/gdb/breakpoints_smp.gdb "$DBG64" "${flags[@]}"
for k in h s; do
	[ $k = h ] && [ $hw = 0 ] && continue
	[ $k = s ] && [ $bp = 0 ] && continue
	for n in 1 2; do
		expect_val smp ${k}${n}_thread 2 "the hit is reported on vCPU 1's thread"
		expect_val smp ${k}${n}_at_loop 1 "stopped at ap_loop"
	done
	expect_val smp ${k}2_r12 "$(( $(val smp ${k}1_r12) + 1 ))" "one lap between two hits"
done
wait_bg 20
expect_rc 85
pass
