#!/bin/bash
# monitor_qemu.sh -- QEMU's monitor commands and gdbstub packets, answered in
# QEMU 7.2's formats (the regexes follow QEMU's printf formats: monitor/misc.c
# memory_dump and gva2gpa/gpa2hva, hw/core/machine-hmp-cmds.c info cpus,
# softmmu/memory.c's flat view, gdbstub.c's qqemu.* answers), with values
# checked against the guest's ELF, the guest's own page tables and hyve's
# own process.  bpg (mode=mon, 2 vCPUs, a virtio disk so the map has a
# device in it):
#  - packets: qqemu.Supported, qqemu.sstepbits (also as pwndbg spells it,
#    Qqemu.sstepbits) "ENABLE=1,NOIRQ=2,NOTIMER=4", qqemu.sstep 0x3 by
#    default, Qqemu.sstep=0x1 takes (monitor status then says step-irq on:
#    the flags really choose), 0x7 is refused with E22 as QEMU does under KVM,
#    qGDBServerVersion names hyve, qOffsets is empty;
#  - gva2gpa: "gpa: 0x..." for mon_value (its physical address) and the
#    image, "Unmapped" for an unmapped address;
#  - gpa2hva: "Host virtual address for 0x100000 (pc.ram) is 0x...", 1 MiB
#    above physical 0's, inside a mapping of the hyve process; MMIO "is not
#    RAM"; nothing at all "No memory is mapped";
#  - xp /16xb (and GEF's xp/16xb): "0000000000100000: 0x.. x8" lines with
#    the ELF's bytes; /4xw as little-endian words; x /2xg through the page
#    tables at the higher half; d/u/o/x of mon_value as QEMU prints them
#    (d signed, widths 20/20/23); xp without /FMT keeps the last format;
#    /4cb as QEMU's quoted characters; a bad format, a missing address, 'i'
#    and an unmapped address are refused with QEMU's messages;
#  - info cpus: "* CPU #0: thread_id=N", the current vCPU starred, each id a
#    thread of hyve; info kvm "kvm support: enabled"; info version;
#  - info mtree -f: FlatView #0 with AS "memory", root: system, RAM as
#    pc.ram, the virtio device, the in-kernel IOAPIC and LAPIC; FlatView #1
#    the I/O ports with the UART and KVM's PIT, each list in address order;
#  - pwndbg's, GEF's and the kernel scripts' detection logic re-done in
#    gdb's python (neither GEF nor pwndbg is packaged for Debian 12).
set -u
cd "$(dirname "$0")/../.." || exit 1
. tests/e2e/bplib.sh
e2e_init monitor_qemu
skip_if_no_kvm
need_tool gdb python3
require_files "$HYVE"
build_bpg

block() { between q "$1-begin" "$1-end"; }
expect_block() {	# NAME REGEX WHY
	block "$1" | grep -qE -- "$2" || fail "monitor $1: no line matching '$2' ($3)"
	echo "ok: $1: $3"
}
hex16() { printf '%016x' "$(($1))"; }

truncate -s 1M "$WORK/disk.img"
start_debug -c 2 -m 64M --kernel "$BPG" --append mode=mon --disk "$WORK/disk.img" -G 0
wait_out '^MON gdtr ' 30
hyve_pid=$(pgrep -P "$BG_PID" | head -n 1)
[ -n "$hyve_pid" ] || fail "cannot find hyve's process"
gdb_run q tests/e2e/gdb4/monitor_qemu.gdb "$BPG" -ex "set \$hpid = $hyve_pid" \
	-ex "set \$maps = \"$WORK/maps\"" -ex "set \$tasks = \"$WORK/tasks\""

# packets, in the order sent
mapfile -t rec <<<"$(block packets | sed -n 's/^received: "\(.*\)"$/[\1]/p')"
want=("[sstepbits;sstep;PhyMemMode]" "[ENABLE=1,NOIRQ=2,NOTIMER=4]" "[ENABLE=1,NOIRQ=2,NOTIMER=4]"
	"[0x3]" "[OK]" "[0x1]" "[E22]" "[0x1]" "[name:hyve;version:$("$HYVE" --version | awk '{ print $2 }');]" "[]")
[ "${#rec[@]}" = "${#want[@]}" ] || fail "packets: ${#rec[@]} replies, want ${#want[@]}: ${rec[*]}"
for i in "${!want[@]}"; do
	[ "${rec[$i]}" = "${want[$i]}" ] || fail "packet reply $i is '${rec[$i]}', want '${want[$i]}'"
done
echo "ok: qqemu.Supported, sstepbits, sstep (0x1 taken, 0x7 refused: E22), qGDBServerVersion, qOffsets"
expect_block sstep1 '; step-irq on;' "Qqemu.sstep=0x1 (NOIRQ clear) lets interrupts into steps"
expect_block sstep3 '; step-irq off;' "Qqemu.sstep=0x3 holds them off again"

mv=$(val q mv)
expect_block gva "^gpa: $(printf '%#x' $((mv - 0xffffffff80000000)))\$" "gva2gpa mon_value: its physical address"
expect_block gva '^gpa: 0x100000$' "gva2gpa of the image's first byte"
expect_block gva '^Unmapped$' "gva2gpa of an unmapped address"

hva0=$(block hva | sed -n 's/^Host virtual address for 0 (pc.ram) is \(0x[0-9a-f]*\)$/\1/p')
hva1=$(block hva | sed -n 's/^Host virtual address for 0x100000 (pc.ram) is \(0x[0-9a-f]*\)$/\1/p')
[ -n "$hva0" ] && [ -n "$hva1" ] || fail "gpa2hva: no 'Host virtual address for ... (pc.ram) is 0x...' lines"
[ $((hva1 - hva0)) = $((0x100000)) ] || fail "gpa2hva: 0x100000 is at $hva1, 0 at $hva0: not 1 MiB apart"
[ -s "$WORK/maps" ] || fail "no copy of hyve's memory map"
python3 - "$WORK/maps" "$hva1" <<'PY' || fail "gpa2hva: $hva1 is in no mapping of hyve (pid $hyve_pid)"
import sys
a = int(sys.argv[2], 16)
for l in open(sys.argv[1]):
    lo, hi = [int(x, 16) for x in l.split()[0].split('-')]
    if lo <= a < hi and 'rw' in l.split()[1]:
        sys.exit(0)
sys.exit(1)
PY
echo "ok: gpa2hva: RAM 1 MiB apart, inside hyve's own writable mapping"
expect_block hva '^Memory at address 0xd0000000 is not RAM$' "gpa2hva of the virtio device"
expect_block hva '^No memory is mapped at address 0xe0000000$' "gpa2hva of nothing"

b=$(elf_bytes "$BPG" 0x100000 16 phys) || fail "cannot read $BPG at physical 0x100000"
read -ra B <<<"$b"
expect_block xp "^0000000000100000: ${B[*]:0:8}\$" "xp /16xb: the ELF's first 8 bytes, QEMU's line"
expect_block xp "^0000000000100008: ${B[*]:8:8}\$" "xp /16xb: the next 8"
[ "$(block xp | grep -c '^0000')" = 2 ] || fail "xp /16xb: not two lines"
expect_block xpgef "^0000000000100000: ${B[*]:0:8}\$" "xp/16xb (GEF's spelling, no space)"
words=$(python3 -c 'import sys; b=[int(x,16) for x in sys.argv[1:]]; print(" ".join("0x%08x" % int.from_bytes(bytes(b[i:i+4]), "little") for i in range(0, 16, 4)))' "${B[@]}")
expect_block xw "^0000000000100000: $words\$" "xp /4xw: little-endian words, 8 digits"
v=$(elf_bytes "$BPG" 0xffffffff80100000 16) || fail "cannot read $BPG at 0xffffffff80100000"
read -ra V <<<"$v"
quads=$(python3 -c 'import sys; b=[int(x,16) for x in sys.argv[1:]]; print(" ".join("0x%016x" % int.from_bytes(bytes(b[i:i+8]), "little") for i in (0, 8)))' "${V[@]}")
expect_block xv "^ffffffff80100000: $quads\$" "x /2xg: virtual, through the page tables"
read -r d u o <<<"$(python3 -c 'v=0xfeedface12345678; print("%20d %20d %22s" % (v - 2**64, v, "0%o" % v))')"
expect_block xd "^$(hex16 "$mv"): +$d\$" "x /1dg: signed, as QEMU's %*PRId64"
expect_block xd "^$(hex16 "$mv"): +$u\$" "x /1ug: unsigned"
expect_block xd "^$(hex16 "$mv"): 0x5678 0x1234\$" "x /2xh: halfwords"
expect_block xd "^$(hex16 "$mv"): +$o\$" "x /1og: octal with C's leading 0, QEMU's %#*o"
expect_block xsticky "^0000000000100000: $(python3 -c 'import sys; print("0x%04x" % int.from_bytes(bytes(int(x,16) for x in sys.argv[1:3]), "little"))' "${B[@]}")\$" \
	"xp without /FMT: one unit of the last format and size (x, h)"
chars=$(python3 - "${B[@]:0:4}" <<'PY'
import sys
def q(c):
    esc = {0x27: "\\'", 0x5c: "\\\\", 0x0a: "\\n", 0x0d: "\\r"}
    return "'" + esc.get(c, chr(c) if 32 <= c <= 126 else "\\x%02x" % c) + "'"
print(" ".join(q(int(x, 16)) for x in sys.argv[1:]))
PY
)
block xc | grep -qF -- "0000000000100000: $chars" || fail "xp /4cb: no line '0000000000100000: $chars'"
echo "ok: xp /4cb: QEMU's quoted characters"
expect_block xerr "^invalid char in format: 'q'\$" "a bad format letter"
expect_block xerr '^an address is needed$' "no address"
expect_block xerr "^format 'i' " "disassembly is refused with a reason"
expect_block xerr '^0000400000000000: Cannot access memory$' "an unmapped address: QEMU's message"

expect_block cpus '^\* CPU #0: thread_id=[0-9]+$' "info cpus: CPU #0 is current"
expect_block cpus '^  CPU #1: thread_id=[0-9]+$' "info cpus: CPU #1"
expect_block cpus2 '^\* CPU #1: thread_id=[0-9]+$' "info cpus after 'thread 2': CPU #1 is current"
for tid in $(block cpus | sed -n 's/.*thread_id=\([0-9]*\)$/\1/p'); do
	grep -qx "$tid" "$WORK/tasks" || fail "info cpus: thread_id $tid is not a thread of hyve ($hyve_pid)"
done
[ "$(block cpus | sed -n 's/.*thread_id=//p' | sort -u | wc -l)" = 2 ] || fail "info cpus: the thread ids are not distinct"
echo "ok: info cpus: each thread_id is a thread of hyve"
expect_block kvm '^kvm support: enabled$' "info kvm"
expect_block version "^$("$HYVE" --version | awk '{ print $2 }') \\(hyve\\)\$" "info version: hyve's version"

expect_block mtree '^FlatView #0$' "info mtree -f: the memory view"
expect_block mtree '^ AS "memory", root: system$' "the memory address space"
expect_block mtree '^ AS "cpu-memory-1", root: system$' "one per vCPU, as QEMU"
expect_block mtree '^ Root memory region: system$' "QEMU's root line (GEF looks for it)"
expect_block mtree '^  0000000000000000-0000000003ffffff \(prio 0, ram\): pc.ram$' "64 MiB of RAM"
expect_block mtree '^  00000000d0000000-00000000d0000fff \(prio 0, i/o\): virtio-blk$' "the virtio-mmio disk"
expect_block mtree '^  00000000fec00000-00000000fec00fff \(prio 0, i/o\): kvm-ioapic$' "KVM's IOAPIC"
expect_block mtree '^  00000000fee00000-00000000feefffff \(prio 4096, i/o\): kvm-apic-msi$' "KVM's LAPIC window"
expect_block mtree '^FlatView #1$' "the I/O view"
expect_block mtree '^ Root memory region: io$' "its root"
expect_block mtree '^  00000000000003f8-00000000000003ff \(prio 0, i/o\): uart8250$' "COM1"
expect_block mtree '^  0000000000000040-0000000000000043 \(prio 0, i/o\): kvm-pit$' "KVM's PIT"
for v in 0 1; do
	starts=$(block mtree | awk -v v="FlatView #$v" '$0 == v { on = 1; next } /^FlatView/ { on = 0 } on && /^  [0-9a-f]{16}-/ { print substr($1, 1, 16) }')
	[ "$starts" = "$(sort <<<"$starts")" ] || fail "FlatView #$v is not in address order"
done
echo "ok: both views in address order"

expect_val q pwndbg_qemu 1 "pwndbg takes hyve for QEMU"
expect_val q pwndbg_usermode 0 "... for QEMU running a kernel"
expect_val q lx_qemu 1 "the kernel's scripts/gdb take hyve for QEMU"
expect_val q gef_sections 2 "GEF's vmmap parse: the two ranges"
expect_val q gef_low_perms "-rw" "GEF's vmmap: mon_value's identity address is -rw"
expect_val q gef_gpa "$(printf '%#x' $((mv - 0xffffffff80000000)))" "GEF's gva2gpa regex"
wait_bg 20
expect_rc 94
expect_line "$WORK/out" '^MON RELEASED 0x5e '
pass
