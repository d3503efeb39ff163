#!/bin/bash
# fault_inject.sh -- fault injection into the debug server over a live socket
# (tests/fault/fault.py): malformed packets, connections dropped at every
# stage (breakpoints and watchpoints set, mid-step, running), extra
# connections, interrupt and vCont floods, against hyve running beat64 (a
# guest printing "BEAT n" several times a second).  After every case hyve
# must serve a fresh debugger, the guest's code must hash as before (no
# breakpoint byte left), the heartbeat must go on and no file descriptor
# may leak.  FAULT_SECONDS (default 50) bounds the fault loop; FAULT_SEED
# (default 1) picks the random choices (the same seed, the same faults).
set -u
cd "$(dirname "$0")/../.." || exit 1
. tests/e2e/gdblib.sh
e2e_init fault_inject
skip_if_no_kvm
need_tool python3 nm readelf pgrep
require_files "$HYVE" "$GUESTS/libguest64.a" "$GUESTS/lib64/entry_elf64.o"
E2E_TIMEOUT=$(( ${FAULT_SECONDS:-50} + 60 ))

gdir=$B/fault-guest
make -s -C tests/fault/guest O="$(realpath -m "$gdir")" GUESTS="$(realpath "$GUESTS")" \
	>"$WORK/make.log" 2>&1 || { GDB_LOGS="make.log"; fail "cannot build beat64"; }
elf=$gdir/beat64.elf

start_debug -m 64M --kernel "$elf" -G 127.0.0.1:0
wait_out '^BEAT 2' 30
pid=$(pgrep -P "$BG_PID" -x hyve) || fail "cannot find hyve's pid under $BG_PID"
text=$(readelf -SW "$elf" |
	sed -n 's/.*\] \.text  *PROGBITS  *\([0-9a-f]*\) [0-9a-f]* \([0-9a-f]*\) .*/\1,\2/p')
[ -n "$text" ] || fail "no .text in $elf"
hot=$(sym "$elf" beat_hot) && counter=$(sym "$elf" counter) || fail "symbols"

# a breakpoint kind that never fires here is still set and dropped with the
# guest running, but its hit is not waited for
nohit=()
part_needs breakpoints "waiting for breakpoint hits (Z0, Z1) before dropping the connection" ||
	nohit=(--no-hit swbreak --no-hit hwbreak)
python3 tests/fault/fault.py --addr "$GDB_ADDR" --pid "$pid" --out "$WORK/out" \
	--text "$text" --hot "$hot" --counter "$counter" "${nohit[@]}" \
	--seconds "${FAULT_SECONDS:-50}" --seed "${FAULT_SEED:-1}" >"$WORK/fault.out" 2>&1
rc=$?
GDB_LOGS="fault.out"
cat "$WORK/fault.out"
[ $rc = 0 ] || fail "fault.py exit status $rc"
bg_running || fail "hyve is gone after the faults"
has_line "$WORK/err" 'AddressSanitizer|runtime error|LeakSanitizer' && fail "sanitizer report"
pass "$(grep -o '[0-9]* malformed packets, [0-9]* disconnect cycles' "$WORK/fault.out")"
