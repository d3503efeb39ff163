#!/usr/bin/env bash
# build-linux-guest.sh [OUTDIR] -- build the Linux test guest for hyve from Debian 12
# packages.  Nothing is installed on the host (the .debs are only downloaded with
# `apt-get download` and unpacked with dpkg-deb), except xz-utils when it is missing.
#
# OUTDIR defaults to $LINUX_GUEST, else build/linux.  It receives:
#   vmlinuz            the bzImage of linux-image-6.1.0-N-amd64 (the package that
#                      linux-image-amd64 depends on right now)
#   vmlinux            the uncompressed ELF inside that bzImage; it carries the Xen PVH
#                      entry note, so hyve boots it through PVH without running the
#                      in-guest decompressor (which is very slow on emulating KVMs)
#   config             the kernel's .config
#   initramfs.cpio.gz  busybox-static + tests/linux/init as /init
#   MANIFEST           package versions and sha256 of the outputs
#   System.map         only with WITH_SYSTEM_MAP=1 (see below)
#   vmlinux-debug      only with WITH_DEBUG_VMLINUX=1 (see below)
#
# Caching: the .debs stay in OUTDIR/debs; OUTDIR/.inputs records what the outputs were
# built from (package versions, this script, tests/linux/init).  When nothing changed
# and every output exists, a second run prints "up to date" and does nothing.
#
# Environment:
#   LINUX_GUEST=DIR        default OUTDIR
#   KERNEL_PKG=NAME        use this kernel package instead of linux-image-amd64's dependency
#   WITH_SYSTEM_MAP=1      also produce the real System.map.  The image package ships a
#                          one-line placeholder; the real file is only in
#                          linux-image-6.1.0-N-amd64-dbg, an ~860 MB download.  The .deb is
#                          deleted after the file is pulled out (KEEP_DBG_DEB=1 keeps it);
#                          the file itself stays cached in OUTDIR/debs for later runs.
#   WITH_DEBUG_VMLINUX=1   also produce vmlinux-debug, the ~630 MB DWARF vmlinux from the
#                          same -dbg package (for symbolic debugging with gdb); implies the
#                          -dbg download.
#   NO_APT_UPDATE=1        never run `apt-get update`, even if the package lists lack
#                          the packages.
#
# Needs: Debian 12 (bookworm) amd64, apt, dpkg-deb; root to run `apt-get update` or to
# install xz-utils, and to create /dev/console in the initramfs (without root /init
# falls back to opening it after mounting devtmpfs).
# Exit status: 0 done (or up to date), 1 error (the reason is printed), 2 usage.
set -euo pipefail

say() { printf 'build-linux-guest: %s\n' "$*" >&2; }
die() { printf 'build-linux-guest: ERROR: %s\n' "$*" >&2; exit 1; }

case "${1:-}" in
-h | --help) sed -n '2,/^set -euo/p' "$0" | sed '$d; s/^# \{0,1\}//'; exit 0 ;;
esac
[ $# -le 1 ] || { echo "usage: $0 [OUTDIR]" >&2; exit 2; }

HERE=$(cd "$(dirname "$0")" && pwd)
TOP=$(cd "$HERE/.." && pwd)
SELF="$HERE/$(basename "$0")"
INIT_SRC="$TOP/tests/linux/init"
OUT=${1:-${LINUX_GUEST:-$TOP/build/linux}}
WITH_SYSTEM_MAP=${WITH_SYSTEM_MAP:-0}
WITH_DEBUG_VMLINUX=${WITH_DEBUG_VMLINUX:-0}
[ "$WITH_DEBUG_VMLINUX" = 1 ] && WITH_SYSTEM_MAP=1

[ -f "$INIT_SRC" ] || die "$INIT_SRC is missing (the initramfs /init)"
command -v apt-get >/dev/null || die "apt-get not found: this script needs Debian 12 with apt"
command -v apt-cache >/dev/null || die "apt-cache not found"
command -v dpkg-deb >/dev/null || die "dpkg-deb not found"
ROOT=0
[ "$(id -u)" = 0 ] && ROOT=1

mkdir -p "$OUT/debs" || die "cannot create $OUT"
OUT=$(cd "$OUT" && pwd)
DEBS=$OUT/debs
# Two test runs may build the same OUTDIR at once: the second waits for the first
# (and then finds everything up to date).
if command -v flock >/dev/null; then
	exec 9>"$OUT/.lock"
	flock 9 || die "cannot lock $OUT/.lock"
fi

# ------------------------------------------------------------------ package names
# "linux-image-amd64" is a metapackage; the real image is its versioned dependency.
# The awk filters read to the end: an early exit would kill the writer with
# SIGPIPE, and pipefail would turn that into a random failure.
kernel_pkg() {
	apt-cache depends linux-image-amd64 2>/dev/null |
		awk '$1 == "Depends:" && $2 ~ /^linux-image-[0-9.]+-[0-9]+-amd64$/ && !n++ { print $2 }'
}

# version apt would download for a package ("" if it has none)
pkg_version() {
	apt-cache policy "$1" 2>/dev/null | awk '$1 == "Candidate:" && $2 != "(none)" && !n++ { print $2 }'
}

KPKG=${KERNEL_PKG:-$(kernel_pkg)}
if { [ -z "$KPKG" ] || [ -z "$(pkg_version busybox-static)" ]; } &&
	[ "$ROOT" = 1 ] && [ "${NO_APT_UPDATE:-0}" != 1 ]; then
	say "package lists do not know linux-image-amd64 or busybox-static: apt-get update"
	apt-get update -q >&2 || die "apt-get update failed (is a Debian mirror reachable?)"
	KPKG=${KERNEL_PKG:-$(kernel_pkg)}
fi
[ -n "$KPKG" ] || die "cannot tell which kernel package linux-image-amd64 depends on (run apt-get update as root, or set KERNEL_PKG)"
KVER=$(pkg_version "$KPKG")
[ -n "$KVER" ] || die "apt knows no version of $KPKG"
BBVER=$(pkg_version busybox-static)
[ -n "$BBVER" ] || die "apt knows no version of busybox-static"
KREL=${KPKG#linux-image-}	# 6.1.0-N-amd64: the names inside the package use it
say "kernel: $KPKG $KVER; busybox-static $BBVER"

# ------------------------------------------------------------------ up to date?
OUTPUTS="vmlinuz vmlinux config initramfs.cpio.gz"
[ "$WITH_SYSTEM_MAP" = 1 ] && OUTPUTS="$OUTPUTS System.map"
[ "$WITH_DEBUG_VMLINUX" = 1 ] && OUTPUTS="$OUTPUTS vmlinux-debug"
# The optional -dbg files do not enter INPUTS: runs with and without WITH_SYSTEM_MAP
# share one OUTDIR without rebuilding each other's outputs.  They are kept only while
# they are the ones extracted for the current kernel (DBGX, see below).
INPUTS="kernel=$KPKG=$KVER busybox=$BBVER
script=$(sha256sum <"$SELF" | cut -d' ' -f1) init=$(sha256sum <"$INIT_SRC" | cut -d' ' -f1)"
fresh=1
for f in $OUTPUTS MANIFEST; do [ -s "$OUT/$f" ] || fresh=0; done
DBGX="$DEBS/dbg-$KREL-$(printf '%s' "$KVER" | tr ':' '_')"
if [ -e "$OUT/System.map" ] && ! cmp -s "$OUT/System.map" "$DBGX/System.map-$KREL"; then
	say "removing System.map of another kernel"
	rm -f "$OUT/System.map"
fi
if [ -e "$OUT/vmlinux-debug" ] && ! [ "$OUT/vmlinux-debug" -ef "$DBGX/vmlinux-$KREL" ] &&
	[ "$(stat -c %s "$OUT/vmlinux-debug")" != "$(stat -c %s "$DBGX/vmlinux-$KREL" 2>/dev/null)" ]; then
	say "removing vmlinux-debug of another kernel"
	rm -f "$OUT/vmlinux-debug"
fi
if [ "$fresh" = 1 ] && [ "$(cat "$OUT/.inputs" 2>/dev/null)" = "$INPUTS" ]; then
	say "up to date: $OUT"
	exit 0
fi
rm -f "$OUT/.inputs"	# written again only once every output is in place

# ------------------------------------------------------------------ tools
need_tool() {	# need_tool COMMAND PACKAGE
	command -v "$1" >/dev/null && return 0
	[ "$ROOT" = 1 ] || die "$1 is missing: install $2 (apt-get install $2)"
	say "installing $2 (for $1)"
	DEBIAN_FRONTEND=noninteractive apt-get install -y -q --no-install-recommends "$2" >&2 ||
		die "apt-get install $2 failed"
}
need_tool xz xz-utils
need_tool gzip gzip

# ------------------------------------------------------------------ downloads
# fetch PKG VERSION: print the path of PKG's .deb in $DEBS, downloading it if needed.
# Our own file name (PKG_VERSION.deb, ':' kept out) avoids guessing apt's encoding.
fetch() {
	local pkg=$1 ver=$2 deb tmp got
	deb="$DEBS/${pkg}_$(printf '%s' "$ver" | tr ':' '_').deb"
	if [ -s "$deb" ]; then
		say "cached: $(basename "$deb")"
		printf '%s\n' "$deb"
		return 0
	fi
	tmp=$(mktemp -d "$DEBS/.dl.XXXXXX")
	say "downloading $pkg $ver"
	# As root apt drops privileges to _apt, which may not write here: stay root.
	if ! (cd "$tmp" && apt-get -q -o APT::Sandbox::User=root download "$pkg=$ver" >&2); then
		rm -rf "$tmp"
		die "apt-get download $pkg=$ver failed (no network to the Debian mirror? stale lists: apt-get update)"
	fi
	got=$(find "$tmp" -maxdepth 1 -name '*.deb' | head -n 1)
	if [ -z "$got" ] || [ ! -s "$got" ]; then
		rm -rf "$tmp"
		die "apt-get download $pkg left no .deb"
	fi
	mv "$got" "$deb"
	rm -rf "$tmp"
	printf '%s\n' "$deb"
}

KDEB=$(fetch "$KPKG" "$KVER")
BBDEB=$(fetch busybox-static "$BBVER")

WORK=$(mktemp -d "${TMPDIR:-/tmp}/build-linux-guest.XXXXXX")
trap 'rm -rf "$WORK"' EXIT

# ------------------------------------------------------------------ kernel
say "unpacking /boot/vmlinuz-$KREL and /boot/config-$KREL"
dpkg-deb --fsys-tarfile "$KDEB" | tar -xf - -C "$WORK" "./boot/vmlinuz-$KREL" "./boot/config-$KREL" ||
	die "$KDEB does not hold boot/vmlinuz-$KREL and boot/config-$KREL"
cp "$WORK/boot/vmlinuz-$KREL" "$WORK/vmlinuz"
cp "$WORK/boot/config-$KREL" "$WORK/config"

# le32 FILE OFFSET / u8 FILE OFFSET: little-endian fields of the bzImage header
le32() { od -An -tu4 --endian=little -j "$2" -N 4 "$1" | tr -d ' '; }
u8() { od -An -tu1 -j "$2" -N 1 "$1" | tr -d ' '; }

# The compressed kernel sits at payload_offset (setup header 0x248, protocol 2.08+)
# from the start of the protected-mode code, which follows the (setup_sects + 1)
# 512-byte sectors of real-mode setup; payload_length (0x24c) includes the 4-byte
# uncompressed size the kernel build appends, hence xz --single-stream.
payload() {	# payload FILE START LENGTH: those bytes on stdout
	dd if="$1" iflag=skip_bytes,count_bytes skip="$2" count="$3" bs=64K status=none
}
extract_vmlinux() {	# bzImage -> ELF
	local bz=$1 elf=$2 sects poff plen start magic
	[ "$(dd if="$bz" bs=1 skip=$((0x202)) count=4 2>/dev/null)" = HdrS ] ||
		die "$bz is not a bzImage (no HdrS header)"
	sects=$(u8 "$bz" $((0x1f1)))
	[ "$sects" = 0 ] && sects=4
	poff=$(le32 "$bz" $((0x248)))
	plen=$(le32 "$bz" $((0x24c)))
	start=$(((sects + 1) * 512 + poff))
	magic=$(od -An -tx1 -j "$start" -N 6 "$bz" | tr -d ' \n')
	case $magic in
	fd377a585a00)
		say "vmlinux: XZ payload at offset $start ($plen bytes); decompressing"
		payload "$bz" "$start" "$plen" | xz -dc --single-stream >"$elf" ||
			die "xz could not decompress the kernel payload" ;;
	1f8b*)
		say "vmlinux: gzip payload at offset $start ($plen bytes); decompressing"
		# gzip complains about the trailing size word; the ELF check below judges.
		payload "$bz" "$start" "$plen" | gzip -dc >"$elf" 2>/dev/null || true ;;
	*)	die "unsupported kernel compression (payload magic $magic at $start); only XZ and gzip are handled" ;;
	esac
	[ "$(head -c 4 "$elf" | od -An -tx1 | tr -d ' \n')" = 7f454c46 ] ||
		die "the decompressed payload is not an ELF file"
}
extract_vmlinux "$WORK/vmlinuz" "$WORK/vmlinux"

# The PVH entry is an ELF note of owner "Xen", type 18 (XEN_ELFNOTE_PHYS32_ENTRY).
if command -v readelf >/dev/null; then
	if readelf -n "$WORK/vmlinux" 2>/dev/null | awk '$1 == "Xen" && ($0 ~ /\(0x00000012\)/ || $0 ~ /PHYS32_ENTRY/) { ok = 1 } END { exit !ok }'; then
		say "vmlinux has the PVH entry note (XEN_ELFNOTE_PHYS32_ENTRY)"
	else
		die "vmlinux has no XEN_ELFNOTE_PHYS32_ENTRY note: hyve cannot boot it through PVH (CONFIG_PVH off?)"
	fi
else
	say "note: readelf (binutils) missing; PVH entry note not checked"
fi

# ------------------------------------------------------------------ -dbg package
if [ "$WITH_SYSTEM_MAP" = 1 ]; then
	# What we pull out of the -dbg package is kept (per version) so that the
	# ~860 MB .deb is downloaded once, not each time the outputs are rebuilt.
	want="System.map-$KREL"
	[ "$WITH_DEBUG_VMLINUX" = 1 ] && want="$want vmlinux-$KREL"
	missing=""
	for f in $want; do [ -s "$DBGX/$f" ] || missing="$missing ./usr/lib/debug/boot/$f"; done
	if [ -n "$missing" ]; then
		DBGPKG="$KPKG-dbg"
		DBGVER=$(pkg_version "$DBGPKG")
		[ "$DBGVER" = "$KVER" ] || die "$DBGPKG has version '${DBGVER:-none}', $KPKG has $KVER"
		say "WITH_SYSTEM_MAP: the real System.map is in $DBGPKG (~860 MB download)"
		DBGDEB=$(fetch "$DBGPKG" "$DBGVER")
		say "unpacking${missing//.\/usr\/lib\/debug\/boot\//} from $DBGPKG"
		mkdir -p "$DBGX"
		# --occurrence lets tar stop once it has them; dpkg-deb then dies of SIGPIPE.
		# shellcheck disable=SC2086
		{ dpkg-deb --fsys-tarfile "$DBGDEB" 2>/dev/null || true; } |
			tar -xf - -C "$WORK" --occurrence=1 $missing ||
			die "$DBGDEB lacks$missing"
		for f in $want; do
			[ -s "$WORK/usr/lib/debug/boot/$f" ] && mv "$WORK/usr/lib/debug/boot/$f" "$DBGX/$f"
		done
		[ "${KEEP_DBG_DEB:-0}" = 1 ] || rm -f "$DBGDEB"
	else
		say "cached: $want (from the -dbg package)"
	fi
	cp "$DBGX/System.map-$KREL" "$WORK/System.map"
	# 630 MB: a hard link where the file system allows it, not a copy.
	if [ "$WITH_DEBUG_VMLINUX" = 1 ]; then
		ln -f "$DBGX/vmlinux-$KREL" "$WORK/vmlinux-debug" 2>/dev/null ||
			cp "$DBGX/vmlinux-$KREL" "$WORK/vmlinux-debug"
	fi
fi

# ------------------------------------------------------------------ initramfs
say "building initramfs.cpio.gz (busybox-static + tests/linux/init)"
R=$WORK/root
mkdir -p "$R"/{bin,sbin,usr/bin,usr/sbin,dev,proc,sys,tmp,root,etc}
dpkg-deb --fsys-tarfile "$BBDEB" | tar -xf - -C "$WORK" ./bin/busybox ||
	die "$BBDEB does not hold bin/busybox"
install -m 0755 "$WORK/bin/busybox" "$R/bin/busybox"
"$R/bin/busybox" true 2>/dev/null || die "the unpacked busybox does not run on this host"
# The list is taken once: "busybox --list | grep -q" under pipefail fails at
# random when grep exits first and busybox dies of SIGPIPE.
APPLETS=$("$R/bin/busybox" --list) || die "busybox --list failed"
for applet in nproc poweroff setsid cttyhack mount; do
	grep -qx "$applet" <<<"$APPLETS" || die "busybox-static lacks the $applet applet"
done
ln -s busybox "$R/bin/sh"
install -m 0755 "$INIT_SRC" "$R/init"
printf 'root:x:0:0:root:/root:/bin/sh\n' >"$R/etc/passwd"
printf 'root:x:0:\n' >"$R/etc/group"
# The kernel opens /dev/console for /init before anything is mounted.
if ! mknod -m 600 "$R/dev/console" c 5 1 2>/dev/null; then
	say "note: cannot mknod /dev/console (not root); /init opens the console itself"
fi
mknod -m 666 "$R/dev/null" c 1 3 2>/dev/null || true
# newc archive, owned by root, sorted, all times 0, no name or time in the gzip
# header: the same inputs give the same bytes.
find "$R" -exec touch -h -d @0 {} +
(
	cd "$R"
	if command -v cpio >/dev/null; then
		find . | LC_ALL=C sort | cpio --quiet -o -H newc -R 0:0 --reproducible
	else
		find . | LC_ALL=C sort | ./bin/busybox cpio -o -H newc
	fi
) | gzip -9 -n >"$WORK/initramfs.cpio.gz" || die "cannot build the initramfs"

# ------------------------------------------------------------------ install
for f in $OUTPUTS; do
	[ -s "$WORK/$f" ] || die "internal: $f was not produced"
	mv -f "$WORK/$f" "$OUT/$f.new" && mv -f "$OUT/$f.new" "$OUT/$f"
done
{
	echo "kernel_package: $KPKG $KVER"
	echo "kernel_release: $KREL"
	echo "busybox_package: busybox-static $BBVER"
	echo "vmlinux_entry: $(readelf -h "$OUT/vmlinux" 2>/dev/null | awk '/Entry point/ { print $4 }')"
	echo "sha256:"
	# shellcheck disable=SC2086 # a list of plain names
	(cd "$OUT" && sha256sum $OUTPUTS | sed 's/^/  /')
} >"$OUT/MANIFEST"
printf '%s\n' "$INPUTS" >"$OUT/.inputs"
say "done: $OUT"
# shellcheck disable=SC2086
(cd "$OUT" && ls -l $OUTPUTS MANIFEST) >&2
