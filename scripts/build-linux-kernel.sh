#!/usr/bin/env bash
# build-linux-kernel.sh [--cached] [OUTDIR] -- build hyve's own small Linux kernel for debugging
# tests: `make tinyconfig` of Debian 12's linux-source-6.1, plus the options of
# tests/linux/tiny.config (PVH entry, SMP, 8250 console, initramfs, virtio-mmio disk,
# pvpanic, DWARF 5 debug info, frame pointers, the scripts/gdb lx-* commands).
# The source package is only downloaded (`apt-get download`) and unpacked, never
# installed; what gets installed (as root, when missing) are the build tools: gcc,
# make, flex, bison, bc, libelf-dev (objtool), xz-utils, binutils.
#
# The kernel is built in a cache outside the clone, in a directory named after the
# source package version and a hash of the fragment and of RECIPE (a number in this
# script, raised whenever its build steps change what they produce; editing anything
# else here does not throw away a 35-minute build):
#   $HYVE_CACHE/linux-tiny-<srcversion>-<hash12>/
#     vmlinux            the ELF kernel with DWARF; hyve boots it through its PVH entry
#     System.map
#     .config            the final configuration (config is a symlink to it)
#     vmlinux-gdb.py     the scripts/gdb loader; it imports scripts/gdb/linux/*.py
#     scripts/gdb/linux/ relative to its own directory, so the two stay together
#     build.log          the output of the build
#     MANIFEST           inputs (package version, hashes, compiler) and sha256 of outputs
# HYVE_CACHE defaults to ${XDG_CACHE_HOME:-$HOME/.cache}/hyve.  The source .deb
# (~140 MB) stays in $HYVE_CACHE/debs for the next build (only the newest version is
# kept); the unpacked source tree (~1.5 GB) and the object tree are deleted after the
# build unless KEEP_TREE=1.  Older linux-tiny-* directories are left alone: delete
# them by hand.
#
# OUTDIR (default $LINUX_TINY, else build/linux-tiny) becomes a symlink to that
# directory, so tests find the kernel at build/linux-tiny/vmlinux.  With the same
# inputs a second run prints "up to date" and does nothing (it only fixes the symlink).
# Two runs at once do not build twice: the second waits on a lock in $HYVE_CACHE.
#
# Debugging the result:
#   gdb -ex 'add-auto-load-safe-path build/linux-tiny' build/linux-tiny/vmlinux
# loads vmlinux-gdb.py by itself (gdb's OBJFILE-gdb.py rule); or `source` it.
#
# Environment:
#   HYVE_CACHE=DIR         the cache (must not be inside the clone)
#   LINUX_TINY=DIR         default OUTDIR
#   LINUX_TINY_CONFIG=FILE the fragment instead of tests/linux/tiny.config
#   KEEP_TREE=1            keep the source and object trees in $HYVE_CACHE
#                          (linux-source-<ver>/, linux-tiny-obj-<ver>/) so that the
#                          next build with another fragment is incremental
#   JOBS=N                 make -jN (default: nproc)
#   NO_APT_UPDATE=1        never run `apt-get update`
#
# Needs: Debian 12 (bookworm) amd64 with apt; root to install missing build tools and
# to run `apt-get update` (without root a missing tool is an error naming its package).
# --cached: build nothing, print the cache directory if the kernel is built there
# (exit 0), else say so (exit 1).
# Exit status: 0 done (or up to date), 1 error (the reason is printed), 2 usage.
set -euo pipefail

say() { printf 'build-linux-kernel: %s\n' "$*" >&2; }
die() { printf 'build-linux-kernel: ERROR: %s\n' "$*" >&2; exit 1; }

CACHED_ONLY=0
case "${1:-}" in
-h | --help) sed -n '2,/^set -euo/p' "$0" | sed '$d; s/^# \{0,1\}//'; exit 0 ;;
--cached) CACHED_ONLY=1; shift ;;
esac
[ $# -le 1 ] || { echo "usage: $0 [--cached] [OUTDIR]" >&2; exit 2; }

HERE=$(cd "$(dirname "$0")" && pwd)
TOP=$(cd "$HERE/.." && pwd)
SELF="$HERE/$(basename "$0")"
SRCPKG=linux-source-6.1
FRAGMENT=${LINUX_TINY_CONFIG:-$TOP/tests/linux/tiny.config}
OUT=${1:-${LINUX_TINY:-$TOP/build/linux-tiny}}
case $OUT in /*) ;; *) OUT=$PWD/$OUT ;; esac
KEEP_TREE=${KEEP_TREE:-0}
JOBS=${JOBS:-$(nproc)}
case $JOBS in '' | *[!0-9]* | 0) die "JOBS=$JOBS: want a number of make jobs" ;; esac
[ -n "${HYVE_CACHE:-}${XDG_CACHE_HOME:-}${HOME:-}" ] || die "HOME is not set: set HYVE_CACHE"
CACHE=${HYVE_CACHE:-${XDG_CACHE_HOME:-$HOME/.cache}/hyve}

[ -f "$FRAGMENT" ] || die "$FRAGMENT is missing (the config fragment)"
FRAGMENT=$(cd "$(dirname "$FRAGMENT")" && pwd)/$(basename "$FRAGMENT")
command -v apt-cache >/dev/null || die "apt-cache not found: this script needs Debian 12 with apt"
command -v dpkg-deb >/dev/null || die "dpkg-deb not found"
ROOT=0
[ "$(id -u)" = 0 ] && ROOT=1

mkdir -p "$CACHE" || die "cannot create the cache $CACHE"
CACHE=$(cd "$CACHE" && pwd -P)
case "$CACHE/" in
"$(cd "$TOP" && pwd -P)"/*) die "the cache $CACHE is inside the clone $TOP: set HYVE_CACHE elsewhere" ;;
esac

# ------------------------------------------------------------------ package version
pkg_version() {	# version apt would download for a package ("" if it has none)
	apt-cache policy "$1" 2>/dev/null | awk '$1 == "Candidate:" && $2 != "(none)" && !n++ { print $2 }'
}
# apt-cache takes seconds where apt keeps no binary cache (Docker images), so the
# answer is remembered for as long as apt's lists and configuration do not change.
apt_stamp() {
	# (not every directory there is readable without root: find then fails)
	{ find /var/lib/apt/lists /etc/apt /var/lib/dpkg/status -maxdepth 2 ! -type d \
		! -path '*/partial/*' ! -name lock -printf '%p %s %T@\n' 2>/dev/null || true; } |
		LC_ALL=C sort | sha256sum | cut -c1-16
}
STAMP=$(apt_stamp)
MEMO=$CACHE/.$SRCPKG.version
SRCVER=""
if [ -f "$MEMO" ]; then
	read -r memo_stamp memo_ver <"$MEMO" || true
	[ "${memo_stamp:-}" = "$STAMP" ] && SRCVER=${memo_ver:-}
fi
[ -n "$SRCVER" ] || SRCVER=$(pkg_version "$SRCPKG")
if [ -z "$SRCVER" ] && [ "$ROOT" = 1 ] && [ "${NO_APT_UPDATE:-0}" != 1 ]; then
	say "package lists do not know $SRCPKG: apt-get update"
	apt-get update -q >&2 || die "apt-get update failed (is a Debian mirror reachable?)"
	SRCVER=$(pkg_version "$SRCPKG")
fi
[ -n "$SRCVER" ] || die "apt knows no version of $SRCPKG (run apt-get update as root; Debian 12 only)"
printf '%s %s\n' "$(apt_stamp)" "$SRCVER" >"$MEMO.$$" && mv -f "$MEMO.$$" "$MEMO"
VERTAG=$(printf '%s' "$SRCVER" | tr ':' '_')

# ------------------------------------------------------------------ up to date?
# RECIPE: raise it when a change below (tinyconfig, the merge, make's variables, what
# is installed) changes the kernel or the files built from the same fragment.
RECIPE=1
FRAG_SHA=$(sha256sum <"$FRAGMENT" | cut -d' ' -f1)
SELF_SHA=$(sha256sum <"$SELF" | cut -d' ' -f1)
HASH=$(printf 'fragment=%s\nrecipe=%s\n' "$FRAG_SHA" "$RECIPE" | sha256sum | cut -c1-12)
NAME=linux-tiny-$VERTAG-$HASH
DEST=$CACHE/$NAME
OUTPUTS="vmlinux System.map .config vmlinux-gdb.py scripts/gdb/linux/utils.py scripts/gdb/linux/constants.py MANIFEST"

complete() {	# DEST holds every output (MANIFEST is written last)
	local f
	for f in $OUTPUTS; do [ -s "$DEST/$f" ] || return 1; done
}
link_out() {	# OUTDIR -> DEST, replaced atomically; a real directory is not touched
	if [ -e "$OUT" ] && [ ! -L "$OUT" ]; then
		die "$OUT exists and is not a symlink: remove it, or give another OUTDIR"
	fi
	mkdir -p "$(dirname "$OUT")" || die "cannot create $(dirname "$OUT")"
	if ! { ln -sfn "$DEST" "$OUT.tmp.$$" && mv -fT "$OUT.tmp.$$" "$OUT"; }; then
		rm -f "$OUT.tmp.$$"
		die "cannot link $OUT to $DEST"
	fi
}
if [ "$CACHED_ONLY" = 1 ]; then
	complete || { say "not built: $DEST"; exit 1; }
	printf '%s\n' "$DEST"
	exit 0
fi
up_to_date() {	# exits when DEST is complete
	if complete; then
		link_out
		say "up to date: $DEST (OUTDIR $OUT)"
		exit 0
	fi
}
up_to_date

# Two builds at once would each unpack 1.5 GB and fight over the trees: one lock for
# the whole cache; the second run waits, then usually finds its kernel up to date.
command -v flock >/dev/null || die "flock not found (util-linux)"
exec 9>"$CACHE/.linux-tiny.lock"
if ! flock -n 9; then
	say "another build holds $CACHE/.linux-tiny.lock: waiting"
	flock 9 || die "cannot lock $CACHE/.linux-tiny.lock"
fi
up_to_date

# ------------------------------------------------------------------ build tools
# command-or-file : package.  libelf-dev is for objtool, which x86-64 always builds.
TOOLS="gcc:gcc make:make flex:flex bison:bison bc:bc xz:xz-utils readelf:binutils
       /usr/include/gelf.h:libelf-dev"
missing=""
for t in $TOOLS; do
	what=${t%%:*}
	case $what in
	/*) [ -e "$what" ] && continue ;;
	*) command -v "$what" >/dev/null && continue ;;
	esac
	missing="$missing ${t#*:}"
done
if [ -n "$missing" ]; then
	[ "$ROOT" = 1 ] || die "missing build tools, install:$missing (apt-get install$missing, or scripts/install-deps.sh)"
	say "installing build tools:$missing"
	# shellcheck disable=SC2086 # a list of package names
	DEBIAN_FRONTEND=noninteractive apt-get install -y -q --no-install-recommends $missing >&2 ||
		die "apt-get install$missing failed (stale lists? apt-get update)"
fi

# ------------------------------------------------------------------ source package
DEBS=$CACHE/debs
mkdir -p "$DEBS"
DEB=$DEBS/${SRCPKG}_${VERTAG}_all.deb
if [ -s "$DEB" ]; then
	say "cached: $(basename "$DEB")"
else
	tmp=$(mktemp -d "$DEBS/.dl.XXXXXX")
	say "downloading $SRCPKG $SRCVER (~140 MB)"
	# As root apt drops privileges to _apt, which may not write here: stay root.
	if ! (cd "$tmp" && apt-get -q -o APT::Sandbox::User=root download "$SRCPKG=$SRCVER" >&2); then
		rm -rf "$tmp"
		die "apt-get download $SRCPKG=$SRCVER failed (no network to the Debian mirror? stale lists: apt-get update)"
	fi
	got=$(find "$tmp" -maxdepth 1 -name '*.deb' | head -n 1)
	if [ -z "$got" ] || [ ! -s "$got" ]; then
		rm -rf "$tmp"
		die "apt-get download $SRCPKG left no .deb"
	fi
	mv "$got" "$DEB"
	rm -rf "$tmp"
	# Only the newest source package is worth its 140 MB.
	find "$DEBS" -maxdepth 1 -name "${SRCPKG}_*_all.deb" ! -name "$(basename "$DEB")" -delete
fi

# ------------------------------------------------------------------ trees
TREE=$CACHE/linux-source-$VERTAG	# pristine: the build writes only to OBJ (O=)
OBJ=$CACHE/linux-tiny-obj-$VERTAG
STAGE=$CACHE/.$NAME.tmp
LOG=$CACHE/$NAME.log
# Trees of other source versions are of no use; those of this version are reused
# (kept by KEEP_TREE=1, or left by an interrupted run).
# The logs of earlier failed builds go too.
rm -f "$CACHE"/linux-tiny-*.log
for d in "$CACHE"/linux-source-* "$CACHE"/linux-tiny-obj-* "$CACHE"/.linux-tiny-*.tmp "$CACHE"/.linux-source-*.tmp; do
	[ -e "$d" ] || continue
	case $d in "$TREE" | "$OBJ") continue ;; esac
	say "removing stale $d"
	rm -rf "$d"
done
cleanup() {
	rm -rf "$STAGE" "$CACHE/.linux-source-$VERTAG.tmp"
	[ "$KEEP_TREE" = 1 ] || rm -rf "$TREE" "$OBJ"
}
trap cleanup EXIT
trap 'exit 130' INT
trap 'exit 143' TERM HUP

if [ -f "$TREE/.unpacked" ]; then
	say "reusing the source tree $TREE"
else
	rm -rf "$TREE"
	t=$CACHE/.linux-source-$VERTAG.tmp
	mkdir -p "$t"
	say "unpacking /usr/src/$SRCPKG.tar.xz into $TREE (~1.5 GB)"
	{ dpkg-deb --fsys-tarfile "$DEB" | tar -xOf - "./usr/src/$SRCPKG.tar.xz"; } |
		tar -xJf - -C "$t" --strip-components=1 ||
		die "cannot unpack /usr/src/$SRCPKG.tar.xz from $DEB (disk full? a broken .deb: delete it)"
	[ -f "$t/Makefile" ] || die "$DEB does not hold a kernel source tree"
	touch "$t/.unpacked"
	mv "$t" "$TREE"
fi
mkdir -p "$OBJ"
: >"$LOG"

# step DESCRIPTION COMMAND...: run it in the source tree, output to the log; on
# failure show the end of the log and stop.
step() {
	local what=$1
	shift
	say "$what"
	printf '\n=== %s: %s\n' "$what" "$*" >>"$LOG"
	if ! (cd "$TREE" && "$@") >>"$LOG" 2>&1; then
		# With make -j the first error is not always among the last lines.
		if grep -qE 'error:|Error [0-9]+' "$LOG"; then
			echo "----- first errors in $LOG -----" >&2
			grep -m 8 -E 'error:|Error [0-9]+' "$LOG" >&2
		fi
		echo "----- last lines of $LOG -----" >&2
		tail -n 25 "$LOG" >&2
		echo "-----" >&2
		die "$what failed (full log: $LOG)"
	fi
}
# The kernel is what the fragment and this script say, not what the caller's
# environment or a parent make (MAKEFLAGS carries its command-line variables, e.g.
# CC=clang) would add.
unset MAKEFLAGS MFLAGS MAKEOVERRIDES MAKELEVEL KCFLAGS KCPPFLAGS KAFLAGS KRUSTFLAGS \
	KBUILD_OUTPUT KBUILD_EXTMOD KCONFIG_CONFIG KCONFIG_ALLCONFIG CROSS_COMPILE LLVM ARCH \
	CC LD CFLAGS LDFLAGS INSTALL_PATH
# ARCH=x86_64, not the default x86: with ARCH=x86 tinyconfig answers "no" to 64BIT.
KMAKE=(make "O=$OBJ" ARCH=x86_64)
T0=$SECONDS

# ------------------------------------------------------------------ configure
step "make tinyconfig" "${KMAKE[@]}" tinyconfig
step "merging $(basename "$FRAGMENT")" scripts/kconfig/merge_config.sh -m -O "$OBJ" "$OBJ/.config" "$FRAGMENT"
step "make olddefconfig" "${KMAKE[@]}" olddefconfig

# Every option of the fragment must have survived olddefconfig: an option whose
# dependencies are off is silently dropped.
bad=""
while IFS= read -r line; do
	case $line in
	CONFIG_*=*)
		opt=${line%%=*}
		grep -qxF -- "$line" "$OBJ/.config" && continue
		got=$(sed -n "s/^$opt=//p" "$OBJ/.config")
		bad="$bad $opt=${line#*=}(got ${got:-n})" ;;
	"# CONFIG_"*" is not set")
		opt=${line#\# }
		opt=${opt%% *}
		grep -q "^$opt=" "$OBJ/.config" || continue
		bad="$bad $opt=n(got $(sed -n "s/^$opt=//p" "$OBJ/.config"))" ;;
	esac
done <"$FRAGMENT"
[ -z "$bad" ] || die "options of $(basename "$FRAGMENT") not in the final .config (a dependency missing?):$bad"
say "all $(grep -cE '^(CONFIG_[A-Za-z0-9_]+=|# CONFIG_[A-Za-z0-9_]+ is not set)' "$FRAGMENT") options of $(basename "$FRAGMENT") are in .config"

# ------------------------------------------------------------------ build
say "building; the output goes to $LOG"
step "make -j$JOBS vmlinux (about 8-12 minutes on 2 CPUs)" "${KMAKE[@]}" -j"$JOBS" vmlinux
step "make scripts_gdb" "${KMAKE[@]}" scripts_gdb
KREL=$(cd "$TREE" && "${KMAKE[@]}" -s kernelrelease 2>/dev/null) || KREL=unknown

# The PVH entry is an ELF note of owner "Xen", type 18 (XEN_ELFNOTE_PHYS32_ENTRY).
readelf -n "$OBJ/vmlinux" 2>/dev/null | awk '$1 == "Xen" && ($0 ~ /\(0x00000012\)/ || $0 ~ /PHYS32_ENTRY/) { ok = 1 } END { exit !ok }' ||
	die "vmlinux has no XEN_ELFNOTE_PHYS32_ENTRY note: hyve cannot boot it through PVH"

# ------------------------------------------------------------------ install
rm -rf "$STAGE"
mkdir -p "$STAGE/scripts/gdb/linux"
cp "$OBJ/vmlinux" "$OBJ/System.map" "$OBJ/.config" "$STAGE/"
ln -s .config "$STAGE/config"
# In the object tree these are symlinks into the source tree, which goes away.
cp -L "$OBJ/vmlinux-gdb.py" "$STAGE/"
cp -L "$OBJ"/scripts/gdb/linux/*.py "$STAGE/scripts/gdb/linux/"
for f in $OUTPUTS; do
	[ "$f" = MANIFEST ] || [ -s "$STAGE/$f" ] || die "internal: $f was not produced"
done
SECS=$((SECONDS - T0))
{
	echo "source_package: $SRCPKG $SRCVER"
	echo "kernel_release: $KREL"
	echo "fragment: $(basename "$FRAGMENT") sha256 $FRAG_SHA"
	echo "recipe: $RECIPE"
	echo "script_sha256: $SELF_SHA"
	echo "compiler: $(gcc --version | head -n 1)"
	echo "build_seconds: $SECS (make -j$JOBS)"
	echo "vmlinux_entry: $(readelf -h "$STAGE/vmlinux" | awk '/Entry point/ { print $4 }')"
	echo "sha256:"
	(cd "$STAGE" && sha256sum vmlinux System.map .config vmlinux-gdb.py | sed 's/^/  /')
} >"$STAGE/MANIFEST.new"
mv "$LOG" "$STAGE/build.log"
mv "$STAGE/MANIFEST.new" "$STAGE/MANIFEST"
rm -rf "$DEST"	# an incomplete one (complete() said no)
mv "$STAGE" "$DEST"
link_out
say "built $KREL in ${SECS}s: $DEST (OUTDIR $OUT)"
[ "$KEEP_TREE" = 1 ] && say "KEEP_TREE=1: trees kept in $TREE and $OBJ"
(cd "$DEST" && ls -l vmlinux System.map .config vmlinux-gdb.py && du -sh .) >&2
