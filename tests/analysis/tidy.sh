#!/bin/bash
# tests/analysis/tidy.sh FILE... -- clang-tidy over FILEs with the checked-in
# .clang-tidy, two files at a time; fails on any finding that is not accepted
# (with its reason) in tests/analysis/tidy-suppressions.txt.
set -u
cd "$(dirname "$0")/../.." || exit 1
TIDY=${TIDY:-clang-tidy}
sup=tests/analysis/tidy-suppressions.txt
out=$(mktemp)
trap 'rm -f "$out"' EXIT
# shellcheck disable=SC2016
printf '%s\n' "$@" | xargs -P 2 -n 4 sh -c '"$0" --quiet "$@" -- -std=gnu11 -Isrc \
	-Itests/fuzz -D_GNU_SOURCE -DHYVE_VERSION=\"analyze\" 2>&1' "$TIDY" >"$out"
grep -q 'error: .*\[clang-diagnostic-error\]' "$out" &&
	{ grep 'clang-diagnostic-error' "$out" | head; echo "clang-tidy could not compile"; exit 1; }
# "path:line:col: warning: text [check,-warnings-as-errors]" -> "check:path"
found=$(sed -nE 's|^'"$PWD"'/||; s|^([^: ]+):[0-9]+:[0-9]+: (warning\|error): .*\[([A-Za-z0-9.-]+)(,-warnings-as-errors)?\]$|\3:\1|p' "$out" | sort)
accepted=$(grep -vE '^(#|$)' "$sup" | sort -u)
bad=0
while IFS= read -r f; do
	[ -n "$f" ] || continue
	if ! grep -qxF "$f" <<<"$accepted"; then
		grep -E "\[${f%%:*}[],]" "$out" | grep -F "${f#*:}:" | sed 's/^/tidy: /'
		bad=1
	fi
done <<<"$(uniq <<<"$found")"
while IFS= read -r a; do
	[ -n "$a" ] && ! grep -qxF "$a" <<<"$found" && echo "tidy: stale suppression (matches nothing): $a"
done <<<"$accepted"
n=$(grep -c . <<<"$found")
echo "clang-tidy: $# files, $n findings, all accepted: $([ $bad = 0 ] && echo yes || echo NO)"
exit $bad
