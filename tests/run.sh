#!/usr/bin/env bash
# tests/run.sh [unit|e2e|PATTERN] -- run the test suite and print one closing line
# "N passed, N failed, N skipped".  B names the build directory (default build).
#   unit tests:  $B/tests/test_*          (pure logic, no KVM)
#   e2e tests:   tests/e2e/*.sh           (real hyve, real KVM, real gdb/lldb)
# tests/run.sh @FILE runs the KVM and e2e tests FILE names, one a line as this
# script prints them (kvm/kvm_vcpu_ctl, e2e/guest_long64; # starts a comment),
# in that order; a name with no test behind it fails.
# An e2e script exits 0 (pass), 77 (skipped: it must say why, loudly), else fail.
set -u
cd "$(dirname "$0")/.."
B=${B:-build}
export B
what=${1:-all}
pass=0 fail=0 skip=0
failed=()

run_one() {	# name, command...
	local name=$1; shift
	local t0=$SECONDS out rc
	out=$("$@" 2>&1); rc=$?
	local dt=$((SECONDS - t0))
	case $rc in
	0)  pass=$((pass + 1)); printf 'ok    %-40s (%ss)\n' "$name" "$dt"
	    printf '%s\n' "$out" | grep '^SKIP: ' | sed 's/^/      /' ;;	# parts not run
	77) skip=$((skip + 1)); printf 'SKIP  %-40s\n' "$name"; printf '%s\n' "$out" | grep -i skip | sed 's/^/      /' ;;
	*)  fail=$((fail + 1)); failed+=("$name"); printf 'FAIL  %-40s (exit %s, %ss)\n' "$name" "$rc" "$dt"
	    printf '%s\n' "$out" | tail -n 40 | sed 's/^/      /' ;;
	esac
}

if [ "$what" = all ] || [ "$what" = unit ]; then
	for t in "$B"/tests/test_*; do
		[ -x "$t" ] || continue
		run_one "unit/$(basename "$t")" "$t"
	done
fi
if [ "$what" != unit ]; then
	if [ ! -r /dev/kvm ] || [ ! -w /dev/kvm ]; then
		echo "!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!"
		echo "!! SKIP: /dev/kvm is missing or not accessible: the end-to-end tests   !!"
		echo "!! (real hypervisor, real guests, real gdb) are NOT RUN on this host.  !!"
		echo "!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!"
	fi
	# what the host's KVM does, once for every test (tests/e2e/lib.sh: need_host)
	if [ -z "${HYVE_PROBE_OUT+x}" ] && [ -x "$B/hyve" ] && [ -r /dev/kvm ]; then
		HYVE_PROBE_OUT=$("$B/hyve" --probe 2>/dev/null)
		export HYVE_PROBE_OUT
		printf '%s\n' "$HYVE_PROBE_OUT" | grep -E '^(sw-|hw-|data-)?breakpoints|^step-over-pause|^kvm-emulates' |
			tr '\n' ' ' | sed 's/^/host: /; s/ $/\n/'
	fi
	if [ "${what#@}" != "$what" ]; then	# @FILE: the tests it names
		list=${what#@} what=none
		[ -r "$list" ] || { echo "tests/run.sh: cannot read the test list $list" >&2; exit 2; }
		mapfile -t names < <(sed 's/#.*//; s/[[:space:]]*$//; /^[[:space:]]*$/d; s/^[[:space:]]*//' "$list")
		for name in "${names[@]}"; do
			case $name in
			kvm/*) t=$B/tests/${name#kvm/}; [ -x "$t" ] && { run_one "$name" "$t"; continue; } ;;
			e2e/*) t=tests/e2e/${name#e2e/}.sh; [ -f "$t" ] && { run_one "$name" bash "$t"; continue; } ;;
			esac
			run_one "$name" sh -c 'echo "no such test: $1"; exit 1' sh "$name (in $list)"
		done
	fi
	for t in "$B"/tests/kvm_*; do
		[ -x "$t" ] || continue
		case $what in none) continue ;; all|e2e|*kvm*) ;; *) continue ;; esac
		run_one "kvm/$(basename "$t")" "$t"
	done
	for t in tests/e2e/*.sh; do
		[ -f "$t" ] || continue
		case $(basename "$t") in lib*.sh|*lib.sh) continue ;; esac
		[ "$what" = none ] && continue
		if [ "$what" != all ] && [ "$what" != e2e ]; then
			case $t in *$what*) ;; *) continue ;; esac
		fi
		run_one "e2e/$(basename "$t" .sh)" bash "$t"
	done
fi
echo
[ ${#failed[@]} -gt 0 ] && echo "failed: ${failed[*]}"
echo "$pass passed, $fail failed, $skip skipped"
[ "$fail" -eq 0 ]
