#!/usr/bin/env bash
# build-l1.sh -- the emulated AMD-V host ("L1") that tests/svm/l1run.sh boots: Debian's
# own kernel (the bzImage scripts/build-linux-guest.sh fetches) and an initramfs of
# busybox-static, that kernel package's kvm, kvm-amd, virtio, 9p and overlay modules, and
# tests/svm/l1-init.  Nothing is installed: the .deb is only unpacked.
#
# Output (cached outside the clone, one directory per set of inputs, so that clones
# with different inputs never rebuild each other's image under a running L1):
#   $HYVE_CACHE/l1/KEY/vmlinuz, l1.cpio.gz   (HYVE_CACHE: ${XDG_CACHE_HOME:-~/.cache}/hyve;
#                                             KEY: a hash of the inputs)
# Prints the directory on stdout.  Exit status 0, or 1 with the reason on stderr.
set -euo pipefail

say() { printf 'build-l1: %s\n' "$*" >&2; }
die() { printf 'build-l1: ERROR: %s\n' "$*" >&2; exit 1; }

HERE=$(cd "$(dirname "$0")" && pwd)
TOP=$(cd "$HERE/.." && pwd)
CACHE=${HYVE_CACHE:-${XDG_CACHE_HOME:-$HOME/.cache}/hyve}
LINUX=${LINUX_GUEST:-$TOP/build/linux}
INIT=$TOP/tests/svm/l1-init
MODS="virt/lib/irqbypass arch/x86/kvm/kvm drivers/crypto/ccp/ccp arch/x86/kvm/kvm-amd
      drivers/virtio/virtio_ring drivers/virtio/virtio drivers/virtio/virtio_pci_legacy_dev
      drivers/virtio/virtio_pci_modern_dev drivers/virtio/virtio_pci fs/netfs/netfs
      fs/fscache/fscache net/9p/9pnet net/9p/9pnet_virtio fs/9p/9p fs/overlayfs/overlay"

command -v cpio >/dev/null || die "cpio is missing (scripts/install-deps.sh installs it)"
[ -x /bin/busybox ] || die "/bin/busybox is missing (package busybox-static; scripts/install-deps.sh)"
"$TOP/scripts/build-linux-guest.sh" "$LINUX" >&2 || die "cannot get Debian's kernel (scripts/build-linux-guest.sh failed)"
deb=$(ls "$LINUX"/debs/linux-image-*-amd64_*.deb 2>/dev/null | grep -v -- -dbg_ | head -n 1)
[ -n "$deb" ] || die "no linux-image .deb in $LINUX/debs"

key="deb=$(basename "$deb") init=$(sha256sum <"$INIT" | cut -c1-16) script=$(sha256sum <"$0" | cut -c1-16) busybox=$(sha256sum </bin/busybox | cut -c1-16)"
OUT=$CACHE/l1/$(printf '%s' "$key" | sha256sum | cut -c1-12)
mkdir -p "$OUT"
exec 9>"$OUT/.lock"
flock 9
if [ -s "$OUT/l1.cpio.gz" ] && [ -s "$OUT/vmlinuz" ] && [ "$(cat "$OUT/.key" 2>/dev/null)" = "$key" ]; then
	say "up to date: $OUT"
	echo "$OUT"
	exit 0
fi
rm -f "$OUT/.key"
work=$(mktemp -d "${TMPDIR:-/tmp}/build-l1.XXXXXX")
trap 'rm -rf "$work"' EXIT
say "unpacking the modules of $(basename "$deb")"
krel=$(basename "$deb" | sed -n 's/^linux-image-\([^_]*\)_.*/\1/p')
[ -n "$krel" ] || die "cannot tell the kernel release from $(basename "$deb")"
names=()
for m in $MODS; do names+=("./lib/modules/$krel/kernel/$m.ko"); done
dpkg-deb --fsys-tarfile "$deb" | tar -xf - -C "$work" "${names[@]}" ||
	die "cannot unpack the modules from $deb"
kdir=$work/lib/modules/$krel/kernel
root=$work/root
mkdir -p "$root"/{bin,sbin,dev,proc,sys,tmp,mods}
for m in $MODS; do
	f=$kdir/$m.ko
	[ -f "$f" ] || die "$deb has no $m.ko"
	cp "$f" "$root/mods/"
done
cp /bin/busybox "$root/bin/busybox"
cp "$INIT" "$root/init"
chmod 755 "$root/init"
(cd "$root" && find . | cpio -o -H newc --quiet | gzip -1) >"$OUT/l1.cpio.gz.new"
mv "$OUT/l1.cpio.gz.new" "$OUT/l1.cpio.gz"
cp "$LINUX/vmlinuz" "$OUT/vmlinuz"
echo "$key" >"$OUT/.key"
say "built $OUT ($(du -h "$OUT/l1.cpio.gz" | cut -f1) initramfs)"
echo "$OUT"
