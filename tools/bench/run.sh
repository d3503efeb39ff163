#!/usr/bin/env bash
# tools/bench/run.sh -- what `make bench` runs: hyve's debug server against
# QEMU's gdbstub on the benchmark guest, one run, both side by side.
# See doc/benchmark.md.  Environment (all optional):
#   B               build directory (build)
#   QEMU            QEMU binary (qemu-system-x86_64); "none" measures hyve alone
#   QEMU_CPU        QEMU -cpu model (host,-arch-capabilities)
#   BENCH_REPEATS   sessions per stub (7); BENCH_BOOT_REPEATS (5); BENCH_IDLE_REPEATS (120)
#   BENCH_PHASES    selftest,boot,main,smp,idle (all)
#   BENCH_PIN       1: stubs on CPU 1, the client on CPU 0 (taskset); default unpinned
#   BENCH_ARGS      more rspbench options (rspbench --help)
set -eu
cd "$(dirname "$0")/../.."
B=${B:-build}
QEMU=${QEMU:-qemu-system-x86_64}
QEMU_CPU=${QEMU_CPU:-host,-arch-capabilities}
OUT=$B/bench
GUEST=guests/build/bench.elf
SYMS=guests/build/bench64.elf
mkdir -p "$OUT/logs"

for f in "$B/hyve" "$B/bench/rspbench" "$GUEST" "$SYMS"; do
	[ -e "$f" ] || { echo "bench: $f is missing (make bench builds it)" >&2; exit 1; }
done
if [ ! -r /dev/kvm ] || [ ! -w /dev/kvm ]; then
	echo "bench: /dev/kvm is missing or not accessible: nothing to measure" >&2
	exit 1
fi

STUB_PIN= CLIENT_PIN=
if [ "${BENCH_PIN:-0}" = 1 ]; then
	STUB_PIN="taskset -c 1 "
	CLIENT_PIN="taskset -c 0"
fi

# -net none: no iPXE ROM to load (QEMU's fastest direct-kernel boot of this guest)
Q="${STUB_PIN}$QEMU -enable-kvm -cpu $QEMU_CPU -m 64 -nographic -no-reboot -net none -kernel $GUEST"
H="${STUB_PIN}$B/hyve -m 64M --kernel $GUEST"

args=(--elf "$SYMS" --json "$OUT/bench.json" --logdir "$OUT/logs"
      --repeats "${BENCH_REPEATS:-7}" --boot-repeats "${BENCH_BOOT_REPEATS:-5}"
      --idle-repeats "${BENCH_IDLE_REPEATS:-120}"
      --b "$H -G {port}" --b16 "$H -c 16 -G {port}" --b-z0
      --boot-b "$H" --idle-nog "$H" --idle-g "$H -G {port}")
if [ "$QEMU" != none ] && command -v "$QEMU" > /dev/null; then
	args+=(--a "$Q -gdb tcp:127.0.0.1:{port}" --a16 "$Q -smp 16 -gdb tcp:127.0.0.1:{port}"
	       --boot-a "$Q")
	echo "bench: $("$QEMU" --version | head -1)"
else
	echo "bench: $QEMU not found: measuring hyve alone (no ratios)" >&2
fi
[ -z "${BENCH_PHASES:-}" ] || args+=(--phases "$BENCH_PHASES")
echo "bench: $(nproc) CPUs, load $(cut -d' ' -f1-3 /proc/loadavg)${STUB_PIN:+, stubs pinned to CPU 1, client to CPU 0}"
# shellcheck disable=SC2086
$CLIENT_PIN "$B/bench/rspbench" "${args[@]}" ${BENCH_ARGS:-} | tee "$OUT/bench.txt"
exit "${PIPESTATUS[0]}"
