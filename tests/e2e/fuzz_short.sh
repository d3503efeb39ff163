#!/bin/bash
# fuzz_short.sh -- `make test`'s share of fuzzing: build the libFuzzer targets
# (mk/reliability.mk, clang -fsanitize=fuzzer,address,undefined) and run each
# for FUZZ_SHORT_SECONDS (default 25) from the checked-in corpus, whose crash-*
# inputs are the regression tests of bugs found so far.  Fails on any crash,
# leak, sanitizer report or broken invariant; prints executions and coverage.
# Fails when clang cannot build a fuzzer: clang and libclang-rt-14-dev come
# from scripts/install-deps.sh, which make test runs.
set -u
cd "$(dirname "$0")/../.." || exit 1
nofuzz() {
	echo "FAIL fuzz_short: $* (scripts/install-deps.sh installs clang and libclang-rt-14-dev)"
	exit 1
}
command -v clang >/dev/null 2>&1 || nofuzz "clang is not installed"
probe=$(mktemp -d "${TMPDIR:-/tmp}/fuzzprobe.XXXXXX")
trap 'rm -rf "$probe"' EXIT
printf 'int LLVMFuzzerTestOneInput(const char *d, unsigned long n);\nint LLVMFuzzerTestOneInput(const char *d, unsigned long n) { return 0; }\n' >"$probe/p.c"
clang -fsanitize=fuzzer,address,undefined -o "$probe/p" "$probe/p.c" >"$probe/log" 2>&1 ||
	nofuzz "clang -fsanitize=fuzzer does not link: $(tail -n 1 "$probe/log")"

out=$probe/out
make -s fuzz-short FUZZ_SHORT_SECONDS="${FUZZ_SHORT_SECONDS:-25}" >"$out" 2>&1
rc=$?
cat "$out"
[ $rc = 0 ] || { echo "FAIL fuzz_short: make fuzz-short exit status $rc (crash inputs: build/fuzz/crash-*)"; exit 1; }
for n in rsp session ax; do
	grep -aq "^stat::number_of_executed_units" build/fuzz/fuzz_$n.log ||
		{ echo "FAIL fuzz_short: fuzz_$n printed no statistics"; exit 1; }
	echo "fuzz_$n: $(grep -a '^stat::number_of_executed_units' build/fuzz/fuzz_$n.log | awk '{print $2}') executions," \
		"$(grep -aE '^#[0-9]+[[:space:]]+DONE' build/fuzz/fuzz_$n.log | grep -o 'cov: [0-9]*')"
done
echo "PASS fuzz_short"
