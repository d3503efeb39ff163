#!/usr/bin/env bash
# linux_pvh.sh -- the early boot of the Debian kernel through its PVH entry.
#
# Boots build/linux/vmlinux (the uncompressed ELF from linux-image-6.1.0-N-amd64, built
# by scripts/build-linux-guest.sh if missing) on 2 vCPUs and 256 MiB, and asserts that
# the kernel's serial console shows, within LINUX_PVH_WAIT seconds (default 240):
#   - the "Linux version" banner,
#   - the "Command line:" line with the command line hyve passed (a per-run marker),
#   - the e820 map hyve built: low RAM 0-0x9fbff usable, RAM from 1 MiB up to the
#     end of the 256 MiB usable,
# then stops hyve: on KVMs that emulate guest ring 0 (kvm_pvm) a full boot takes far
# too long (measured here: those lines after ~19-21 s; `make test-linux` does the full boot
# on hosts with hardware virtualization).
#
# Environment: B, HYVE (see lib.sh); LINUX_GUEST (default build/linux);
# LINUX_PVH_WAIT (seconds to wait for the lines, default 240: ~20 s here when idle, ~110 s
# while another emulated guest competes for the 2 CPUs).
# Exit: 0 pass, 1 fail, 77 skip (no usable /dev/kvm).
cd "$(dirname "$0")/../.." || exit 1
. tests/e2e/lib.sh || { echo "FAIL linux_pvh: cannot source tests/e2e/lib.sh"; exit 1; }

e2e_init linux_pvh
skip_if_no_kvm
require_files "$HYVE"

LINUX_GUEST=${LINUX_GUEST:-build/linux}
WAIT=${LINUX_PVH_WAIT:-240}
# hyve is killed by the `timeout` of lib.sh if everything else fails.
E2E_TIMEOUT=$((WAIT + 30))

# The guest: a no-op when it is up to date; a failed download is a failure, not a skip.
if ! scripts/build-linux-guest.sh "$LINUX_GUEST" >"$WORK/build.log" 2>&1; then
	echo "----- scripts/build-linux-guest.sh $LINUX_GUEST (last 20 lines) -----"
	tail -n 20 "$WORK/build.log"
	fail "could not build the Linux guest (scripts/build-linux-guest.sh failed; see above)"
fi
require_files "$LINUX_GUEST/vmlinux"

mark="MARK$$x$RANDOM"
cmdline="console=ttyS0 earlyprintk=serial,ttyS0,115200 nokaslr noxsave panic=-1 hyvetest=$mark"
now_ms() { echo $((${EPOCHREALTIME/[.,]/} / 1000)); }
t0=$(now_ms)
start_hyve_bg -c 2 -m 256M --kernel "$LINUX_GUEST/vmlinux" --append "$cmdline"

elapsed() {	# seconds since hyve started, one decimal
	local ms=$(($(now_ms) - t0))
	printf '%d.%d' $((ms / 1000)) $((ms % 1000 / 100))
}

# await REGEX WHAT: wait for a serial line (up to WAIT s from the start), report when.
await() {
	local left
	left=$((WAIT - ($(now_ms) - t0) / 1000))
	[ "$left" -gt 0 ] || left=1
	wait_for_line "$WORK/out" "$1" "$left"
	echo "linux_pvh: $2 after $(elapsed) s"
}

await '^\[ *[0-9.]+\] Linux version [0-9]' '"Linux version"'
await "^\[ *[0-9.]+\] Command line: .*hyvetest=$mark( |\$)" '"Command line:" with hyvetest='"$mark"
# 640 KiB minus the EBDA below 1 MiB; 1 MiB .. 256 MiB - 1 above it.
await '\[mem 0x0000000000000000-0x000000000009fbff\] usable' 'e820 low RAM [0-0x9fbff]'
await '\[mem 0x0000000000100000-0x000000000fffffff\] usable' 'e820 RAM [1 MiB-256 MiB)'

# The command line must be exactly what hyve was given, not a fragment of it.
tr -d '\r' <"$WORK/out" | grep -qF "Command line: $cmdline" ||
	fail "the kernel's command line differs from the one given to hyve ($cmdline)"
# No usable RAM may be reported beyond what -m gave the guest.
over=$(tr -d '\r' <"$WORK/out" |
	sed -n 's/.*\(BIOS-e820\|user\): \[mem 0x\([0-9a-f]*\)-0x\([0-9a-f]*\)\] usable.*/\3/p' |
	while read -r end; do [ $((0x$end)) -ge $((256 << 20)) ] && echo "$end"; done)
[ -z "$over" ] || fail "usable RAM beyond 256 MiB in the e820 map (ends at 0x$over)"
bg_running || fail "hyve ended early (the guest should still be booting)"
stop_bg
pass "banner, command line and e820 map after $(elapsed) s"
