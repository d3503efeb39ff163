#!/bin/bash
# watch_rw.sh -- the three kinds of watchpoint with exact read/write
# semantics, and what the stop replies say.  bpg (mode=watch) writes then
# reads wd.rvar (phases 1, 2), wd.avar (3, 4), wd.wvar (5, 6); gdb set
# `rwatch wd.rvar`, `awatch wd.avar`, `watch wd.wvar`:
#  - the write of rvar does not stop; its read does (phase 2, "Value = 17"),
#    stop reply "rwatch:<address of wd.rvar>";
#  - awatch stops at the write (phase 3) and at the read (phase 4), stop
#    replies "awatch:<address>";
#  - watch stops at the write (phase 5, Old 0 / New 51), "watch:<address>";
#    the read of wvar that follows does not stop: the next stop is
#    `watch wphase if wphase == 12`, the end of the sequence (a watchpoint,
#    not a breakpoint at watch_end: it works where no breakpoint fires);
#  - the guest's own checks of every value it read pass (exit 0).
set -u
cd "$(dirname "$0")/../.." || exit 1
. tests/e2e/bplib.sh
e2e_init watch_rw
skip_if_no_kvm
need_tool gdb
require_files "$HYVE"
build_bpg

# stop_reply N: the T packet gdb received in the N-th continue
stop_reply() {
	between w "stop$1-begin" "stop$1-end" | grep -o 'Packet received: T[^#]*' | tail -n 1 |
		sed 's/Packet received: //'
}

start_debug -m 64M --kernel "$BPG" --append mode=watch -G w0
gdb_run w tests/e2e/gdb4/watch_rw.gdb "$BPG"
ar=$(val w addr_r) && aa=$(val w addr_a) && aw=$(val w addr_w)
[ -n "$ar" ] && [ -n "$aa" ] && [ -n "$aw" ] || fail "gdb printed no watched addresses"
expect_val w s1_phase 2 "rwatch: the write (phase 1) did not stop, the read did"
expect_out w '^Hardware read watchpoint 1: wd.rvar$' "gdb names the read watchpoint"
expect_out w '^Value = 17$' "the value read"
expect_val w s2_phase 3 "awatch stops at the write"
expect_val w s2_avar 0x22
expect_val w s3_phase 4 "awatch stops at the read"
expect_val w s4_phase 5 "watch stops at the write"
expect_val w s4_wvar 0x33
expect_out w '^New value = 51$' "watch reports the new value"
expect_val w s5_at_end 1 "the read of the write-watched word did not stop"
expect_val w s5_phase 12
for n in 1 2 3 4; do
	r=$(stop_reply $n)
	case $n in
	1) want="rwatch:$ar" ;;
	2 | 3) want="awatch:$aa" ;;
	4) want="watch:$aw" ;;
	esac
	[[ $r == T05thread:1\;*"$want;"* ]] || fail "stop reply $n is '$r', want T05 with $want"
	echo "ok: stop reply $n: $r"
done
wait_bg 20
expect_rc 0
expect_line "$WORK/out" '^WATCH DONE nb_ok=1 reads=0x66 fetched=0x105$' "the guest's own checks"
pass
