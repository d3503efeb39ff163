#!/bin/bash
# monitor_dump.sh -- `monitor dump FILE` writes an ELF core that gdb opens
# with the guest's ELF: bpg (mode=mon, 2 vCPUs) dumped while it spins in
# mon_spin; `gdb bpg.elf FILE` then shows a backtrace mon_spin <- guest_main,
# one thread per vCPU with the registers the live session saw, and the
# guest's variables (mon_laps as it was at the dump, mon_value, alt_cr3 as
# the guest printed it); the FP/SSE state from NT_PRFPREG ($xmm0 and $mxcsr
# as the live session set them, `info float`); memory by virtual address
# both through the identity map and the higher half, with the ELF's bytes.
# The file itself: per vCPU NT_PRSTATUS, NT_PRFPREG and QEMU's "QEMU" note
# (version 1, CR3 as gdb saw it, the IDT base as the guest's sidt); no two
# PT_LOADs with the same virtual address, size and physical address; the
# identity mapping at virtual 0 is physical 0, the higher half is physical
# 0 too; every byte of RAM is in some segment by physical address (crash).
set -u
cd "$(dirname "$0")/../.." || exit 1
. tests/e2e/bplib.sh
e2e_init monitor_dump
skip_if_no_kvm
need_tool gdb readelf
require_files "$HYVE"
build_bpg

start_debug -c 2 -m 64M --kernel "$BPG" --append mode=mon -G 0
wait_out '^MON gdtr ' 30
alt=$(tr -d '\r' <"$WORK/out" | sed -n 's/^MON .* alt_cr3 //p')
gdb_run live tests/e2e/gdb4/monitor_dump.gdb "$BPG" -ex "set \$core = \"$WORK/vm.core\""
expect_out live "^wrote $WORK/vm.core\$" "the monitor says it wrote the file"
wait_bg 20
expect_rc 68
[ -s "$WORK/vm.core" ] || fail "no core file"
readelf -h "$WORK/vm.core" | grep -q 'Type: *CORE' || fail "$WORK/vm.core is not an ELF core"
echo "ok: an ELF core ($(stat -c %s "$WORK/vm.core") bytes)"

GDB_LOGS="$GDB_LOGS core.out"
timeout -k 5 "$GDB_TIMEOUT" "$GDB" -batch -nx -ex 'set pagination off' "$BPG" "$WORK/vm.core" \
	-x tests/e2e/gdb4/monitor_core.gdb </dev/null >"$WORK/core.out" 2>&1
expect_out core '^#0 +(0x[0-9a-f]+ in )?mon_spin \(\) at bpg\.c' "bt: frame 0 in mon_spin"
expect_out core '^#1 +0x[0-9a-f]+ in (mon_main|guest_main) ' "bt: its caller"
expect_count core '^[* ] +[0-9]+ +(process|Thread|LWP) ' 2 "info threads: one thread per vCPU"
expect_val core core_pc0 "$(val live live_pc0)" "vCPU 0's pc as the live session saw it"
expect_val core core_pc1 "$(val live live_pc1)" "vCPU 1's pc"
expect_val core core_rsp1 "$(val live live_rsp1)" "vCPU 1's rsp"
expect_val core core_laps "$(val live live_laps)" "a variable as it was at the dump"
expect_val core core_value 0xfeedface12345678
expect_val core core_alt_cr3 "$alt" "alt_cr3 as the guest printed it"
expect_val core core_xmm0_lo 0x1122334455667788 "\$xmm0 from NT_PRFPREG"
expect_val core core_xmm0_hi 0x0102030405060708 "\$xmm0's upper half"
expect_val core core_mxcsr 0x1fa0 "\$mxcsr"
expect_val core core_fctrl "$(val live live_fctrl)" "\$fctrl as the live vCPU had it"
between core float-begin float-end | grep -qE "^Control Word: +$(printf '0x%04x' "$(val live live_fctrl)")" ||
	fail "info float: no 'Control Word: $(val live live_fctrl)' line"
echo "ok: info float reads the x87 state"
lo=$(elf_bytes "$BPG" 0x100000 8 phys | python3 -c 'import sys; print(hex(int("".join(x[2:] for x in reversed(sys.stdin.read().split())), 16)))')
expect_val core core_low "$lo" "the identity map: the ELF's bytes at 0x100000"
expect_val core core_high "$lo" "the higher half: the same bytes at 0xffffffff80100000"
read -r _ _ _ _ _ idtr _ _ _ <<<"$(tr -d '\r' <"$WORK/out" | grep '^MON gdtr ')"
python3 - "$WORK/vm.core" "$(val live live_cr3)" "$idtr" $((64 << 20)) <<'PY' || fail "the core's notes or segments are not right"
import struct, sys
d = open(sys.argv[1], 'rb').read()
cr3, idt, ram = int(sys.argv[2], 0), int(sys.argv[3], 0), int(sys.argv[4])
phoff, = struct.unpack_from('<Q', d, 0x20)
phnum, = struct.unpack_from('<H', d, 0x38)
loads, notes = [], []
for i in range(phnum):
    typ, _, off, va, pa, fsz, msz, _ = struct.unpack_from('<IIQQQQQQ', d, phoff + 56 * i)
    if typ == 1:
        loads.append((va, pa, fsz))
    elif typ == 4:
        p = off
        while p < off + fsz:
            nsz, dsz, t = struct.unpack_from('<III', d, p)
            name = d[p + 12:p + 12 + nsz].rstrip(b'\x00').decode()
            desc = d[p + 12 + (nsz + 3) // 4 * 4:][:dsz]
            notes.append((name, t, desc))
            p += 12 + (nsz + 3) // 4 * 4 + (dsz + 3) // 4 * 4
def check(ok, why):
    if not ok:
        sys.exit('core: ' + why)
    print('ok: core: ' + why)
kinds = [(n, t) for n, t, _ in notes]
check(kinds.count(('CORE', 1)) == 2, 'two NT_PRSTATUS')
check(kinds.count(('CORE', 2)) == 2, 'two NT_PRFPREG')
check(kinds.count(('QEMU', 0)) == 2, 'two QEMU notes')
check([k for k in kinds][:3] == [('CORE', 1), ('CORE', 2), ('QEMU', 0)], 'each vCPU: PRSTATUS, PRFPREG, QEMU')
q = [desc for n, t, desc in notes if n == 'QEMU'][0]
ver, size = struct.unpack_from('<II', q, 0)
check(ver == 1 and size == len(q), 'QEMU note version 1, its size in it')
# after version/size: 16 GPRs, rip, rflags (18 * 8), 10 segments of 24 bytes, then cr[5]
crs = struct.unpack_from('<5Q', q, 8 + 18 * 8 + 10 * 24)
check(crs[3] == cr3, 'QEMU note: CR3 0x%x as gdb saw it' % crs[3])
idt_base, = struct.unpack_from('<Q', q, 8 + 18 * 8 + 9 * 24 + 16)
check(idt_base == idt, 'QEMU note: the IDT base as the guest saw it')
check(len(set(loads)) == len(loads), 'no two identical PT_LOADs (%d of them)' % len(loads))
check(any(va == 0 and pa == 0 for va, pa, _ in loads), 'the identity map: virtual 0 is physical 0')
check(any(va == 0xffffffff80000000 and pa == 0 for va, pa, _ in loads), 'the higher half is physical 0')
vas = {}
for va, pa, sz in loads:
    vas.setdefault(va, set()).add((pa, sz))
check(all(len(v) == 1 for v in vas.values()), 'no virtual address starts two segments')
cov = sorted((pa, pa + sz) for va, pa, sz in loads)
end = 0
for s, e in cov:
    if s > end:
        break
    end = max(end, e)
check(end >= ram, 'physical 0..%d MiB all in segments by p_paddr' % (ram >> 20))
PY
pass
