#!/bin/bash
# gdb_sipi_wait.sh -- a debugger attaches to the running benchmark guest on 4
# vCPUs; the guest never starts its APs, which wait for INIT/SIPI inside
# KVM_RUN.  hyve counts those as stopped without waking them (so stopping
# costs the same with 1 or 16 vCPUs) and fetches one only when its state is
# wanted: `info threads` shows all four, the APs are at the reset vector
# (f000:fff0), continue + Ctrl-C stops the guest inside its kernel again
# (naming vCPU 0, not an AP that never ran), and
# after the detach the guest runs on.
set -u
cd "$(dirname "$0")/../.." || exit 1
. tests/e2e/gdblib.sh
e2e_init gdb_sipi_wait
skip_if_no_kvm
need_tool gdb
elf=$GUESTS/bench64.elf
require_files "$HYVE" "$GUESTS/bench.elf" "$elf"

start_debug -c 4 -m 64M --kernel "$GUESTS/bench.elf" -G 0
wait_for_line "$WORK/out" 'BENCH-READY' 15
gdb_run sw tests/e2e/gdb/sipi_wait.gdb "$elf"
expect_val sw attach_thread 1 "the attach stop names vCPU 0"
expect_val sw a_in_text 1 "vCPU 0 stopped in the guest kernel"
for i in 0 1 2 3; do
	expect_out sw "^\*? +$((i + 1)) +Thread $((i + 1)) \"vCPU $i\"" "thread $((i + 1)) is \"vCPU $i\""
done
expect_out sw '^ +2 +Thread 2 "vCPU 1" .*0x0*fff0' "info threads: vCPU 1 at the reset vector"
expect_val sw t3_pc 0xfff0 "vCPU 2 (waiting for SIPI) at rip fff0"
expect_val sw t3_cs 0xf000 "vCPU 2 at cs f000"
expect_out sw '^Thread 1 "vCPU 0" received signal SIGINT, Interrupt\.' "continue + Ctrl-C stopped it, naming the boot vCPU"
expect_val sw b_in_text 1 "vCPU 0 stopped in the guest kernel after the continue"
expect_val sw t4_pc 0xfff0 "vCPU 3 still at the reset vector"
expect_val sw t2_cs 0xf000 "vCPU 1 still at cs f000"
expect_val sw c_thread 1 "back on vCPU 0"
sleep 0.3
bg_running || fail "hyve ended after the detach"
echo "ok: the guest runs on after the detach"
pass
