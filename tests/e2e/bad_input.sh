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
expect 1 "invalid debug server address '99999'" -- "$HYVE" -G 99999 --kernel "$GUESTS/long64.elf"
expect 1 "unexpected argument 'extra'" -- "$HYVE" --kernel "$GUESTS/long64.elf" extra
expect 1 "gdb.wait needs a debug server" -- "$HYVE" -o gdb.wait=1 --kernel "$GUESTS/long64.elf"

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
