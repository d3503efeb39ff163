#!/bin/bash
# guest_bench.sh -- the benchmark guest (guests/bench) boots, prints
# BENCH-INFO and BENCH-READY, and keeps running bench_hot (it never exits by
# itself: the script stops it).
set -u
cd "$(dirname "$0")/../.." || exit 1
. tests/e2e/lib.sh
e2e_init bench
skip_if_no_kvm
require_files "$HYVE" "$GUESTS/bench.elf"

start_hyve_bg -c 1 -m 64M --kernel "$GUESTS/bench.elf" --serial stdio \
	--debugcon "file:$WORK/debugcon"
wait_for_line "$WORK/out" '^BENCH-READY$' "$E2E_TIMEOUT"
expect_line "$WORK/out" 'BENCH-INFO magic=0x2badb002 _text=0xffffffff8[0-9a-f]+ .*bench_hot=0xffffffff8'
sleep 1
bg_running || fail "the guest stopped after BENCH-READY (it should loop forever)"
if has_line "$WORK/out" '^FAIL'; then fail "the guest reported a failure"; fi
stop_bg
pass
