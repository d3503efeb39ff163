#!/bin/bash
# gdb_stepi.sh -- `stepi` advances exactly one instruction, on each vCPU:
# with 2 vCPUs spinning in known loops (dbg64), every step lands on the
# instruction objdump says comes next (a taken jump goes back to the loop
# start), the stop is reported for the stepped thread, `inc %r12` adds
# exactly 1, and with `set scheduler-locking step` the other vCPU does not
# move at all.  Where a step over pause runs on (hyve --probe), the test
# moves vCPU 1's pc past its loop's pause rather than stepping over it.
set -u
cd "$(dirname "$0")/../.." || exit 1
. tests/e2e/gdblib.sh
e2e_init gdb_stepi
skip_if_no_kvm
need_tool gdb objdump nm
require_files "$HYVE"
build_dbg64

start_debug -c 2 -m 64M --kernel "$DBG64" -G 0
wait_out '^DBG64 READY 2' 30
pause_exact=0
part_needs step-over-pause "steps over ap_loop's pause (the test moves the pc past it instead)" &&
	pause_exact=1
gdb_run st tests/e2e/gdb/stepi.gdb "$DBG64" -ex "set \$pause_exact = $pause_exact"

# next_of THREAD ADDR: where one instruction from ADDR leads on that vCPU
next_of() {
	if [ "$1" = 1 ]; then
		loop_next "$DBG64" spin_loop spin_end "$2"
	else
		loop_next "$DBG64" ap_loop ap_loop_end "$2"
	fi
}
inc_r12=$(sym "$DBG64" ap_loop) || fail "no ap_loop in $DBG64"

expect_val st s0_rbx2 1 "vCPU 1's own RBX (its AP index)"
prev=s0
for s in 1:1 2:2 3:2 4:2 5:1 6:1 7:2; do
	step=s${s%:*} t=${s#*:} o=$((3 - ${s#*:}))
	before=$(val st "${prev}_t$t")
	[ -n "$before" ] || fail "st: no ${prev}_t$t line"
	if [ "$(val st "${step}_around")" = 1 ]; then
		echo "ok: st: $step: moved thread $t past the pause at $before"
		before=$(printf '0x%x' $((before + 2)))
	fi
	expect_val st "${step}_from" "$before" "the step starts where thread $t was"
	want=$(next_of "$t" "$before") || fail "thread $t at $before: not in its loop"
	expect_val st "${step}_cur" "$t" "the stop is reported for the stepped thread $t"
	expect_val st "${step}_t$t" "$want" "stepi on thread $t from $before"
	if [ "$step" != s1 ]; then	# scheduler-locking step: the other stays put
		expect_val st "${step}_t$o" "$(val st "${prev}_t$o")" "thread $o must not move"
		r12=$(val st "${prev}_r12")
		if [ "$t" = 2 ] && same "$before" "$inc_r12"; then
			expect_val st "${step}_r12" "$((r12 + 1))" "one inc %r12"
		else
			expect_val st "${step}_r12" "$r12" "R12 of vCPU 1 unchanged"
		fi
	fi
	prev=$step
done
wait_bg 20
expect_rc 51
pass
