#!/bin/bash
# gdb_memory.sh -- `print` and `x` of guest variables by symbol (virtual
# addresses in the higher half, through the guest's page tables) return the
# bytes of the ELF file; `set var` writes guest memory and the guest acts on
# it: dbg64 leaves its spin loop and exits with the value gdb wrote to
# `release`, printing the value gdb wrote to `poke`.
set -u
cd "$(dirname "$0")/../.." || exit 1
. tests/e2e/gdblib.sh
e2e_init gdb_memory
skip_if_no_kvm
need_tool gdb python3 nm
require_files "$HYVE"
build_dbg64

start_debug -m 64M --kernel "$DBG64" -G 0
wait_out '^DBG64 READY' 30
gdb_run mem tests/e2e/gdb/memory.gdb "$DBG64"
expect_val mem magic 0x0123456789abcdef "print of a const global"
expect_val mem release 0 "print of a global the guest polls"
expect_val mem magic_addr "$(sym "$DBG64" magic)" "&magic = nm's address"
for s in magic:8 spin:16; do
	name=${s%:*} n=${s#*:}
	[ "$name" = spin ] && addr=$(sym "$DBG64" spin_loop) || addr=$(sym "$DBG64" magic)
	want=$(elf_bytes "$DBG64" "$addr" "$n") || fail "cannot read $name from the ELF file"
	got=$(gdb_bytes mem "$name")
	[ "$got" = "$want" ] || fail "x/${n}xb at $name ($addr): gdb shows '$got', the ELF file has '$want'"
	echo "ok: x/${n}xb $name = ELF bytes ($want)"
done
expect_out mem '^0x[0-9a-f]+ <magic>:[[:space:]]+0x0123456789abcdef' "x/2gx &magic"
expect_out mem '^(=>)? *0x[0-9a-f]+ <dbg_spin\+[0-9]+>:[[:space:]]+mov +0x[0-9a-f]+\(%rip\),%eax +# 0x[0-9a-f]+ <release>$' "x/i at spin_loop"
expect_val mem poke 0x1234abcd5678 "read back after set var"
expect_val mem release2 0x5a "read back after set var"
wait_bg 20
expect_rc 90
expect_line "$WORK/out" '^DBG64 RELEASED 0x5a poke 0x1234abcd5678$' "the guest saw both writes"
echo "ok: guest exited with 0x5a and printed the values gdb wrote"
pass
