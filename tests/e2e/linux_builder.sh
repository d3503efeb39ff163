#!/bin/bash
# linux_builder.sh -- scripts/build-linux-kernel.sh says why and exits non-zero when
# it cannot build, and is "up to date" at once when it can.  Needs no KVM; each
# failure is made in a cache of its own under the scratch directory, with apt and the
# source package replaced through PATH and a stand-in .deb (never the real 140 MB one):
#   - apt knows no linux-source-6.1 (apt-cache answers "Candidate: (none)"):
#     "apt knows no version of linux-source-6.1", with NO_APT_UPDATE=1 and, as root,
#     after an `apt-get update` that fails;
#   - the download fails: "apt-get download linux-source-6.1=... failed";
#   - the build fails: a source package whose `make tinyconfig` prints a compiler error:
#     the error is shown, with "make tinyconfig failed (full log: ...)", the log kept;
#   - an option of the fragment is not in the final .config: named, with what it got;
#   - a cache inside the clone, and an OUTDIR that is a real directory, are refused;
# and, where the real kernel has been built (make linux-kernel), a second run says
# "up to date" within 10 s and points OUTDIR at the cache (else that part is skipped,
# loudly, and the rest still checked).
set -u
cd "$(dirname "$0")/../.." || exit 1
. tests/e2e/gdblib.sh
e2e_init linux_builder
need_tool dpkg-deb xz tar sha256sum flock
S=scripts/build-linux-kernel.sh
[ -x "$S" ] || fail "$S is missing or not executable"

# run_builder NAME ENV...: the builder with that environment (and the fake PATH
# when FAKE=1), its output in $WORK/NAME.out, $BRC its status
run_builder() {
	local name=$1
	shift
	env "$@" timeout 300 "$S" "$WORK/$name.outdir" >"$WORK/$name.out" 2>&1 </dev/null
	BRC=$?
	GDB_LOGS="$GDB_LOGS $name.out"
}
# expect_err NAME REGEX: exit status 1 and an "ERROR:" line matching REGEX
expect_err() {
	[ "$BRC" = 1 ] || fail "$1: exit status $BRC, want 1"
	grep -qE "^build-linux-kernel: ERROR: .*$2" "$WORK/$1.out" ||
		fail "$1: no 'ERROR: ...$2' line"
	echo "ok: $1: exit 1, $(grep -m1 'ERROR:' "$WORK/$1.out" | cut -c1-150)"
}

# fake apt: apt-cache policy gives $FAKE_VER as the candidate (none when empty);
# apt-get fails whatever it is asked
mkdir -p "$WORK/bin"
cat >"$WORK/bin/apt-cache" <<'EOF'
#!/bin/sh
[ "$1" = policy ] || exit 100
echo "$2:"
echo "  Installed: (none)"
echo "  Candidate: ${FAKE_VER:-(none)}"
EOF
cat >"$WORK/bin/apt-get" <<'EOF'
#!/bin/sh
echo "E: (test) apt-get $* refused" >&2
exit 100
EOF
chmod +x "$WORK/bin/apt-cache" "$WORK/bin/apt-get"
FP="PATH=$WORK/bin:$PATH"

run_builder nopkg "$FP" HYVE_CACHE="$WORK/c1" NO_APT_UPDATE=1
expect_err nopkg 'apt knows no version of linux-source-6\.1'
if [ "$(id -u)" = 0 ]; then
	run_builder nopkg_update "$FP" HYVE_CACHE="$WORK/c1"
	expect_err nopkg_update 'apt-get update failed'
	grep -q 'package lists do not know linux-source-6.1: apt-get update' "$WORK/nopkg_update.out" ||
		fail "nopkg_update: the builder did not say it runs apt-get update"
fi

# the build tools must be there for the script to reach the download and the build
tools_ok=1
for t in gcc make flex bison bc xz readelf; do command -v "$t" >/dev/null || tools_ok=0; done
[ -e /usr/include/gelf.h ] || tools_ok=0
if [ "$tools_ok" = 1 ]; then
	run_builder nodl "$FP" HYVE_CACHE="$WORK/c2" FAKE_VER=9.9-test
	expect_err nodl 'apt-get download linux-source-6\.1=9\.9-test failed'

	# a stand-in source package: /usr/src/linux-source-6.1.tar.xz with a Makefile
	# whose tinyconfig prints a compiler error when asked to, else writes a .config
	# without any option of the fragment
	P=$WORK/pkg
	mkdir -p "$P/DEBIAN" "$P/usr/src" "$WORK/src/linux-source-6.1/scripts/kconfig"
	printf 'Package: linux-source-6.1\nVersion: 9.9-test\nArchitecture: all\nMaintainer: hyve tests <t@example.invalid>\nDescription: stand-in\n' >"$P/DEBIAN/control"
	printf 'tinyconfig:\n\t@if [ -n "$$HYVE_FAKE_FAIL" ]; then echo "kernel/fake.c:1:2: error: simulated failure"; exit 1; fi; echo "CONFIG_64BIT=y" >$(O)/.config\nolddefconfig:\n\t@true\n' \
		>"$WORK/src/linux-source-6.1/Makefile"
	printf '#!/bin/sh\nexit 0\n' >"$WORK/src/linux-source-6.1/scripts/kconfig/merge_config.sh"
	chmod +x "$WORK/src/linux-source-6.1/scripts/kconfig/merge_config.sh"
	tar -cJf "$P/usr/src/linux-source-6.1.tar.xz" -C "$WORK/src" linux-source-6.1
	for c in c3 c4; do
		mkdir -p "$WORK/$c/debs"
		dpkg-deb --build --root-owner-group "$P" "$WORK/$c/debs/linux-source-6.1_9.9-test_all.deb" >/dev/null ||
			fail "cannot build the stand-in .deb"
	done

	run_builder badbuild "$FP" HYVE_CACHE="$WORK/c3" FAKE_VER=9.9-test HYVE_FAKE_FAIL=1
	expect_err badbuild 'make tinyconfig failed \(full log: .*\.log\)'
	grep -q 'kernel/fake.c:1:2: error: simulated failure' "$WORK/badbuild.out" ||
		fail "badbuild: the compiler's error is not shown"
	log=$(sed -n 's/.*(full log: \(.*\))$/\1/p' "$WORK/badbuild.out")
	[ -s "$log" ] && grep -q 'simulated failure' "$log" || fail "badbuild: the log $log is not kept"
	[ ! -e "$WORK/badbuild.outdir" ] || fail "badbuild: OUTDIR exists after a failed build"
	echo "ok: badbuild: the compiler error shown, the log kept, no OUTDIR"

	run_builder dropped "$FP" HYVE_CACHE="$WORK/c4" FAKE_VER=9.9-test
	expect_err dropped 'options of tiny\.config not in the final \.config.* CONFIG_SMP=y\(got n\)'
else
	echo "**************************************************************"
	echo "NOTE: build tools missing (scripts/install-deps.sh): download and build failures NOT CHECKED"
	echo "**************************************************************"
fi

run_builder inclone HYVE_CACHE="$PWD/build/linux-builder-cache-test" NO_APT_UPDATE=1
rmdir "$PWD/build/linux-builder-cache-test" 2>/dev/null
expect_err inclone 'is inside the clone'

# the real kernel, if it is built: up to date at once
dest=$("$S" --cached 2>"$WORK/cached.err") || dest=
if [ -z "$dest" ]; then
	echo "**************************************************************"
	echo "NOTE: the tiny kernel is not built here (make linux-kernel): the up-to-date path NOT CHECKED"
	echo "($(cat "$WORK/cached.err"))"
	echo "**************************************************************"
	pass "failures reported (up-to-date path not checked)"
fi
t0=$SECONDS
"$S" "$WORK/realout" >"$WORK/real.out" 2>&1 </dev/null || fail "real: exit status $?"
GDB_LOGS="$GDB_LOGS real.out"
(( SECONDS - t0 <= 10 )) || fail "real: an up-to-date run took $((SECONDS - t0)) s"
grep -q "up to date: $dest" "$WORK/real.out" || fail "real: no 'up to date: $dest'"
[ "$(readlink "$WORK/realout")" = "$dest" ] || fail "real: OUTDIR points to '$(readlink "$WORK/realout")', not $dest"
mkdir -p "$WORK/realdir"
"$S" "$WORK/realdir" >"$WORK/realdir.out" 2>&1 </dev/null
BRC=$?
GDB_LOGS="$GDB_LOGS realdir.out"
expect_err realdir 'exists and is not a symlink'
pass "failures reported, up to date in $((SECONDS - t0)) s or less"
