#!/bin/bash
# reverse.sh -- reverse execution with the real gdb (reverse-stepi,
# reverse-continue to a breakpoint and to a watchpoint, the history's start,
# its memory limit) on bpg mode=snap; see tests/e2e/gdb4/reverse.gdb.
set -u
cd "$(dirname "$0")/../.." || exit 1
. tests/e2e/bplib.sh
e2e_init reverse
skip_if_no_kvm
need_tool gdb
require_files "$HYVE"
build_bpg

start_debug -m 64M --kernel "$BPG" --append mode=snap -G 0
wait_out '^SNAP round 2 ' 60
gdb_run r tests/e2e/gdb4/reverse.gdb "$BPG"
k0=$(val r k0)
[ -n "$k0" ] || fail "gdb did not stop at a round's end"
fwd() { tr -d '\r' <"$WORK/r.out" | sed -n "s/^f$1 //p"; }
back() { tr -d '\r' <"$WORK/r.out" | sed -n "s/^b$1 //p"; }
[ -n "$(fwd 6)" ] || fail "gdb did not step six times"
[ "$(fwd 0 | cut -d' ' -f1)" != "$(fwd 6 | cut -d' ' -f1)" ] || fail "stepi did not move the pc"
for i in 5 4 3 2 1 0; do
	[ -n "$(back $i)" ] || fail "reverse-stepi $((6 - i)) printed nothing"
	[ "$(back $i)" = "$(fwd $i)" ] ||
		fail "after reverse-stepi to step $i: \"$(back $i)\", want \"$(fwd $i)\""
done
echo "ok: six reverse-stepi: pc, rax, rsp and snap_spin as before each step, in reverse"
between r hist-begin hist-end | grep -qE '^history: recording, 6 entries' ||
	fail "monitor history does not show the six entries"
between r start-begin start-end | grep -q 'No more reverse-execution history' ||
	fail "a seventh reverse-stepi did not reach the history's start"
expect_val r "s pc" "$(fwd 0 | sed 's/^pc=\([^ ]*\) .*/\1/')" "the history's start is before the first step"
expect_out r '^rc_bp pc=0x[0-9a-f]+ at3=1$' "reverse-continue stopped at the breakpoint on the third step's pc"
for n in 1 2 3; do expect_out r "^fwd round=$((k0 + n))\$"; done
expect_out r "^rc1 round=$((k0 + 2))\$" "reverse-continue: back to before the last write"
expect_out r "^rc2 round=$((k0 + 1))\$" "reverse-continue again: one round further back"
between r end-begin end-end | grep -q 'No more reverse-execution history' ||
	fail "reverse-continue without breakpoints did not reach the history's start"
expect_out r '^rc3 pc=0x[0-9a-f]+ at0=1 round='"$k0"'$' "the history's start: the first step's pc, round $k0"
lim=$(between r lim-begin lim-end | grep '^history:')
n=$(echo "$lim" | sed -n 's/^history: recording, \([0-9]*\) entries.*/\1/p')
[ -n "$n" ] && [ "$n" -lt 8 ] || fail "with an 8 KiB limit the history kept $n of 8 entries: $lim"
echo "ok: limit 8 KiB: $lim"
between r off-begin off-end | grep -qE '^history: off, 0 entries' || fail "history off still records"
between r off-begin off-end | grep -q 'No more reverse-execution history' ||
	fail "with history off, reverse-stepi did not say there is none"
wait_bg 30
pass
