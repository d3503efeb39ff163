#!/bin/bash
# gdb_seabios.sh -- SeaBIOS under -G w: held at the reset vector with
# cs 0xf000, ip 0xfff0, CR0 0x60000010; the bytes there are the last 16 of
# bios.bin (the top of the 4 GiB space and its alias below 1 MiB agree), a
# far jump as objdump -mi8086 decodes it; stepi lands on the jump's target
# cs:ip; after `continue` the banner "SeaBIOS (version" reaches the debug
# console, Ctrl-C stops the firmware again, and gdb's `kill` ends hyve.
set -u
cd "$(dirname "$0")/../.." || exit 1
. tests/e2e/gdblib.sh
e2e_init gdb_seabios
skip_if_no_kvm
need_tool gdb objdump python3
bios=${SEABIOS:-/usr/share/seabios/bios.bin}
[ -f "$bios" ] || fail "$bios is missing (package seabios: scripts/install-deps.sh, which make test runs)"
require_files "$HYVE"

export SEABIOS_LOG=$WORK/debugcon
start_debug -m 64M --bios "$bios" --debugcon "file:$SEABIOS_LOG" -G w0
gdb_run sb tests/e2e/gdb/seabios.gdb - -ex "set \$dumpfile = \"$WORK/f000.bin\""
expect_val sb cs 0xf000 "reset CS"
expect_val sb rip 0xfff0 "reset IP"
expect_val sb cr0 0x60000010 "CR0 at reset"
want=$(python3 -c 'import sys; d = open(sys.argv[1], "rb").read()[-16:]; print(" ".join("0x%02x" % b for b in d))' "$bios")
[ "$(gdb_bytes sb top)" = "$want" ] ||
	fail "sb: 0xfffffff0 reads '$(gdb_bytes sb top)', the last 16 bytes of $bios are '$want'"
echo "ok: sb: 16 bytes at 0xfffffff0 = the end of bios.bin"
[ "$(gdb_bytes sb reset)" = "$(echo "$want" | cut -d' ' -f1-5)" ] ||
	fail "sb: cs*16+ip reads '$(gdb_bytes sb reset)', not the top of the firmware"
echo "ok: sb: cs*16+ip (0xffff0) reads the same as 0xfffffff0"
[ -s "$WORK/f000.bin" ] || fail "gdb's dump of 0xffff0..0xfffff is missing"
jmp=$(objdump -D -b binary -mi8086 --adjust-vma=0xffff0 "$WORK/f000.bin" | grep -m1 '^ *ffff0:')
target=$(echo "$jmp" | sed -n 's/.*ljmp *\$\(0x[0-9a-f]*\),\$\(0x[0-9a-f]*\).*/\1 \2/p')
[ -n "$target" ] || fail "no far jump at the reset vector: '$jmp'"
echo "ok: sb: reset vector: ${jmp##*$'\t'}"
expect_val sb after_cs "${target% *}" "stepi through the far jump: cs"
expect_val sb after_ip "${target#* }" "stepi through the far jump: ip"
expect_line "$SEABIOS_LOG" 'SeaBIOS \(version ' "SeaBIOS banner on the debug console"
echo "ok: banner: $(grep -am1 'SeaBIOS (version' "$SEABIOS_LOG" | tr -d '\r')"
expect_out sb 'received signal SIGINT, Interrupt\.$' "Ctrl-C stopped the firmware"
[ -n "$(val sb stopped_cs)" ] || fail "sb: no registers read after the Ctrl-C stop"
wait_bg 10
[ "$RC" != 124 ] || fail "hyve still running 10 s after gdb's kill"
expect_line "$WORK/err" 'killed by the debugger' "hyve's log after gdb's kill"
pass
