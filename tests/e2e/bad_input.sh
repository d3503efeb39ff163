#!/usr/bin/env bash
# bad_input.sh -- every kind of bad input gets one line naming the problem and a
# non-zero exit, never a crash or a hang: missing/truncated/corrupt images, unknown
# formats, memory too small or too large, too many CPUs, no /dev/kvm or no
# permission, malformed options.
set -u
. tests/e2e/lib.sh
e2e_init bad_input
require_files "$HYVE" "$GUESTS/long64.elf" "$GUESTS/bench.elf"
fails=0
checks=0

# expect STATUS PATTERN -- hyve ARGS...: exit status and one stderr line matching PATTERN
expect() {
	local want=$1 pat=$2; shift 3
	local out rc lines
	out=$(timeout 20 "$@" </dev/null 2>&1 >/dev/null); rc=$?
	lines=$(printf '%s\n' "$out" | grep -c .)
	checks=$((checks + 1))
	if [ "$rc" != "$want" ] || ! printf '%s\n' "$out" | grep -Eq -- "$pat" || [ "$lines" -ne 1 ]; then
		echo "FAIL: '$*': exit $rc (want $want), $lines line(s), want /$pat/:"
		printf '%s\n' "$out" | sed 's/^/    /'
		fails=$((fails + 1))
	else
		echo "ok: $out"
	fi
}

W=$WORK
head -c 100 "$GUESTS/long64.elf" >"$W/short.elf"
head -c 12288 "$GUESTS/long64.elf" >"$W/cut.elf"
printf 'this is not a kernel' >"$W/junk.bin"
: >"$W/empty"
head -c 1000 /dev/urandom >"$W/random.bin"
printf 'odd' >"$W/disk.img"
dd if=/dev/zero of="$W/bios.bin" bs=1k count=100 status=none

expect 1 'nothing to boot' -- "$HYVE"
expect 1 "cannot read kernel '/nonexistent': No such file" -- "$HYVE" --kernel /nonexistent
expect 1 "kernel '$W': Is a directory|cannot read kernel '$W'" -- "$HYVE" --kernel "$W"
expect 1 "is empty" -- "$HYVE" --kernel "$W/empty"
expect 1 "not a format hyve can boot" -- "$HYVE" --kernel "$W/junk.bin"
expect 1 "not a format hyve can boot" -- "$HYVE" --kernel "$W/random.bin"
expect 1 "not a format hyve can boot|truncated|past the end" -- "$HYVE" --kernel "$W/short.elf"
expect 1 "runs past the end of the file" -- "$HYVE" --kernel "$W/cut.elf"
expect 1 "no multiboot header" -- "$HYVE" --kernel "$W/junk.bin" -o boot.format=multiboot
expect 1 "cannot read initrd '/nonexistent'" -- "$HYVE" --kernel "$GUESTS/long64.elf" --initrd /nonexistent
expect 1 "disk.*cannot open /nonexistent" -- "$HYVE" --kernel "$GUESTS/long64.elf" --disk /nonexistent
expect 1 "disk.*multiple of 512" -- "$HYVE" --kernel "$GUESTS/long64.elf" --disk "$W/disk.img"
expect 1 "cannot read BIOS image '/nonexistent'" -- "$HYVE" --bios /nonexistent
expect 1 "BIOS image.*multiple of 64 KiB" -- "$HYVE" --bios "$W/bios.bin"
expect 1 "BIOS image.*multiple of 64 KiB" -- "$HYVE" --bios "$W/junk.bin"
expect 1 "cannot be used together" -- "$HYVE" --bios /usr/share/seabios/bios.bin --kernel "$GUESTS/long64.elf"
expect 1 "needs at least .* of RAM, the guest has 512 KiB" -- "$HYVE" -m 512K --kernel "$GUESTS/bench.elf"
expect 1 "more than the host has" -- "$HYVE" -m 1T --kernel "$GUESTS/long64.elf"
expect 1 "65 vCPUs is out of range \(1..64\)" -- "$HYVE" -c 65 --kernel "$GUESTS/long64.elf"
expect 1 "0 vCPUs is out of range" -- "$HYVE" -c 0 --kernel "$GUESTS/long64.elf"
expect 1 "invalid value 'lots'" -- "$HYVE" -m lots --kernel "$GUESTS/long64.elf"
expect 1 "memory size '1' is out of range" -- "$HYVE" -m 1 --kernel "$GUESTS/long64.elf"
expect 1 "unknown option '--bogus'" -- "$HYVE" --bogus
expect 1 "option -m needs a value" -- "$HYVE" -m
expect 1 "unknown key in 'no.such=1'" -- "$HYVE" -o no.such=1
expect 1 "expected KEY=VALUE" -- "$HYVE" -o cpus
expect 1 "invalid debug server address 'abc'" -- "$HYVE" -G abc --kernel "$GUESTS/long64.elf"
expect 1 "port out of range in '99999' \(0\.\.65535\)" -- "$HYVE" -G 99999 --kernel "$GUESTS/long64.elf"
expect 1 "port out of range in 'w70000' \(0\.\.65535\)" -- "$HYVE" -G w70000 --kernel "$GUESTS/long64.elf"
expect 1 "invalid value in 'raw.mode=weird' \(one of: real16, prot32, long64\)" -- "$HYVE" -o raw.mode=weird
expect 1 "memory size '32K' is out of range \(64K\.\.1T\)" -- "$HYVE" -m 32K --kernel "$GUESTS/long64.elf"
# the manual gives the range the code enforces
checks=$((checks + 1))
if grep -q '^\.BR memory " (size 64K\.\.1T, ' doc/hyve.1; then
	echo "ok: hyve(1) says memory is 64K..1T"
else
	echo "FAIL: hyve(1) does not give memory's range as 64K..1T: $(grep -m1 '^\.BR memory ' doc/hyve.1)"
	fails=$((fails + 1))
fi
expect 1 "unexpected argument 'extra'" -- "$HYVE" --kernel "$GUESTS/long64.elf" extra
expect 1 "gdb.wait needs a debug server" -- "$HYVE" -o gdb.wait=1 --kernel "$GUESTS/long64.elf"

# Failures that need KVM (the debug server listens once the VM exists).
if [ -w /dev/kvm ]; then
	expect 1 "debug server: .* exists and is not a socket" -- "$HYVE" -G "unix:$W/junk.bin" --kernel "$GUESTS/long64.elf"
	expect 1 "debug server: cannot listen on 192\.0\.2\.1:1234: " -- "$HYVE" -G 192.0.2.1:1234 --kernel "$GUESTS/long64.elf"
	# An emulation failure (an instruction fetched from where no memory is) is
	# not the guest asking to end the machine, and the log must not say so.
	printf '\xb8\x00\x00\x00\x40\xff\xe0' >"$W/jump.bin"	# mov eax, 0x40000000; jmp eax
	out=$(timeout 20 "$HYVE" -m 16M --kernel "$W/jump.bin" -o boot.format=raw -o raw.mode=prot32 \
		</dev/null 2>&1 >/dev/null); rc=$?
	checks=$((checks + 1))
	if [ "$rc" != 4 ] || ! printf '%s\n' "$out" | grep -qE 'KVM internal error|unexpected exit' ||
	   printf '%s\n' "$out" | grep -qiE 'guest (asked|ended)|as the guest'; then
		echo "FAIL: a fetch from unbacked memory: exit $rc (want 4), log:"
		printf '%s\n' "$out" | sed 's/^/    /'
		fails=$((fails + 1))
	else
		echo "ok: emulation failure: exit 4, $(printf '%s\n' "$out" | grep -m1 -E 'internal error|unexpected exit')"
	fi
else
	echo "note: the listen-failure and emulation-failure cases not run (no usable /dev/kvm)"
fi

# No permission: /dev/kvm is root-only here; an unprivileged user must be told so.
if [ "$(id -u)" = 0 ] && command -v setpriv >/dev/null && [ "$(stat -c %a /dev/kvm 2>/dev/null)" = 600 ]; then
	cp "$HYVE" "$W/hyve"; chmod 755 "$W" "$W/hyve"; chmod 644 "$GUESTS/long64.elf" 2>/dev/null
	expect 1 "no permission to open /dev/kvm" -- setpriv --reuid=65534 --regid=65534 --clear-groups \
		"$W/hyve" --kernel "$W/cut.elf" -o boot.format=raw
else
	echo "note: no-permission case not run (needs root, setpriv and a root-only /dev/kvm)"
fi
# No /dev/kvm at all: a private mount namespace with an empty /dev.
if [ "$(id -u)" = 0 ] && command -v unshare >/dev/null; then
	expect 1 "/dev/kvm not found" -- unshare -m sh -c \
		"mount -t tmpfs none /dev && exec '$HYVE' --kernel '$GUESTS/long64.elf'"
else
	echo "note: no-/dev/kvm case not run (needs root and unshare)"
fi

echo "$checks checks, $fails failed"
[ "$fails" -eq 0 ] && echo "PASS bad_input" && exit 0
echo "FAIL bad_input"
exit 1
