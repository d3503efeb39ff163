#!/bin/bash
# bp_smp.sh -- two vCPUs hitting the same software breakpoint at the same
# time: bpg (mode=loop, -c 2) has both vCPUs call both_hit in a tight loop;
# gdb continues 30 times from `break both_hit`.  Every stop is a breakpoint
# stop gdb recognises ("hit Breakpoint 1", never a bare SIGTRAP), at
# both_hit, in the thread whose argument says it is that vCPU; and no call
# gets past the breakpoint unreported: between two reported hits of a vCPU
# its counter of completed calls goes up by exactly one (a hit that lost
# the race to be reported is reported at a later resume, not dropped).
# Both vCPUs are reported.  After detach the guest runs on, with no #BP
# taken and its code unchanged.
set -u
cd "$(dirname "$0")/../.." || exit 1
. tests/e2e/bplib.sh
e2e_init bp_smp
skip_if_no_kvm
need_tool gdb
need_host breakpoints
require_files "$HYVE"
build_bpg

start_debug -c 2 -m 64M --kernel "$BPG" --append mode=loop -G 0
wait_out '^LOOP READY hash 0x[0-9a-f]+$' 30
h0=$(tr -d '\r' <"$WORK/out" | sed -n 's/^LOOP READY hash //p')
GDB_TIMEOUT=90 gdb_run s tests/e2e/gdb4/bp_smp.gdb "$BPG"
expect_no_out s 'SIGTRAP' "no stop gdb could not explain"
expect_count s 'hit Breakpoint 1, both_hit' 30 "every stop is the breakpoint"
tr -d '\r' <"$WORK/s.out" | sed -n 's/^stop=//p' >"$WORK/stops"
[ "$(wc -l <"$WORK/stops")" = 30 ] || fail "gdb printed $(wc -l <"$WORK/stops") stops, want 30"
awk '
	# hits[u] counts the calls of vCPU u that got past the breakpoint.
	# Between two reported hits of u, exactly one call completes; after
	# its last report, at most one more (the reported call itself) can have
	# completed by any later stop.  Before u is first reported, at most one
	# call (in flight when the breakpoint went in) can complete.
	{
		t = $1
		if ($5 != 1) { print "stop " NR ": pc is not at both_hit"; bad = 1 }
		if ($2 != t - 1) { print "stop " NR ": thread " t " but both_hit(cpu=" $2 ")"; bad = 1 }
		for (u = 1; u <= 2; u++) {
			v = $(2 + u)
			if (NR == 1) first[u] = v
			if (seen[u]) {
				if (u == t && v != last[u] + 1) {
					print "stop " NR ": vCPU " u - 1 " counted " v - last[u] \
						" calls since its last reported hit, want 1"
					bad = 1
				} else if (v > last[u] + 1) {
					print "stop " NR ": vCPU " u - 1 " counted " v - last[u] \
						" calls since its last reported hit (reported: 1)"
					bad = 1
				}
			} else if (v > first[u] + 1) {
				print "stop " NR ": vCPU " u - 1 " made " v - first[u] \
					" calls before its first reported hit"
				bad = 1
			}
			if (u == t) { seen[u] = 1; last[u] = v; n[u]++ }
		}
	}
	END {
		if (!n[1] || !n[2]) { print "only one vCPU was ever reported: " n[1] + 0 " / " n[2] + 0; bad = 1 }
		printf "stops per vCPU: %d / %d\n", n[1], n[2]
		exit bad
	}' "$WORK/stops" >"$WORK/check" 2>&1 || fail "$(cat "$WORK/check")"
echo "ok: $(tail -n 1 "$WORK/check"); no call got past the breakpoint unreported"
send_input h
wait_out "^HASH $h0 BP 0 HITS" 20
send_input q
wait_bg 20
expect_rc 66
pass
