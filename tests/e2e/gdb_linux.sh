#!/bin/bash
# gdb_linux.sh -- the Debian kernel (build/linux/vmlinux, made by
# scripts/build-linux-guest.sh) under -G w stops at its PVH entry: RIP =
# XEN_ELFNOTE_PHYS32_ENTRY of the ELF notes (readelf -n), 32-bit protected
# mode with paging off, EBX pointing at a start info with the PVH magic,
# the bytes there those of the file at that physical address.  An `hbreak`
# on e_entry (startup_64) stops it in long mode with paging on, where the
# kernel's code reads the same at its physical and its higher-half address
# and equals the file.  After detach the kernel boots on to its banner.
# Skipped (loudly) when the kernel has not been built.
set -u
cd "$(dirname "$0")/../.." || exit 1
. tests/e2e/gdblib.sh
E2E_TIMEOUT=120	# the kernel needs ~20 s of emulated boot to its banner
e2e_init gdb_linux
skip_if_no_kvm
need_tool gdb readelf python3
vmlinux=${LINUX_GUEST:-$B/linux}/vmlinux
[ -f "$vmlinux" ] || skip "$vmlinux is missing (build it: scripts/build-linux-guest.sh)"
require_files "$HYVE"

# XEN_ELFNOTE_PHYS32_ENTRY (note type 18): readelf prints its bytes (little-endian)
pvh=$(readelf -nW "$vmlinux" | grep -A1 -E '\(0x00000012\)|PHYS32_ENTRY' |
	sed -n 's/.*description data: //p' | head -n 1 |
	python3 -c 'import sys; b = bytes.fromhex(sys.stdin.read().replace(" ", "")); print(hex(int.from_bytes(b[:4], "little")))') ||
	fail "cannot read XEN_ELFNOTE_PHYS32_ENTRY from $vmlinux"
[ -n "$pvh" ] && [ "$pvh" != 0x0 ] || fail "no XEN_ELFNOTE_PHYS32_ENTRY note in $vmlinux"
entry=$(elf_entry "$vmlinux")
# the higher-half address of e_entry: the first PT_LOAD maps it
text_virt=$(readelf -lW "$vmlinux" | while read -r typ _ va pa _; do
	[ "$typ" = LOAD ] && [ $((pa)) = $((entry)) ] && { echo "$va"; break; }; done)
[ -n "$text_virt" ] || fail "no PT_LOAD whose physical address is e_entry $entry"
echo "PVH entry $pvh (ELF note), e_entry $entry = virtual $text_virt"

start_debug -m 256M --kernel "$vmlinux" --append "console=ttyS0 earlyprintk=serial nokaslr" -G w0
gdb_run lx tests/e2e/gdb/linux.gdb - -ex "set \$startup_64 = $entry" -ex "set \$text_virt = $text_virt"
expect_val lx rip "$pvh" "held at XEN_ELFNOTE_PHYS32_ENTRY"
cr0=$(val lx cr0)
(( (cr0 & 1) == 1 && (cr0 & 0x80000000) == 0 )) || fail "PVH entry: CR0=$cr0, want PE set, PG clear"
echo "ok: lx: PVH entry in protected mode without paging (CR0=$cr0)"
expect_val lx start_info_magic 0x336ec578 "EBX -> hvm_start_info magic"
want=$(elf_bytes "$vmlinux" "$pvh" 16 phys) || fail "cannot read the PVH entry from $vmlinux"
[ "$(gdb_bytes lx pvh)" = "$want" ] || fail "lx: bytes at the PVH entry '$(gdb_bytes lx pvh)', file '$want'"
echo "ok: lx: code at the PVH entry = the file's bytes"
expect_val lx rip64 "$entry" "hbreak at startup_64"
cr0=$(val lx cr0_64) efer=$(val lx efer64)
(( (cr0 & 0x80000000) && (efer & 0x400) )) || fail "at startup_64: CR0=$cr0 EFER=$efer, want PG and LMA"
echo "ok: lx: long mode at startup_64 (CR0=$cr0 EFER=$efer)"
want=$(elf_bytes "$vmlinux" "$entry" 16 phys) || fail "cannot read startup_64 from $vmlinux"
[ "$(gdb_bytes lx s64)" = "$want" ] || fail "lx: startup_64 via identity '$(gdb_bytes lx s64)', file '$want'"
[ "$(gdb_bytes lx s64v)" = "$want" ] || fail "lx: startup_64 at $text_virt '$(gdb_bytes lx s64v)', file '$want'"
echo "ok: lx: startup_64 reads as the file's bytes at both addresses"
wait_out 'Linux version ' 90
echo "ok: the kernel booted on after detach: $(grep -am1 'Linux version' "$WORK/out" | cut -c1-60)"
pass
