#!/bin/bash
# gdb_linux_banner.sh -- the Debian kernel's uncompressed vmlinux (PVH) under
# -G w: continue, Ctrl-C once its first console line is out stops it inside the kernel with
# paging on, and `x/s linux_banner` reads "Linux version ..." (linux_banner's
# address from System.map when build/linux has the real one, else found in the
# vmlinux file itself: the kernel is booted with nokaslr, so the link address
# is the run-time one).  After detach the kernel goes on printing.
set -u
cd "$(dirname "$0")/../.." || exit 1
. tests/e2e/gdblib.sh
E2E_TIMEOUT=300
e2e_init gdb_linux_banner
skip_if_no_kvm
need_tool gdb readelf python3
dir=${LINUX_GUEST:-$B/linux}
vmlinux=$dir/vmlinux
[ -f "$vmlinux" ] || skip "$vmlinux is missing (build it: scripts/build-linux-guest.sh)"
require_files "$HYVE"

banner=
if [ -f "$dir/System.map" ] && [ "$(wc -l <"$dir/System.map")" -gt 100 ]; then
	banner=0x$(awk '$3 == "linux_banner" { print $1; exit }' "$dir/System.map")
	echo "linux_banner at $banner (System.map)"
fi
if [ -z "$banner" ] || [ "$banner" = 0x ]; then
	# the string "Linux version " in a PT_LOAD of the file -> its virtual address
	banner=$(elf_string_va "$vmlinux" "Linux version ")
	echo "linux_banner at $banner (found in $vmlinux)"
fi
[ -n "$banner" ] || fail "cannot find linux_banner's address"

start_debug -m 256M --kernel "$vmlinux" --append "console=ttyS0 earlyprintk=serial nokaslr noxsave" -G w0
gdb_run lb tests/e2e/gdb/linux_banner.gdb - -ex "set \$banner = $banner" -ex "set \$console = \"$WORK/out\""
grep -q 'received signal SIGINT' "$WORK/lb.out" || fail "lb: no SIGINT stop after Ctrl-C"
cr0=$(val lb cr0) efer=$(val lb efer) rip=$(val lb rip)
(( (cr0 & 0x80000000) && (efer & 0x400) )) || fail "stopped with CR0=$cr0 EFER=$efer: paging/long mode off"
(( rip >= 0xffffffff80000000 )) || fail "stopped at RIP $rip, not in the kernel's higher half"
echo "ok: Ctrl-C stopped the kernel at $rip with paging on (CR0=$cr0)"
b=$(val lb banner)
[[ $b == "Linux version "* ]] || fail "linux_banner reads '$b'"
echo "ok: linux_banner = ${b:0:60}..."
# detached: the kernel goes on printing (more console lines arrive)
n0=$(wc -l <"$WORK/out") n1=$n0
for _ in $(seq 120); do
	n1=$(wc -l <"$WORK/out")
	(( n1 > n0 + 2 )) && break
	bg_running || fail "hyve ended after detach"
	sleep 1
done
(( n1 > n0 + 2 )) || fail "no new console output in 120 s after detach ($n0 lines)"
echo "ok: the kernel printed $((n1 - n0)) more lines after detach:"
tail -n 3 "$WORK/out"
stop_bg
pass
