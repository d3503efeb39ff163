#!/bin/bash
# gdb_linux.sh -- the Debian kernel (build/linux/vmlinux, made by
# scripts/build-linux-guest.sh) under -G w stops at its PVH entry: RIP =
# XEN_ELFNOTE_PHYS32_ENTRY of the ELF notes (readelf -n), 32-bit protected
# mode with paging off, EBX pointing at a start info with the PVH magic,
# the bytes there those of the file at that physical address.  An `hbreak`
# on e_entry (startup_64) stops it in long mode with paging on, where the
# kernel's code reads the same at its physical and its higher-half address
# and equals the file.  After detach the kernel runs on (a second session
# finds it elsewhere, still in long mode; with LINUX_BANNER=1 the script also
# waits for its "Linux version" banner, ~20 s here).  Skipped (loudly) when
# the kernel has not been built; the hbreak part where the host fires no
# hardware breakpoint (hyve --probe).
set -u
cd "$(dirname "$0")/../.." || exit 1
. tests/e2e/gdblib.sh
E2E_TIMEOUT=300	# LINUX_BANNER=1: ~20 s (more on a busy host) of boot to the banner
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
hw=0
part_needs hbreak "the hbreak at startup_64 and the checks there" && hw=1
gdb_run lx tests/e2e/gdb/linux.gdb - -ex "set \$startup_64 = $entry" -ex "set \$text_virt = $text_virt" \
	-ex "set \$hw = $hw"
expect_val lx rip "$pvh" "held at XEN_ELFNOTE_PHYS32_ENTRY"
cr0=$(val lx cr0)
(( (cr0 & 1) == 1 && (cr0 & 0x80000000) == 0 )) || fail "PVH entry: CR0=$cr0, want PE set, PG clear"
echo "ok: lx: PVH entry in protected mode without paging (CR0=$cr0)"
expect_val lx start_info_magic 0x336ec578 "EBX -> hvm_start_info magic"
want=$(elf_bytes "$vmlinux" "$pvh" 16 phys) || fail "cannot read the PVH entry from $vmlinux"
[ "$(gdb_bytes lx pvh)" = "$want" ] || fail "lx: bytes at the PVH entry '$(gdb_bytes lx pvh)', file '$want'"
echo "ok: lx: code at the PVH entry = the file's bytes"
if [ $hw = 1 ]; then
	expect_val lx rip64 "$entry" "hbreak at startup_64"
	cr0=$(val lx cr0_64) efer=$(val lx efer64)
	(( (cr0 & 0x80000000) && (efer & 0x400) )) || fail "at startup_64: CR0=$cr0 EFER=$efer, want PG and LMA"
	echo "ok: lx: long mode at startup_64 (CR0=$cr0 EFER=$efer)"
	want=$(elf_bytes "$vmlinux" "$entry" 16 phys) || fail "cannot read startup_64 from $vmlinux"
	[ "$(gdb_bytes lx s64)" = "$want" ] || fail "lx: startup_64 via identity '$(gdb_bytes lx s64)', file '$want'"
	[ "$(gdb_bytes lx s64v)" = "$want" ] || fail "lx: startup_64 at $text_virt '$(gdb_bytes lx s64v)', file '$want'"
	echo "ok: lx: startup_64 reads as the file's bytes at both addresses"
fi
# after detach the kernel runs on: a second session finds it elsewhere
sleep 2
bg_running || fail "hyve ended after gdb detached"
if [ "${LINUX_BANNER:-0}" = 1 ]; then
	# slow (~20 s of emulated boot here): only when asked
	wait_out 'Linux version ' 240
	echo "ok: the kernel booted on to: $(grep -am1 'Linux version' "$WORK/out" | cut -c1-60)"
fi
gdb_run again tests/e2e/gdb/linux_again.gdb
rip=$(val again rip)
[ -n "$rip" ] || fail "the second session read no RIP"
! same "$rip" "$entry" && ! same "$rip" "$pvh" || fail "the kernel did not move after detach (RIP $rip)"
efer=$(val again efer)
(( efer & 0x400 )) || fail "second session: EFER=$efer, not in long mode"
echo "ok: the kernel ran on after detach (RIP $rip, long mode)"
wait_bg 10
[ "$RC" != 124 ] || fail "hyve still running 10 s after gdb's kill"
pass
