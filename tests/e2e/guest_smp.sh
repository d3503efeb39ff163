#!/bin/bash
# guest_smp.sh -- 4 vCPUs: the guest (guests/tests/smp) finds them in the
# MADT, starts the APs with INIT/SIPI/SIPI, and each checks in.  Run as the
# ELF64 build (hyve's page tables) and as the multiboot build (the guest's own).
set -u
cd "$(dirname "$0")/../.." || exit 1
. tests/e2e/lib.sh
e2e_init smp
skip_if_no_kvm
require_files "$HYVE" "$GUESTS/smp.elf" "$GUESTS/smp-mb.elf"

NCPU=4
for img in smp.elf smp-mb.elf; do
	run_hyve -c $NCPU -m 64M --kernel "$GUESTS/$img" --serial stdio \
		--debugcon "file:$WORK/debugcon"
	TEST_NAME="smp ($img)"
	expect_rc 0
	for ((cpu = 0; cpu < NCPU; cpu++)); do
		expect_line "$WORK/out" "^CPU $cpu checked in"
	done
	n=$(tr -d '\r' <"$WORK/out" | grep -cE '^CPU [0-9]+ checked in')
	[ "$n" = $NCPU ] || fail "$n 'checked in' lines, want $NCPU"
	expect_line "$WORK/out" "^SMP OK $NCPU\$"
	expect_line "$WORK/debugcon" '^PASS smp$'
done
TEST_NAME=smp
pass "ELF64 and multiboot"
