#!/bin/bash
# guest_timer.sh -- LAPIC timer interrupts in long mode (guests/tests/timer):
# at least 5 periodic interrupts, each acknowledged with an EOI.  Run as the
# ELF64 build and as the multiboot build.
set -u
cd "$(dirname "$0")/../.." || exit 1
. tests/e2e/lib.sh
e2e_init timer
skip_if_no_kvm
require_files "$HYVE" "$GUESTS/timer.elf" "$GUESTS/timer-mb.elf"

for img in timer.elf timer-mb.elf; do
	run_hyve -c 1 -m 64M --kernel "$GUESTS/$img" --serial stdio \
		--debugcon "file:$WORK/debugcon"
	TEST_NAME="timer ($img)"
	expect_rc 0
	expect_line "$WORK/out" '^TIMER OK [0-9]+$'
	n=$(tr -d '\r' <"$WORK/out" | sed -n 's/^TIMER OK \([0-9]*\)$/\1/p')
	[ "$n" -ge 5 ] || fail "only $n timer interrupts counted"
	expect_line "$WORK/debugcon" '^PASS timer$'
done
TEST_NAME=timer
pass "ELF64 and multiboot"
