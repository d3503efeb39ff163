#!/bin/bash
# tests/fuzz/run.sh NAME SECONDS WORKDIR [LIBFUZZER-FLAG...] -- run one fuzz
# target (build/fuzz/fuzz_NAME, see mk/reliability.mk) for SECONDS, new inputs
# into WORKDIR, seeded from tests/fuzz/corpus/NAME (its crash-* inputs run
# first, as regression tests).  The whole log goes to build/fuzz/fuzz_NAME.log;
# printed: the start and end lines (cov:, exec/s), final statistics, and any
# crash report.  The dictionary is tests/fuzz/NAME.dict, or rsp.dict.
# Exit status: libFuzzer's (0 = nothing found).
set -u
cd "$(dirname "$0")/../.." || exit 1
name=$1 secs=$2 work=$3
shift 3
B=build/fuzz
mkdir -p "$work"
echo "== fuzz_$name: $secs s"
dict=tests/fuzz/$name.dict
[ -f "$dict" ] || dict=tests/fuzz/rsp.dict
"$B/fuzz_$name" -dict="$dict" -max_len=16384 -timeout=10 -rss_limit_mb=2048 \
	-print_final_stats=1 -max_total_time="$secs" -artifact_prefix="$B/crash-$name-" \
	"$@" "$work" "tests/fuzz/corpus/$name" >"$B/fuzz_$name.log" 2>&1
rc=$?
grep -aE '^#[0-9]+[[:space:]]+(INITED|DONE)|^Done|^stat::(number_of_executed_units|peak_rss)' "$B/fuzz_$name.log"
if [ $rc != 0 ]; then
	grep -aE '^==[0-9]+==|ERROR|SUMMARY|^mem_target|^fuzz_|#[0-9]+ 0x|Test unit written' \
		"$B/fuzz_$name.log" | head -n 40
	echo "fuzz_$name: FAILED (exit $rc); the input is $B/crash-$name-*"
fi
exit $rc
