#!/bin/bash
# bp_range_step.sh -- source-level stepping on range stepping (vCont;r):
# bpg (mode=step, step_main built without optimisation):
#  - `next` over `y = x + 19;` (no call, one line-table row) is one resume: exactly one
#    vCont packet, a vCont;r over the line's addresses, and one stop reply;
#    it ends on the next line (MARK step_call);
#  - `step` there enters step_add(22, 3), on its first line;
#  - `finish` returns 50 to step_main, back on the line of the call;
#  - `next` then stores it (step_result 50); the guest's check passes.
# Where no breakpoint fires (hyve --probe), gdb gets to the line by a
# watchpoint on the checkpoint before it and steps, and `step` into the call,
# `finish` and the last `next` are left out (loudly): gdb ends the first two
# with a breakpoint of its own.
set -u
cd "$(dirname "$0")/../.." || exit 1
. tests/e2e/bplib.sh
e2e_init bp_range_step
skip_if_no_kvm
need_tool gdb readelf
require_files "$HYVE"
build_bpg

l_next=$(src_line step_next) && l_call=$(src_line step_call) &&
	l_add=$(src_line step_add_first) && l_after=$(src_line step_after) || fail "bpg_src.c lacks a MARK"
# gdb range-steps one line-table row at a time: the line must be one row
rows=$(readelf --debug-dump=decodedline "$BPG" 2>/dev/null | grep -cE "^bpg_src\.c +$l_next +0x")
[ "$rows" = 1 ] || fail "the guest build gives line $l_next of bpg_src.c $rows line-table rows, want 1 (built with -gno-column-info?)"
start_debug -m 64M --kernel "$BPG" --append mode=step -G w0
bp=0
part_needs breakpoints "the way to the line by a breakpoint, step into the call (gdb ends it by a breakpoint past the prologue), finish" && bp=1
gdb_run r tests/e2e/gdb4/bp_range_step.gdb "$BPG" -ex "set \$l_next = $l_next" -ex "set \$brk = $bp"
expect_val r s0_line "$l_next"
expect_val r s0_func step_main
between r next-begin next-end >"$WORK/next.log"
nv=$(grep -c 'Sending packet: \$vCont;' "$WORK/next.log")
nr=$(grep -c 'Sending packet: \$vCont;r' "$WORK/next.log")
ns=$(grep -c 'Packet received: T' "$WORK/next.log")
[ "$nv" = 1 ] && [ "$nr" = 1 ] && [ "$ns" = 1 ] ||
	fail "next over one line took $nv vCont packets ($nr range steps) and $ns stop replies, want 1, 1, 1: $(grep -o 'Sending packet: \$vCont[^#]*' "$WORK/next.log" | head -n 5 | tr '\n' ' ')"
echo "ok: next = one round trip: $(grep -o 'Sending packet: \$vCont[^#]*' "$WORK/next.log")"
expect_val r n_line "$l_call" "next ended on the following line"
if [ $bp = 1 ]; then
	expect_val r s_func step_add "step entered the call"
	expect_val r s_line "$l_add"
	expect_val r s_a 22
	expect_val r s_b 3
	expect_out r '^Value returned is \$1 = 50$' "finish prints the value"
	expect_val r finish_value 50 "finish: the value step_add returned"
	expect_val r f_func step_main
	expect_val r f_line "$l_call"
	expect_val r n2_line "$l_after"
	expect_val r n2_result 0 "not stored yet: the line after the call is next"
fi
wait_bg 20
expect_rc 0
expect_line "$WORK/out" '^STEP RESULT 50$'
pass
