#!/bin/bash
# guest_virtio.sh -- virtio-blk over virtio-mmio (guests/tests/virtio): the
# guest reads the marker this script writes into sector 0 of a disk image,
# writes sector 1, reads it back; the script then checks sector 1 of the file.
# Run as the ELF64 build and as the multiboot build, each on a fresh image.
set -u
cd "$(dirname "$0")/../.." || exit 1
. tests/e2e/lib.sh
e2e_init virtio
skip_if_no_kvm
require_files "$HYVE" "$GUESTS/virtio.elf" "$GUESTS/virtio-mb.elf"

# What the guest writes to sector 1: the text, then byte i = i mod 256.
expected_sector1() {
	local i s='HYVE-WROTE-THIS'
	printf '%s' "$s"
	for ((i = ${#s}; i < 512; i++)); do
		printf "\\x$(printf %02x $((i & 255)))"
	done
}
expected_sector1 >"$WORK/expect1"
[ "$(stat -c %s "$WORK/expect1")" = 512 ] || fail "could not build the expected sector"

for img in virtio.elf virtio-mb.elf; do
	TEST_NAME="virtio ($img)"
	disk=$WORK/disk.img
	rm -f "$disk"
	truncate -s 1M "$disk"
	printf 'HYVE-DISK-SECTOR0' | dd of="$disk" conv=notrunc status=none
	run_hyve -c 1 -m 64M --kernel "$GUESTS/$img" --disk "$disk" --serial stdio \
		--debugcon "file:$WORK/debugcon"
	expect_rc 0
	expect_line "$WORK/out" '^sector 0: HYVE-DISK-SECTOR0$'
	expect_line "$WORK/out" '^VIRTIO OK$'
	expect_line "$WORK/debugcon" '^PASS virtio$'
	dd if="$disk" of="$WORK/got1" bs=512 skip=1 count=1 status=none
	cmp -s "$WORK/got1" "$WORK/expect1" ||
		fail "sector 1 of the image is not what the guest wrote: $(head -c 32 "$WORK/got1" | od -An -c | head -2)"
	[ "$(stat -c %s "$disk")" = 1048576 ] || fail "the image changed size"
done
TEST_NAME=virtio
pass "ELF64 and multiboot"
