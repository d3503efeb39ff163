#!/bin/bash
# kernel_workflow.sh -- debugging the Debian kernel with its DWARF vmlinux,
# the way doc/debugging.md shows it.  build/linux/vmlinux (booted through
# PVH) and build/linux/vmlinux-debug (from linux-image-<ver>-dbg, ~860 MB
# download) come from scripts/build-linux-guest.sh (WITH_DEBUG_VMLINUX=1),
# run here if either is missing or they are not the same build.
# hyve -G w, boot args "console=ttyS0 earlyprintk=serial nokaslr noxsave",
# 256 MiB; gdb vmlinux-debug:
#  - `hbreak start_kernel`, continue: stopped at start_kernel (bt frame 0,
#    `info line` in init/main.c, `p init_task.comm` is "swapper");
#  - `break setup_arch`, continue: stopped in setup_arch, called from
#    start_kernel;
#  - `watch max_pfn`, continue: stopped in setup_arch right after the write,
#    Old value 0, New value 65536 (256 MiB of 4 KiB pages);
#  - delete, detach: the kernel goes on printing.
# Takes about a minute here (start_kernel ~10 s, max_pfn ~25 s of emulated
# boot, gdb reading the 630 MB symbol file); each step's time is printed.
# Without the debug vmlinux (no network to fetch it) the test FAILS, saying
# why -- unless HYVE_SKIP_KERNEL_DBG=1, when it skips (exit 77), loudly.
set -u
cd "$(dirname "$0")/../.." || exit 1
. tests/e2e/bplib.sh
E2E_TIMEOUT=600
e2e_init kernel_workflow
skip_if_no_kvm
need_tool gdb readelf python3
require_files "$HYVE"
# before the ~860 MB download: the workflow stops at start_kernel by hbreak
need_host hw-breakpoints
need_host breakpoints
LG=${LINUX_GUEST:-$B/linux}
vmlinux=$LG/vmlinux
dbg=$LG/vmlinux-debug

build_id() { readelf -n "$1" 2>/dev/null | sed -n 's/^ *Build ID: //p' | head -n 1; }
have_pair() {
	[ -s "$vmlinux" ] && [ -s "$dbg" ] && [ -n "$(build_id "$vmlinux")" ] &&
		[ "$(build_id "$vmlinux")" = "$(build_id "$dbg")" ]
}
if ! have_pair; then
	echo "fetching the debug vmlinux: WITH_DEBUG_VMLINUX=1 scripts/build-linux-guest.sh $LG (~860 MB)"
	t0=$SECONDS
	WITH_DEBUG_VMLINUX=1 scripts/build-linux-guest.sh "$LG" >"$WORK/fetch.log" 2>&1
	frc=$?
	echo "build-linux-guest.sh: exit $frc after $((SECONDS - t0)) s"
	if [ "$frc" != 0 ] || ! have_pair; then
		why=$(grep -m 1 'ERROR' "$WORK/fetch.log" || tail -n 1 "$WORK/fetch.log")
		[ "$frc" = 0 ] && why="vmlinux and vmlinux-debug are not the same build (build ids '$(build_id "$vmlinux")' / '$(build_id "$dbg")')"
		[ "${HYVE_SKIP_KERNEL_DBG:-0}" = 1 ] &&
			skip "HYVE_SKIP_KERNEL_DBG=1 and the debug vmlinux cannot be had: $why"
		GDB_LOGS="$GDB_LOGS fetch.log"
		fail "no debug vmlinux for the kernel workflow: $why (set HYVE_SKIP_KERNEL_DBG=1 to skip this test on a host without network)"
	fi
fi
echo "kernel: $vmlinux, symbols: $dbg (build id $(build_id "$dbg"))"

t0=$(date +%s.%N)
start_debug -m 256M --kernel "$vmlinux" --append "console=ttyS0 earlyprintk=serial nokaslr noxsave" -G w0
GDB_TIMEOUT=400 gdb_run k tests/e2e/gdb4/kernel_workflow.gdb "$dbg"
step() { python3 -c "print('%.1f' % ($(val k "t_$2") - $(val k "t_$1")))"; }
echo "timing: gdb loads the symbols $(python3 -c "print('%.1f' % ($(val k t_attached) - $t0))") s;" \
	"to start_kernel $(step attached start_kernel) s; to setup_arch $(step start_kernel setup_arch) s;" \
	"to the max_pfn write $(step setup_arch max_pfn) s"
expect_out k '^Hardware assisted breakpoint 1 at 0x[0-9a-f]+: file init/main\.c, line [0-9]+\.$' "hbreak start_kernel"
expect_out k '^Breakpoint 1, start_kernel \(\) at init/main\.c:[0-9]+$' "stopped in start_kernel"
expect_val k sk_pc_is_start_kernel 1
between k bt1-begin bt1-end | grep -qE '^#0 +start_kernel \(\) at init/main\.c:' || fail "bt: frame 0 is not start_kernel"
echo "ok: bt: #0 start_kernel"
expect_out k '^Line [0-9]+ of "init/main\.c" starts at address 0x[0-9a-f]+ <start_kernel> ' "info line"
expect_out k '^\$1 = "swapper' "p init_task.comm"
expect_val k comm swapper
expect_out k '^Breakpoint 2, setup_arch \(' "stopped at setup_arch"
expect_val k sa_pc_is_setup_arch 1
between k bt2-begin bt2-end | grep -qE '^#1 +0x[0-9a-f]+ in start_kernel \(\) at init/main\.c:' ||
	fail "bt in setup_arch: frame 1 is not start_kernel"
echo "ok: setup_arch called from start_kernel"
expect_val k max_pfn_before 0
expect_out k '^Hardware watchpoint 3: max_pfn$' "watch max_pfn"
expect_out k '^Old value = 0$'
expect_out k '^New value = 65536$' "the new value: 256 MiB in 4 KiB pages"
expect_val k max_pfn_after 65536
expect_val k wp_func setup_arch "stopped right after the write, in setup_arch"
expect_val k wp_file arch/x86/kernel/setup.c
expect_out k '^\[Inferior 1 \(Remote target\) detached\]$'
n0=$(wc -l <"$WORK/out")
for ((i = 0; i < 150; i++)); do
	[ "$(wc -l <"$WORK/out")" -gt $((n0 + 5)) ] && break
	bg_running || fail "hyve ended after the detach"
	sleep 0.2
done
n1=$(wc -l <"$WORK/out")
[ "$n1" -gt $((n0 + 5)) ] || fail "after the detach the kernel printed $((n1 - n0)) more lines in 30 s"
echo "ok: after detach the kernel goes on: $((n1 - n0)) more lines, e.g. '$(tail -n 1 "$WORK/out" | tr -d '\r' | cut -c1-70)'"
pass
