#!/bin/bash
# guest_flat32.sh -- a multiboot v1 ELF32 in flat 32-bit protected mode
# (guests/tests/flat32): boot magic, CR0.PE set / PG clear, the command line
# from the multiboot info.
set -u
cd "$(dirname "$0")/../.." || exit 1
. tests/e2e/lib.sh
e2e_init flat32
skip_if_no_kvm
require_files "$HYVE" "$GUESTS/flat32.elf"

run_hyve -c 1 -m 64M --kernel "$GUESTS/flat32.elf" --append "hello flat32 world" \
	--serial stdio --debugcon "file:$WORK/debugcon"
expect_rc 0
for f in out debugcon; do
	expect_line "$WORK/$f" '^cmdline: (.* )?hello flat32 world$'
	expect_line "$WORK/$f" '^FLAT32 OK$'
	expect_line "$WORK/$f" '^PASS flat32$'
done
pass
