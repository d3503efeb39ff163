#!/bin/bash
# doc_check.sh -- the manual page keeps up with the program.  Fails when
#  - an option `hyve --help` lists (long --xxx or short -x) is not a tag of the
#    OPTIONS section of doc/hyve.1,
#  - a key of its "configuration keys:" list (the table in src/config.c) is not
#    a tag of the CONFIGURATION KEYS section, or
#  - `groff -man -ww -z` prints anything (warnings) or fails.
# Needs no KVM.  Environment: B (build directory, default build), HYVE (the
# binary, default $B/hyve), MAN (the page, default doc/hyve.1).
# Exit 0 pass, 1 fail (groff missing too: make test installs groff-base).
set -u
cd "$(dirname "$0")/../.." || exit 1
: "${B:=build}"
HYVE=${HYVE:-$B/hyve}
MAN=${MAN:-doc/hyve.1}

fail() {
	echo "FAIL doc_check: $*"
	exit 1
}

[ -x "$HYVE" ] || fail "$HYVE is missing (build it: make)"
[ -f "$MAN" ] || fail "$MAN is missing"
command -v groff >/dev/null ||
	fail "groff is not installed (package groff-base: scripts/install-deps.sh, which make test runs)"

help=$("$HYVE" --help) || fail "'$HYVE --help' failed"

# 1. The page formats without a single warning.
warn=$(groff -man -ww -z "$MAN" 2>&1) || fail "groff -man -ww -z $MAN failed: $warn"
[ -z "$warn" ] || fail "groff -man -ww -z $MAN warns:
$warn"

# The page as plain text, one paragraph per line (wide lines, no hyphenation,
# no bold or underline), so that a name is never split.
text=$(groff -man -Tascii -P-cbou -rLL=1000n -rHY=0 "$MAN" 2>/dev/null) ||
	fail "groff cannot render $MAN"
section() {	# section NAME: the rendered lines of that section
	printf '%s\n' "$text" | awk -v want="$1" '
		/^[A-Z]/ { on = ($0 == want); next }
		on'
}
options=$(section OPTIONS)
keys=$(section "CONFIGURATION KEYS")
[ -n "$options" ] || fail "$MAN has no OPTIONS section"
[ -n "$keys" ] || fail "$MAN has no CONFIGURATION KEYS section"
# Tags (the first line of each .TP item) sit at the 7-column indent.
option_tags=$(printf '%s\n' "$options" | grep -E '^ {7}-')
key_tags=$(printf '%s\n' "$keys" | grep -E '^ {7}[^ ]' | sed -E 's/^ {7}//; s/ .*//')

# 2. Every option of --help, long and short.
usage=$(printf '%s\n' "$help" | sed '/^configuration keys:/,$d')
longs=$(printf '%s\n' "$usage" | grep -oE -- '--[a-z][a-z0-9-]*' | sort -u)
shorts=$(printf '%s\n' "$usage" | grep -oE -- '(^|[][ ,;|])-[A-Za-z]([], ]|$)' |
	grep -oE -- '-[A-Za-z]' | sort -u)
[ -n "$longs" ] || fail "found no long option in '$HYVE --help' (has its format changed?)"
[ -n "$shorts" ] || fail "found no short option in '$HYVE --help' (has its format changed?)"
missing=()
for o in $longs $shorts; do
	printf '%s\n' "$option_tags" | grep -qE -- "(^|[ ,|])$o([ ,|=]|\$)" || missing+=("$o")
done

# 3. Every configuration key of --help.
cfg=$(printf '%s\n' "$help" | awk '
	/^configuration keys:/ { on = 1; next }
	on && /^$/ { exit }
	on && /^  [a-z]/ { print $1 }')
nkeys=$(printf '%s\n' "$cfg" | grep -c .)
[ "$nkeys" -ge 5 ] || fail "found only $nkeys keys in '$HYVE --help' (has its format changed?)"
for k in $cfg; do
	printf '%s\n' "$key_tags" | grep -qxF -- "$k" || missing+=("key $k")
done

[ ${#missing[@]} -eq 0 ] || fail "$MAN does not document: ${missing[*]}"
echo "PASS doc_check ($(printf '%s\n' $longs $shorts | grep -c .) options, $nkeys keys)"
exit 0
