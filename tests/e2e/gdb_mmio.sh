#!/bin/bash
# gdb_mmio.sh -- reads of MMIO go through the device model: with --disk,
# `x/wx 0xd0000000` shows the virtio-mmio magic 0x74726976 ("virt"), the
# version is 2 (virtio 1.x), the device id 2 (block), the status 0 (no
# driver yet) and the capacity the image's size / 512.  Once with paging
# off (flat32, at its multiboot entry) and once through the page tables of a
# long-mode guest (the virtio test guest, identity-mapped MMIO); the virtio
# guest then runs its own device test: the debugger's reads disturbed nothing.
set -u
cd "$(dirname "$0")/../.." || exit 1
. tests/e2e/gdblib.sh
e2e_init gdb_mmio
skip_if_no_kvm
need_tool gdb truncate
require_files "$HYVE" "$GUESTS/flat32.elf" "$GUESTS/virtio.elf"

check_regs() {	# NAME SECTORS
	expect_out "$1" '^0xd0000000:[[:space:]]+0x74726976$' "x/wx 0xd0000000"
	expect_val "$1" magic 0x74726976
	expect_val "$1" version 2
	expect_val "$1" device_id 2 "virtio block"
	expect_val "$1" status 0 "no driver has touched it yet"
	expect_val "$1" capacity "$2" "image size / 512"
}

disk=$WORK/disk5.img
truncate -s 5M "$disk"
start_debug -m 64M --kernel "$GUESTS/flat32.elf" --disk "$disk" -G w0
gdb_run flat tests/e2e/gdb/mmio.gdb
check_regs flat 10240
wait_bg 20
expect_rc 0
expect_line "$WORK/out" '^FLAT32 OK' "flat32 after detach"

disk=$WORK/disk1.img
truncate -s 1M "$disk"
printf 'HYVE-DISK-SECTOR0' | dd of="$disk" conv=notrunc status=none
start_debug -m 64M --kernel "$GUESTS/virtio.elf" --disk "$disk" -G w0
gdb_run long tests/e2e/gdb/mmio.gdb
check_regs long 2048
wait_bg 30
expect_rc 0
expect_line "$WORK/out" '^VIRTIO OK$' "the guest's own virtio test after detach"
pass
