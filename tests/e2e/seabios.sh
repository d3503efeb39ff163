#!/usr/bin/env bash
# seabios.sh -- Debian's SeaBIOS (/usr/share/seabios/bios.bin) as hyve's firmware.
#
# Runs `hyve --bios bios.bin --debugcon file:LOG -m 64M -c 2` with no disk and asserts on
# what SeaBIOS logs to the debug console (port 0x402; it logs there because hyve's
# debugcon reads back 0xe9):
#   - its banner "SeaBIOS (version ...)"                      (within SEABIOS_WAIT s)
#   - "RamSize: 0x04000000": the 64 MiB hyve put in CMOS 0x34/0x35
#   - "Found 2 cpu(s)": the AP answered SeaBIOS's INIT-SIPI-SIPI (2 vCPUs)
#   - the end of POST: it tries to boot ("Booting from ..."), which it does
#     after its ~2.5 s boot-menu wait, timed by the PIT
# then stops hyve (with no boot disk SeaBIOS would retry forever).  Measured here:
# banner after ~0.2 s, "Booting from" after ~7-11 s.
#
# Environment: B, HYVE (see lib.sh); SEABIOS_BIN (default /usr/share/seabios/bios.bin);
# SEABIOS_WAIT (seconds for everything, default 60).
# Exit: 0 pass, 1 fail, 77 skip (no usable /dev/kvm).
cd "$(dirname "$0")/../.." || exit 1
. tests/e2e/lib.sh || { echo "FAIL seabios: cannot source tests/e2e/lib.sh"; exit 1; }

e2e_init seabios
skip_if_no_kvm
require_files "$HYVE"

BIOS=${SEABIOS_BIN:-/usr/share/seabios/bios.bin}
WAIT=${SEABIOS_WAIT:-60}
E2E_TIMEOUT=$((WAIT + 30))
# Debian's seabios package; scripts/install-deps.sh installs it.
[ -s "$BIOS" ] || fail "$BIOS is missing (apt-get install seabios, or scripts/install-deps.sh)"

now_ms() { echo $((${EPOCHREALTIME/[.,]/} / 1000)); }
t0=$(now_ms)
start_hyve_bg -c 2 -m 64M --bios "$BIOS" --debugcon "file:$WORK/debugcon"

elapsed() {
	local ms=$(($(now_ms) - t0))
	printf '%d.%d' $((ms / 1000)) $((ms % 1000 / 100))
}

# await REGEX WHAT: wait for a debug-console line, within WAIT s of the start.
await() {
	local left=$((WAIT - ($(now_ms) - t0) / 1000))
	[ "$left" -gt 0 ] || left=1
	wait_for_line "$WORK/debugcon" "$1" "$left"
	echo "seabios: $2 after $(elapsed) s"
}

await '^SeaBIOS \(version [^)]+\)' 'banner'
await '^RamSize: 0x0*4000000 ' 'RamSize 64 MiB (from CMOS)'
await '^Found 2 cpu\(s\)' '2 CPUs'
await '^Booting from ' 'POST done, boot attempt'
bg_running || fail "hyve ended while SeaBIOS was waiting for a boot device"
stop_bg
pass "$(tr -d '\r' <"$WORK/debugcon" | grep -m1 -o 'SeaBIOS (version [^)]*)'), POST in $(elapsed) s"
