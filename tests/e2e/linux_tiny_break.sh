#!/bin/bash
# linux_tiny_break.sh -- breakpoints in hyve's own small kernel (make
# linux-kernel) on 2 vCPUs, from its first instruction (-G w), with the real
# gdb and the kernel's scripts (tests/e2e/gdb/linux_tiny_break.gdb):
#   - `hbreak start_secondary` stops thread 2 (the AP) at start_secondary;
#   - `break run_init_process` stops the vCPU PID 1 runs on there,
#     init_filename "/init";
#   - lx-dmesg then holds the banner and "Brought up 1 node, 2 CPUs";
#     `info threads` shows both vCPUs in kernel functions; lx-ps shows
#     kthreadd and ksoftirqd/0;
#   - after the detach the kernel goes on to "Run /init as init process".
# Where no breakpoint of any kind stops a guest (hyve --probe) it is skipped,
# loudly.  The kernel comes from the cache of scripts/build-linux-kernel.sh
# (a cold build takes about 35 minutes): skipped, loudly, when it cannot be
# built.
set -u
cd "$(dirname "$0")/../.." || exit 1
. tests/e2e/gdblib.sh
. tests/e2e/tinylib.sh
e2e_init linux_tiny_break
skip_if_no_kvm
need_host breakpoints
need_tool gdb python3
require_files "$HYVE"
WAIT=${LINUX_TINY_WAIT:-900}
E2E_TIMEOUT=$((WAIT + 2 * GDB_TIMEOUT + 120))
tiny_prepare

tiny_start 2 panic=-1
tiny_gdb b $((WAIT + GDB_TIMEOUT)) tests/e2e/gdb/linux_tiny_break.gdb
block() { tiny_block b "$1"; }
expect_val b ap_thread 2 "hbreak start_secondary: the AP's thread"
expect_val b ap_at 1 "the AP stopped at start_secondary"
block ap | grep -qE '[Bb]reakpoint 1, .*start_secondary' || { block ap; fail "gdb did not report breakpoint 1 (the hbreak)"; }
echo "ok: $(block ap | grep -E '[Bb]reakpoint 1, ' | head -n 1)"
t=$(val b init_thread)	# PID 1 runs on whichever vCPU the scheduler gave it
[ "$t" = 1 ] || [ "$t" = 2 ] || fail "break run_init_process: stopped thread '$t'"
echo "ok: break run_init_process: thread $t (vCPU $((t - 1)))"
expect_val b init_at 1 "stopped at run_init_process"
expect_val b init_arg /init "run_init_process's argument"
block init | grep -qE 'Breakpoint 2, .*run_init_process' || { block init; fail "gdb did not report breakpoint 2"; }
block dmesg | grep -qE '\] Linux version [0-9]' || fail "lx-dmesg: no banner"
block dmesg | grep -q 'Brought up 1 node, 2 CPUs' || fail "lx-dmesg: no 'Brought up 1 node, 2 CPUs'"
echo "ok: lx-dmesg: the banner and 'Brought up 1 node, 2 CPUs'"
n=$(block threads | grep -cE '^\*? +[12] +Thread [12] "vCPU [01]" +(0x[0-9a-f]+ in )?[a-z_][a-z_0-9.]* \(')
[ "$n" = 2 ] || { block threads; fail "info threads: $n of 2 vCPUs shown in a kernel function"; }
echo "ok: info threads: both vCPUs in kernel functions"
for want in kthreadd ksoftirqd/0; do
	block ps | grep -qE " $want\$" || fail "lx-ps: no $want"
done
echo "ok: lx-ps: kthreadd, ksoftirqd/0"
wait_for_line "$WORK/out" 'Run /init as init process' 300
echo "ok: detached, the kernel went on to run /init"
stop_bg
pass
