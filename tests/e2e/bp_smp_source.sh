#!/bin/bash
# bp_smp_source.sh -- source-level debugging of a two-vCPU guest built with
# debug info: bpg (mode=smp, 2 vCPUs): vCPU 1 runs ap_work for ever, the
# boot vCPU and vCPU 1 take turns writing both_w (0x100+n from vCPU 0,
# 0x200+n from vCPU 1); only vCPU 1 reads ap_r and writes tenv[n % 10].
#  - `break ap_work` (by name) and `break bpg_src.c:LINE` hit on thread 2;
#  - `next` over `int c = ap_calc(...)` ends on the next line, thread 2;
#  - `break ap_calc` then `finish`: the value returned is 3v+1;
#  - `watch both_w`: six stops alternating between threads 1 and 2, each
#    with the value its vCPU writes;
#  - `rwatch ap_r`: stops on thread 2 ("Value = 7");
#  - ten watchpoints on tenv[0..9]: ten stops on thread 2 at consecutive
#    laps, each right after tenv[n % 10] = n;
#  - released, the guest exits 0x62.
# Where no breakpoint fires (hyve --probe) the breakpoint, next and finish
# part is left out (loudly); the watchpoints run as everywhere.
set -u
cd "$(dirname "$0")/../.." || exit 1
. tests/e2e/bplib.sh
e2e_init bp_smp_source
skip_if_no_kvm
need_tool gdb
require_files "$HYVE"
build_bpg

l_first=$(src_line ap_work_first) && l_call=$(src_line ap_work_call) &&
	l_after=$(src_line ap_work_after) && l_calc=$(src_line ap_calc_first) || fail "bpg_src.c lacks a MARK"
start_debug -c 2 -m 64M --kernel "$BPG" --append mode=smp -G w0
bp=0
part_needs breakpoints "break by name and by line, next, finish" && bp=1
[ "$GDB_TIMEOUT" -ge 90 ] || GDB_TIMEOUT=90
gdb_run s tests/e2e/gdb4/bp_smp_source.gdb "$BPG" -ex "set \$l_call = $l_call" -ex "set \$brk = $bp"
if [ $bp = 1 ]; then
	expect_val s byname_thread 2 "break by name: hit on vCPU 1"
	expect_val s byname_func ap_work
	expect_val s byname_line "$l_first"
	expect_val s byname_index 1
	expect_val s byline_thread 2 "break FILE:LINE: hit on vCPU 1"
	expect_val s byline_line "$l_call"
	expect_val s next_thread 2 "next stays on vCPU 1"
	expect_val s next_line "$l_after"
	expect_val s next_func ap_work
	expect_val s next_iter_eq_n 1 "the stepped line's call did not yet store n"
	expect_val s calc_thread 2
	expect_val s calc_line "$l_calc"
	v=$(val s calc_v)
	expect_val s finish_value "$((3 * v + 1))" "finish: ap_calc($v) returned 3v+1"
	expect_val s fin_func ap_work
	expect_val s fin_thread 2
fi
tr -d '\r' <"$WORK/s.out" | sed -n 's/^both=//p' >"$WORK/both"
[ "$(wc -l <"$WORK/both")" = 6 ] || fail "$(wc -l <"$WORK/both") stops on both_w, want 6"
prev=
while read -r t v; do
	case $t in
	1) [ $((v & 0xf00)) = $((0x100)) ] || fail "thread 1 stopped on both_w = $v, vCPU 0 writes 0x1xx" ;;
	2) [ $((v & 0xf00)) = $((0x200)) ] || fail "thread 2 stopped on both_w = $v, vCPU 1 writes 0x2xx" ;;
	*) fail "a stop on both_w in thread $t" ;;
	esac
	[ "$t" != "$prev" ] || fail "two stops in a row on thread $t: the writes alternate"
	prev=$t
done <"$WORK/both"
echo "ok: watch both_w: $(tr '\n' ' ' <"$WORK/both")"
expect_out s '^Hardware read watchpoint [0-9]+: ap_r$'
expect_out s '^Value = 7$' "rwatch: the value read"
expect_val s rw1_thread 2 "rwatch: vCPU 1 reads ap_r"
expect_val s rw2_thread 2
expect_val s rw2_func ap_work
tr -d '\r' <"$WORK/s.out" | sed -n 's/^ten=//p' >"$WORK/ten"
[ "$(wc -l <"$WORK/ten")" = 10 ] || fail "$(wc -l <"$WORK/ten") stops on tenv, want 10"
first=
while read -r t n cur; do
	[ "$t" = 2 ] || fail "a tenv watchpoint stopped thread $t"
	[ -n "$first" ] || first=$n
	# ap_iter = n is stored before tenv[n % 10] = n: the stop follows both
	[ "$cur" = "$n" ] || fail "stop at lap $n: tenv[n % 10] = $cur, want $n"
	[ "$n" = "$first" ] || [ "$n" = "$((prev + 1))" ] || fail "tenv stops at laps $prev then $n, want consecutive"
	prev=$n
done <"$WORK/ten"
echo "ok: ten watchpoints: ten stops on thread 2, laps $first..$prev"
wait_bg 20
expect_rc 98
expect_line "$WORK/out" '^SMP RELEASED 0x62 '
pass
