#!/bin/bash
# watch_page.sh -- a trapped page stays usable for everything else in it.
# bpg (mode=watch), phase 10: a mix of accesses to nbuf (its own page),
# never touching nbuf[100], [200], [300]: 1/2/4/8-byte moves next to the
# watched words, sums, lock xadd, xchg, lock cmpxchg, lock or, inc, bts,
# add, not, rep movsq / stosq / movsb inside the page, unaligned 8-byte
# accesses; the same on an untrapped mirror; nb_ok = 1 if both agree.
# Phase 11: wpage_fn runs from the page that holds wpage_var, then the
# guest writes wpage_var = wpage_fn(5) = 0x105.
# With watch/rwatch/awatch on nbuf[100]/[200]/[300] and a watchpoint on
# wpage_var, the first stop is at phase 11, on wpage_var, with nb_ok 1 and
# fetched 0x105:
#  - run 1: `watch wpage_var` (the page is write-trapped, still readable);
#  - run 2: `awatch wpage_var` (the page is trapped for every access, so
#    the code is fetched from a trapped page).
set -u
cd "$(dirname "$0")/../.." || exit 1
. tests/e2e/bplib.sh
e2e_init watch_page
skip_if_no_kvm
need_tool gdb
require_files "$HYVE"
build_bpg

for kind in 0 1; do
	n=k$kind
	start_debug -m 64M --kernel "$BPG" --append mode=watch -G w0
	gdb_run $n tests/e2e/gdb4/watch_page.gdb "$BPG" -ex "set \$kind = $kind"
	expect_val $n same_page 1 "wpage_fn and wpage_var share a page"
	if has_line "$WORK/$n.out" '^Program received signal' || ! has_line "$WORK/$n.out" '^s1_fetched=0x105$'; then
		sig=$(tr -d '\r' <"$WORK/$n.out" | sed -n 's/^Program received signal \([A-Z]*\).*/\1/p' | head -n 1)
		why=$(tr -d '\r' <"$WORK/err" | grep -m 2 -E 'internal error|emulation|unexpected exit' |
			sed 's/^hyve: //' | tr '\n' ' ')
		fail "with the code's page trapped by '$( [ $kind = 1 ] && echo awatch || echo watch) wpage_var'," \
			"calling wpage_fn stopped the machine: signal ${sig:-none} at phase $(val $n s1_phase)," \
			"fetched=$(val $n s1_fetched) (want 0x105); hyve said: ${why:-nothing}." \
			"An instruction fetch from a page hyve took out of the RAM slots for a" \
			"read/access watchpoint is an emulation failure: KVM cannot fetch code from a" \
			"page that is not RAM"
	fi
	expect_val $n s1_phase 11 "no stop before phase 11: the neighbour accesses went through"
	expect_val $n s1_nb_ok 1 "the guest found nbuf and its mirror identical"
	expect_val $n s1_fetched 0x105 "wpage_fn ran from the trapped page"
	expect_val $n s1_wpage_var 0x105
	if [ "$kind" = 0 ]; then
		expect_out $n '^Hardware watchpoint 4: wpage_var$'
	else
		expect_out $n '^Hardware access \(read/write\) watchpoint 4: wpage_var$'
	fi
	expect_val $n end_at 1
	expect_val $n end_nb_ok 1
	wait_bg 20
	expect_rc 0
	expect_line "$WORK/out" '^WATCH DONE nb_ok=1 reads=0x66 fetched=0x105$'
done
pass
