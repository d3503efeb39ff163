#!/bin/bash
# guest_long64.sh -- an ELF64 higher-half kernel entered in long mode
# (guests/tests/long64): PVH start info in RSI, EFER.LMA, CR0.PG, RIP in the
# higher half, the command line from the start info.
set -u
cd "$(dirname "$0")/../.." || exit 1
. tests/e2e/lib.sh
e2e_init long64
skip_if_no_kvm
require_files "$HYVE" "$GUESTS/long64.elf"

run_hyve -c 1 -m 64M --kernel "$GUESTS/long64.elf" --append "hello long64 world" \
	--serial stdio --debugcon "file:$WORK/debugcon"
expect_rc 0
for f in out debugcon; do
	expect_line "$WORK/$f" '^cmdline: hello long64 world$'
	expect_line "$WORK/$f" '^LONG64 OK$'
	expect_line "$WORK/$f" '^PASS long64$'
done
pass
