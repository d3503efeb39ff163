#!/bin/bash
# deps_check.sh -- a fresh machine: `make test` installs what the tests need
# before anything else (scripts/install-deps.sh, as `make run` does), and
# that script's list holds the package of every tool the tests call
# (need_tool) and of every file they read from a package (SeaBIOS), so no
# test has to skip for a missing package.  No KVM needed.
set -u
cd "$(dirname "$0")/../.." || exit 1
fail() { echo "FAIL deps_check: $*"; exit 1; }

first=$(make --no-print-directory -n test 2>/dev/null | head -n 1)
[ "$first" = "scripts/install-deps.sh" ] ||
	fail "make test does not run scripts/install-deps.sh first (its first command: '$first')"
echo "ok: make test starts with scripts/install-deps.sh"
first=$(make --no-print-directory -n run 2>/dev/null | head -n 1)
[ "$first" = "scripts/install-deps.sh" ] || fail "make run does not start with scripts/install-deps.sh"

pkgs=" $(sed -n '/^PKGS="/,/"$/p' scripts/install-deps.sh | tr -d '"' | sed 's/^PKGS=//' | tr '\n\t' '  ') "
# the package each tool comes from on Debian 12 (essential ones need nothing)
declare -A from=([gdb]=gdb [lldb]=lldb [objdump]=binutils [nm]=binutils [readelf]=binutils
	[python3]=python3 [groff]=groff-base [clang]=clang [qemu-system-x86_64]=qemu-system-x86
	[stat]=- [truncate]=- [pgrep]=- [xz]=xz-utils [dpkg-deb]=- [tar]=- [sha256sum]=- [flock]=-)
tools=$(grep -ho 'need_tool [a-z0-9_ -]*' tests/e2e/*.sh | sed 's/need_tool //' | tr ' ' '\n' |
	grep -v '^$' | sort -u)
for t in $tools groff clang qemu-system-x86_64; do
	p=${from[$t]-}
	[ -n "$p" ] || fail "tests need '$t': say here which package brings it, and put that in install-deps.sh"
	[ "$p" = - ] && continue
	case $pkgs in *" $p "*) ;; *) fail "tests need $t (package $p), which install-deps.sh does not install" ;; esac
	echo "ok: $t comes from $p, which install-deps.sh installs"
done
for f in $(grep -ho '/usr/share/seabios/[a-z.-]*' tests/e2e/*.sh | sort -u); do
	case $pkgs in *" seabios "*) echo "ok: $f comes from seabios" ;; *) fail "$f: seabios is not installed by install-deps.sh" ;; esac
done
# and no test skips for a missing tool any more
if grep -nE 'skip .*(not installed|is missing \(apt-get)' $(ls tests/e2e/*.sh | grep -v deps_check); then
	fail "tests above still skip for a package install-deps.sh installs"
fi
echo "PASS deps_check"
