#!/bin/sh
# install-deps.sh -- install what hyve's build, tests and benchmark need on
# Debian 12, only what is missing.  Run as root (or with sudo available).
# flex, bison, bc and libelf-dev (objtool) build the small debugging kernel of
# scripts/build-linux-kernel.sh (make linux-kernel); its source, linux-source-6.1, is
# downloaded by that script, not installed.  qemu-utils (qemu-img) gives QEMU
# the qcow2 image its savevm needs in make bench-snap.
set -eu
PKGS="gcc make binutils libc6-dev linux-libc-dev gdb lldb python3 qemu-system-x86 qemu-utils seabios
      xz-utils cpio busybox-static groff-base clang libclang-rt-14-dev clang-tidy cppcheck
      flex bison bc libelf-dev"
missing=""
for p in $PKGS; do
	dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "ok installed" || missing="$missing $p"
done
[ -z "$missing" ] && exit 0
echo "install-deps: installing:$missing"
SUDO=""
[ "$(id -u)" = 0 ] || SUDO=sudo
$SUDO apt-get update -qq
DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq --no-install-recommends $missing
