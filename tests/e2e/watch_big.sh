#!/bin/bash
# watch_big.sh -- watchpoints of any length and any number: bpg
# (mode=watch) writes the last byte of the 64-byte struct wd.big (phase 7),
# then its first byte (phase 8), then wd.ten[0..9] in order (phase 9).
#  - `watch wd.big` (one 64-byte watchpoint) stops at both writes; the stop
#    replies name the byte written (big+63, then big+0);
#  - ten more watchpoints, one per word of wd.ten, set at once (eleven in
#    all): ten stops, the k-th right after ten[k] = 0x100+k (ten[k+1] still
#    0), each reported by gdb as its own watchpoint;
#  - nothing more stops before the end of the sequence (`watch wphase if
#    wphase == 12`: a watchpoint, which works where no breakpoint fires);
#    the guest's checks pass (exit 0).
set -u
cd "$(dirname "$0")/../.." || exit 1
. tests/e2e/bplib.sh
e2e_init watch_big
skip_if_no_kvm
need_tool gdb
require_files "$HYVE"
build_bpg

start_debug -m 64M --kernel "$BPG" --append mode=watch -G w0
gdb_run w tests/e2e/gdb4/watch_big.gdb "$BPG"
ab=$(val w addr_big)
[ -n "$ab" ] || fail "gdb printed no address of wd.big"
expect_out w '^Hardware watchpoint 1: wd.big$'
expect_val w b1_phase 7 "the write of the struct's last byte stopped"
expect_val w b1_last 0x77
expect_val w b1_first 0
expect_val w b2_phase 8 "the write of its first byte stopped"
expect_val w b2_first 0x78
r1=$(between w big1-begin big1-end | grep -o 'Packet received: T[^#]*' | tail -n 1)
r2=$(between w big2-begin big2-end | grep -o 'Packet received: T[^#]*' | tail -n 1)
[[ $r1 == *";watch:$(printf '%x' $((0x$ab + 63)));"* ]] || fail "first stop reply '$r1', want watch:big+63"
[[ $r2 == *";watch:$ab;"* ]] || fail "second stop reply '$r2', want watch:$ab"
echo "ok: stop replies name the byte written: ${r1##*;watch:} then ${r2##*;watch:}"
expect_count w '^[0-9]+ +(hw |)watchpoint +keep +y +wd\.ten\[[0-9]\]$' 10 "ten watchpoints listed"
tr -d '\r' <"$WORK/w.out" | sed -n 's/^ten_stop=//p' >"$WORK/ten"
[ "$(wc -l <"$WORK/ten")" = 10 ] || fail "$(wc -l <"$WORK/ten") stops on wd.ten, want 10"
while read -r k ph v next; do
	[ "$ph" = 9 ] && [ $((v)) = $((0x100 + k)) ] && [ $((next)) = 0 ] ||
		fail "stop $k on wd.ten: phase $ph, ten[$k]=$v, ten[$((k + 1))]=$next; want 9, $((0x100 + k)), 0"
done <"$WORK/ten"
echo "ok: ten watchpoints, ten stops in order"
for k in 0 1 2 3 4 5 6 7 8 9; do
	expect_out w "^Hardware watchpoint $((k + 2)): wd\.ten\[$k\]$" "gdb names watchpoint $((k + 2))"
done
expect_val w end_at 1 "nothing else stopped before the end (phase 12)"
expect_val w end_phase 12
wait_bg 20
expect_rc 0
expect_line "$WORK/out" '^WATCH DONE nb_ok=1 reads=0x66 fetched=0x105$'
pass
