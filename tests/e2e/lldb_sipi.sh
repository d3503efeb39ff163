#!/bin/bash
# lldb_sipi.sh -- lldb on an SMP guest whose APs never started (bench on 4
# vCPUs: the APs wait for INIT/SIPI in real mode, paging off).  With thread
# 2 (an AP) selected, lldb's memory reads of kernel addresses go through
# that vCPU, which cannot translate them: hyve reads them through the vCPU
# that reported the last stop instead, so `memory read` shows the ELF's
# bytes (before, every read answered E14).  hyve's packet log shows the
# reads went out with thread 2 selected.
set -u
cd "$(dirname "$0")/../.." || exit 1
. tests/e2e/gdblib.sh
e2e_init lldb_sipi
skip_if_no_kvm
need_tool lldb nm python3
elf=$GUESTS/bench64.elf
require_files "$HYVE" "$GUESTS/bench.elf" "$elf"

addr=$(sym "$elf" gdt64) || fail "no gdt64 in $elf"
want=$(elf_bytes "$elf" "$addr" 16) || fail "cannot read $elf at $addr"
start_debug -c 4 -m 64M --kernel "$GUESTS/bench.elf" -G 0
wait_for_line "$WORK/out" 'BENCH-READY' 30
lldb_run a -o "target create $elf" -o "gdb-remote $GDB_ADDR" \
	-o "process plugin packet monitor packets on" \
	-o "thread select 2" -o "register read rip cs" \
	-o "memory read --size 1 --format x --count 16 $addr" \
	-o "process plugin packet monitor packets off" \
	-o "process detach"
blk() { lldb_block a "$1"; }
blk 5 | grep -qE 'rip = 0x0*fff0' || fail "thread 2 is not the AP at the reset vector: $(blk 5 | tr '\n' ' ')"
echo "ok: thread 2 is an AP waiting at 0xfff0"
got=$(blk 6 | sed -n 's/^0x[0-9a-f]*: //p' | tr -s ' \t' '\n' | grep -E '^0x' | tr '\n' ' ' | sed 's/ $//')
[ "$got" = "$want" ] || fail "memory read through thread 2: '$got', want the ELF's '$want'"
echo "ok: memory read through the AP shows the ELF's bytes at $addr"
expect_line "$WORK/err" 'gdb <- Hg2' "lldb selected thread 2"
tr -d '\r' <"$WORK/err" | awk '/gdb <- Hg/ { h = $NF } /gdb <- [mx][0-9a-f]+,/ && h == "Hg2" { ok = 1 } END { exit !ok }' ||
	fail "no memory packet went out with thread 2 selected (hyve's packet log)"
echo "ok: the reads went out with Hg2 in force"
sleep 0.3
bg_running || fail "hyve ended after lldb detached"
pass
