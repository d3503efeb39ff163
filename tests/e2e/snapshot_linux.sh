#!/bin/bash
# snapshot_linux.sh -- a snapshot of the Debian kernel mid-boot: held at its
# first instruction (-G w), let boot until it has printed 20 lines, `savevm`,
# let it print the next lines, `loadvm`, let it run again: the lines that
# follow the load are the lines that followed the save (timestamps aside),
# at least 8 of them.  See snapshot_linux.py.
set -u
cd "$(dirname "$0")/../.." || exit 1
. tests/e2e/gdblib.sh
E2E_TIMEOUT=900
e2e_init snapshot_linux
skip_if_no_kvm
need_tool python3
dir=${LINUX_GUEST:-$B/linux}
vmlinux=$dir/vmlinux
[ -f "$vmlinux" ] || skip "$vmlinux is missing (build it: scripts/build-linux-guest.sh)"
require_files "$HYVE"

start_debug -m 256M --kernel "$vmlinux" --append "console=ttyS0 nokaslr noxsave" -G w0
GDB_LOGS="$GDB_LOGS sl.out"
timeout -k 5 800 python3 tests/e2e/snapshot_linux.py "$GDB_ADDR" "$WORK/out" >"$WORK/sl.out" 2>&1 ||
	fail "the driver failed (exit $?)"
expect_val sl savevm ok "savevm mid-boot"
expect_out sl '^loadvm=loadvm: the machine is as it was at mid' "loadvm mid-boot"
ns=$(val sl n_after_save) nl=$(val sl n_after_load)
n=$(( ns < nl ? ns : nl ))
(( n >= 8 )) || fail "only $n lines to compare (after the save $ns, after the load $nl)"
diff <(tr -d '\r' <"$WORK/sl.out" | sed -n 's/^S| //p' | head -n "$n") \
	<(tr -d '\r' <"$WORK/sl.out" | sed -n 's/^L| //p' | head -n "$n") >"$WORK/diff" ||
	{ head -n 40 "$WORK/diff"; fail "the lines after the load differ from those after the save"; }
echo "ok: the $n console lines after the load are those after the save:"
tr -d '\r' <"$WORK/sl.out" | sed -n 's/^L| //p' | head -n 3
stop_bg
pass
