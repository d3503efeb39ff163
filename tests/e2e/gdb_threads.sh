#!/bin/bash
# gdb_threads.sh -- `info threads` lists every vCPU as a thread named
# "vCPU n" (n = 0..N-1), with -c 2 and -c 4; the boot vCPU is thread 1 at
# the ELF entry.
set -u
cd "$(dirname "$0")/../.." || exit 1
. tests/e2e/gdblib.sh
e2e_init gdb_threads
skip_if_no_kvm
need_tool gdb readelf
elf=$GUESTS/long64.elf
require_files "$HYVE" "$elf"

for n in 2 4; do
	start_debug -c "$n" -m 64M --kernel "$elf" -G w0
	gdb_run c$n tests/e2e/gdb/threads.gdb
	expect_val c$n threads "$n" "one thread per vCPU"
	for ((i = 0; i < n; i++)); do
		expect_out c$n "^\*? +$((i + 1)) +Thread $((i + 1)) \"vCPU $i\"" "thread $((i + 1)) is \"vCPU $i\""
	done
	count=$(tr -d '\r' <"$WORK/c$n.out" | grep -cE '^\*? +[0-9]+ +Thread [0-9]+ "vCPU [0-9]+"')
	[ "$count" = "$n" ] || fail "info threads lists $count vCPU threads with -c $n"
	expect_val c$n t1rip "$(elf_entry "$elf")" "thread 1 (vCPU 0) at the entry"
	wait_bg 20
	expect_rc 0
done
pass
