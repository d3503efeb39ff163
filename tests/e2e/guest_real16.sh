#!/bin/bash
# guest_real16.sh -- a raw 16-bit real-mode image at 0x7c00 (guests/tests/real16):
# CR0.PE clear, the counter loop, "REAL16 OK" on COM1 and the debug console,
# exit status 0 through the debug-exit port.
set -u
cd "$(dirname "$0")/../.." || exit 1
. tests/e2e/lib.sh
e2e_init real16
skip_if_no_kvm
require_files "$HYVE" "$GUESTS/real16.bin"

run_hyve -c 1 -m 64M --kernel "$GUESTS/real16.bin" -o boot.format=raw \
	-o raw.addr=0x7c00 -o raw.entry=0x7c00 -o raw.mode=real16 \
	--serial stdio --debugcon "file:$WORK/debugcon"
expect_rc 0
for f in out debugcon; do
	expect_line "$WORK/$f" '^REAL16 OK$'
	expect_line "$WORK/$f" '^PASS real16$'
done
pass
