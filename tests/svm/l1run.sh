#!/usr/bin/env bash
# l1run.sh [-t SECONDS] [-m MEM] [-c CPUS] [-e VAR]... -- COMMAND...
# Run COMMAND (through bash, in the current directory) inside an emulated AMD-V host:
# QEMU with TCG (no KVM needed on this machine) and -cpu EPYC,+svm,+npt boots
# Debian's kernel (scripts/build-l1.sh), whose kvm-amd gives a real SVM /dev/kvm; the
# host's root filesystem is seen read-only with a tmpfs over it, so the checkout,
# its build outputs, gdb and lldb are all there, at the same paths.  Writes inside
# L1 vanish with it.  COMMAND's output is printed when it ends; its exit status is
# l1run's.  Exit 125: L1 itself failed (no QEMU, no kernel, no /dev/kvm inside, a
# time-out: the reason is printed).
#   -t SECONDS  the whole run's time limit (default 3600)
#   -m MEM      L1's memory (default 4G);  -c CPUS  its CPUs (default 2)
#   -e VAR      pass this environment variable's value into L1 (repeatable)
#   L1_LOG=FILE keep L1's own console there
#   L1_KEEP=DIR copy what COMMAND left in /out/keep (inside L1) to DIR on the way out
set -uo pipefail
TOP=$(cd "$(dirname "$0")/../.." && pwd)
to=3600 mem=4G cpus=2 vars=()
while [ $# -gt 0 ]; do
	case $1 in
	-t) to=$2; shift 2 ;;
	-m) mem=$2; shift 2 ;;
	-c) cpus=$2; shift 2 ;;
	-e) vars+=("$2"); shift 2 ;;
	--) shift; break ;;
	*) break ;;
	esac
done
[ $# -gt 0 ] || { echo "usage: $0 [-t S] [-m MEM] [-c CPUS] [-e VAR]... -- COMMAND..." >&2; exit 2; }
command -v qemu-system-x86_64 >/dev/null || { echo "l1run: qemu-system-x86_64 is missing (package qemu-system-x86; scripts/install-deps.sh)" >&2; exit 125; }
L1=$("$TOP/scripts/build-l1.sh") || { echo "l1run: cannot build the L1 image" >&2; exit 125; }
out=$(mktemp -d "${TMPDIR:-/tmp}/hyve-l1.XXXXXX")
trap '[ -n "${L1_KEEP:-}" ] && [ -d "$out/keep" ] && mkdir -p "$L1_KEEP" && cp -a "$out/keep/." "$L1_KEEP/"; rm -rf "$out"' EXIT
{
	for v in "${vars[@]}"; do
		[ -n "${!v+x}" ] && printf 'export %s=%q\n' "$v" "${!v}"
	done
	printf '%q ' "$@"
	echo
} >"$out/cmd"
pwd >"$out/cwd"
log=${L1_LOG:-$out/console}
timeout -k 10 "$to" qemu-system-x86_64 -accel tcg,thread=multi -cpu EPYC,+svm,+npt \
	-smp "$cpus" -m "$mem" -display none -monitor none -serial "file:$log" -no-reboot \
	-kernel "$L1/vmlinuz" -initrd "$L1/l1.cpio.gz" -append "console=ttyS0 panic=-1 quiet" \
	-virtfs local,path=/,mount_tag=host,security_model=none,readonly=on,multidevs=remap \
	-virtfs "local,path=$out,mount_tag=out,security_model=none" </dev/null >"$out/qemu" 2>&1
qrc=$?
[ -f "$out/log" ] && cat "$out/log"
if [ ! -s "$out/rc" ]; then
	echo "l1run: L1 ended without running the command to its end (QEMU status $qrc$([ $qrc = 124 ] && echo ", time-out after $to s"))" >&2
	grep -v 'TCG doesn.t support' "$out/qemu" | tail -n 5 >&2
	tail -n 20 "$log" >&2
	exit 125
fi
if grep -q '^L1: no /dev/kvm' "$log"; then
	echo "l1run: kvm-amd did not give L1 a /dev/kvm:" >&2
	tail -n 20 "$log" >&2
	exit 125
fi
exit "$(cat "$out/rc")"
