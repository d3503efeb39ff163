#!/bin/bash
# bp_detach.sh -- every software breakpoint leaves guest memory when the
# debugger goes, however it goes: bpg (mode=loop) hashes its own .text at
# boot ("LOOP READY hash H"), runs both_hit for ever, and on COM1 input 'h'
# hashes it again and says how many #BP it took ("HASH H' BP n HITS a b").
#  - detach: after gdb set breakpoints (on functions the loop calls and on
#    one it never calls) and hit two of them, the guest's own hash is H
#    again and it took no #BP; `monitor dump` with the breakpoints in, and a
#    dump by a second session after, both hold H's bytes;
#  - disconnect: gdb stopped at a breakpoint is killed with SIGKILL: the
#    guest runs on (both_hit keeps counting), hash H, no #BP;
#  - `kill` while stopped at a breakpoint: hyve ends at once, exit status 0.
set -u
cd "$(dirname "$0")/../.." || exit 1
. tests/e2e/bplib.sh
e2e_init bp_detach
skip_if_no_kvm
need_tool gdb nm python3
need_host soft-breakpoints
require_files "$HYVE"
build_bpg

# guest_hash N: the hash of the N-th "HASH" line after asking for it
ask_hash() {
	send_input h
	wait_for_line "$WORK/out" "^HASH 0x[0-9a-f]+ BP [0-9]+ HITS" 20
	local i
	for ((i = 0; i < 50; i++)); do
		[ "$(tr -d '\r' <"$WORK/out" | grep -c '^HASH ')" -ge "$1" ] && break
		sleep 0.2
	done
	tr -d '\r' <"$WORK/out" | grep '^HASH ' | sed -n "$1p"
}

start_debug -m 64M --kernel "$BPG" --append mode=loop -G 0
wait_out '^LOOP READY hash 0x[0-9a-f]+$' 30
h0=$(tr -d '\r' <"$WORK/out" | sed -n 's/^LOOP READY hash //p')

gdb_run det tests/e2e/gdb4/bp_detach.gdb "$BPG" -ex "set \$core = \"$WORK/during.core\""
expect_val det s1_at_bp 1 "stopped at both_hit or serial_getc"
expect_val det s2_func_serial 1
want="$(elf_bytes "$BPG" "$(sym "$BPG" both_hit)" 8) $(elf_bytes "$BPG" "$(sym "$BPG" serial_getc)" 8) $(elf_bytes "$BPG" "$(sym "$BPG" guest_int3)" 8)"
[ "$(gdb_bytes det bytes)" = "$want" ] || fail "x with breakpoints in shows '$(gdb_bytes det bytes)', want '$want'"
[ -s "$WORK/during.core" ] || fail "monitor dump wrote no $WORK/during.core"
got=$(hash_text "$BPG" "$WORK/during.core") || fail "cannot hash .text in during.core"
[ "$got" = "$h0" ] || fail "monitor dump with breakpoints in: .text hash $got, the guest's own at boot $h0"
echo "ok: the dump taken with breakpoints in shows the original code"

line=$(ask_hash 1)
[ "$line" != "${line#HASH $h0 BP 0 }" ] ||
	fail "after detach the guest sees '$line', want its boot hash $h0 and no #BP"
echo "ok: after detach: $line"
gdb_run after tests/e2e/gdb4/dump_only.gdb "$BPG" -ex "set \$core = \"$WORK/after.core\""
got=$(hash_text "$BPG" "$WORK/after.core") || fail "cannot hash .text in after.core"
[ "$got" = "$h0" ] || fail "a dump after detach: .text hash $got, want $h0"
echo "ok: a second session's dump after detach has the original code"

gdb_start_bg dis tests/e2e/gdb4/bp_disconnect.gdb "$BPG" -ex "set \$pidfile = \"$WORK/gdb.pid\""
for ((i = 0; i < 100; i++)); do [ -s "$WORK/gdb.pid" ] && break; sleep 0.2; done
[ -s "$WORK/gdb.pid" ] || fail "the disconnect session never stopped at its breakpoint"
expect_val dis stopped_at_bp 1
kill -9 "$(cat "$WORK/gdb.pid")"
wait "$GDB_PID" 2>/dev/null
before=$(ask_hash 2 | sed 's/.*HITS \([0-9]*\).*/\1/')
line=$(ask_hash 3)
[ "$line" != "${line#HASH $h0 BP 0 }" ] ||
	fail "after gdb was killed the guest sees '$line', want its boot hash $h0 and no #BP"
now=${line##*HITS }
now=${now%% *}
[ "$now" -gt "$before" ] || fail "both_hit stopped counting after the disconnect ($before, then $now)"
echo "ok: after SIGKILL of gdb: $line (the loop runs on)"

gdb_run k tests/e2e/gdb4/bp_kill.gdb "$BPG"
expect_val k stopped_at_bp 1
wait_bg 10
expect_rc 0
expect_line "$WORK/err" 'killed by the debugger'
pass
