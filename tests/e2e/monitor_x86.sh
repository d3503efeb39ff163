#!/bin/bash
# monitor_x86.sh -- the x86 inspection commands and the system registers as
# gdb registers, each checked against what the guest set up or what guest
# memory holds.  bpg (mode=x86, 2 vCPUs) made IDT gate 0x80 a DPL-3 trap
# gate, set TPR 0x50, let a one-shot LAPIC timer (vector 0x42, count 1000,
# divide 16) expire with interrupts off, routed I/O APIC pin 10 to vector
# 0x47 on APIC 1, set DR1/DR7:
#  - info idt: gate 3 is an interrupt gate to isr_stubs + 3 * 16, gate 0x80
#    a trap gate with DPL 3, all 256 present;
#  - info gdt: the raw descriptors are gdt64's (as gdb reads them), decoded:
#    0x08 32-bit code, 0x10 64-bit code (L=1), 0x18 flat data;
#  - info lapic (QEMU's format): LVTT one-shot vector 66, the timer's
#    initial count 1000 and current 0, vector 66 in the IRR (below the TPR), TPR and PPR
#    0x50, the LAPIC software-enabled with spurious vector 255;
#  - info pic / info ioapic (QEMU's format): pin 10 -> vector 71, APIC 1;
#  - info events: nothing pending or injected;
#  - xlate mon_value: 4-level, the walk ends at its physical address, and
#    every entry printed is the one at that guest-physical address (xp);
#    an unmapped address stops at an entry that is not present;
#  - $dr1, $dr7, $gdtr_base/limit, $idtr_base/limit, $cs_base/limit,
#    $ds_limit, $tr/$tr_base/$tr_limit as the guest and info state have
#    them; `info registers dr7` decodes; plain `info registers` lists them
#    (gdb's amd64 code ignores the "system" group); $tr cannot be written;
#    $dr0 written by gdb reaches the guest's own DR0 (it prints it).
set -u
cd "$(dirname "$0")/../.." || exit 1
. tests/e2e/bplib.sh
e2e_init monitor_x86
skip_if_no_kvm
need_tool gdb python3
require_files "$HYVE"
build_bpg

block() { between x "$1-begin" "$1-end"; }
expect_block() {	# NAME REGEX WHY
	block "$1" | grep -qE -- "$2" || fail "monitor $1: no line matching '$2' ($3)"
	echo "ok: $1: $3"
}
hex16() { printf '%016x' "$(($1))"; }
T=$'\t'

start_debug -c 2 -m 64M --kernel "$BPG" --append mode=x86 -G 0
wait_out '^MON gdtr ' 30
read -r _ _ gdtr gdtl _ idtr idtl _ _ <<<"$(tr -d '\r' <"$WORK/out" | grep '^MON gdtr ')"
gdb_run x tests/e2e/gdb4/monitor_x86.gdb "$BPG"

isr=$(val x isr)
expect_block idt "^IDT base=$(hex16 "$idtr") limit=$(printf '%04x' "$idtl"): 64-bit gates, 16-byte entries\$" "the IDTR the guest has"
expect_block idt "^  0x03: 0010:$(hex16 $((isr + 3 * 16))) IntGate64  DPL=0 P=1 IST=0\$" "gate 3: its stub"
expect_block idt "^  0x80: 0010:$(hex16 $((isr + 0x80 * 16))) TrapGate64 DPL=3 P=1 IST=0\$" "gate 0x80: the guest's DPL-3 trap gate"
[ "$(block idt | grep -c '^  0x.*P=1')" = 256 ] || fail "info idt: $(block idt | grep -c '^  0x.*P=1') present gates, want 256"
echo "ok: idt: 256 present gates"

g8=$(printf '%016x' "$(val x gdt8)"); g16=$(printf '%016x' "$(val x gdt16)"); g24=$(printf '%016x' "$(val x gdt24)")
expect_block gdt "^GDT base=$(hex16 "$gdtr") limit=$(printf '%04x' "$gdtl")\$" "the GDTR the guest has"
expect_block gdt '^  0x0000: 0{16} null$' "the null descriptor"
expect_block gdt "^  0x0008: $g8 code base=00000000 limit=ffffffff DPL=0 P=1 D=1 \\[-RA\\]\$" "0x08: flat 32-bit code"
expect_block gdt "^  0x0010: $g16 code base=00000000 limit=ffffffff DPL=0 P=1 L=1 \\[-RA\\]\$" "0x10: 64-bit code"
expect_block gdt "^  0x0018: $g24 data base=00000000 limit=ffffffff DPL=0 P=1 B=1 \\[-WA\\]\$" "0x18: flat data"

expect_block lapic '^dumping local APIC state for CPU 0 $' "info lapic: QEMU's header"
expect_block lapic "^LVT0$T 0x00010000 active-hi edge  masked +Fixed  \\(vec 0\\)\$" "LINT0 masked"
expect_block lapic "^LVTT$T 0x00000042 active-hi edge +one-shot +Fixed  \\(vec 66\\)\$" "the timer LVT: one-shot, vector 66"
expect_block lapic "^Timer$T DCR=0x3 \\(divide by 16\\) initial_count = 1000 current_count = 0\$" "the timer: divide, initial and current count"
expect_block lapic "^SPIV$T 0x000001ff APIC enabled, focus=off, spurious vec 255\$" "SPIV"
expect_block lapic "^ISR$T \\(none\\)\$" "nothing in service"
expect_block lapic "^IRR$T 66 \$" "the expired timer's vector waits in the IRR"
expect_block lapic '^APR 0x00 TPR 0x50 DFR 0x0f LDR 0x[0-9a-f]{2} PPR 0x50$' "TPR and PPR 0x50, flat model"
for b in pic ioapic; do
	expect_block $b '^ioapic0: ver=0x11 id=0x00 sel=0x[0-9a-f]{2}' "info $b: QEMU's header, KVM's version"
	expect_block $b '^  pin 10 0x0100000000000047 dest=1 vec=71  active-hi edge +fixed  physical$' "pin 10 -> vector 71 on APIC 1"
	expect_block $b '^  pin 0  0x[0-9a-f]{16} dest=[0-9a-f]+ vec=[0-9]+ +active-(hi|lo) (edge|level)' "pin 0's line"
	expect_block $b '^  Remote IRR ' "the Remote IRR line"
done
[ "$(block ioapic | grep -c '^  pin ')" = 24 ] || fail "info ioapic: not 24 pins"
expect_block pic '^pic1: irr=[0-9a-f]{2} imr=[0-9a-f]{2} isr=[0-9a-f]{2} hprio=[0-7] irq_base=[0-9a-f]{2} rr_sel=[01] elcr=[0-9a-f]{2} fnm=[01]$' "the slave 8259"
expect_block pic '^pic0: irr=' "the master 8259"
expect_block events '^exception: injected=0 pending=0 nr=[0-9]+$' "no exception"
expect_block events '^interrupt: injected=0 nr=[0-9]+ soft=0 shadow=0$' "no interrupt injected (IF=0)"
expect_block events '^nmi: injected=0 pending=0 masked=0$' "no NMI"
expect_block events '^smi: smm=0 pending=0 inside_nmi=0$' "not in SMM"

mv=$(val x mv)
expect_block xlate "^xlate $(hex16 "$mv"): 4-level paging, cr3=$(hex16 "$(val x cr3)")\$" "xlate: mode and CR3"
expect_block xlate "^  PML4E\\[511\\] at [0-9a-f]{16}: [0-9a-f]{16} P RW" "the PML4 entry for the top 512 GiB"
expect_block xlate "^  PDPTE\\[510\\] at " "the PDPT entry"
expect_block xlate "^  gpa $(hex16 $((mv - 0xffffffff80000000))) \\([0-9]+ KiB page, writable, supervisor, (executable|no-execute)\\)\$" "the walk ends at mon_value's physical address"
expect_val x xlate_bad 0 "every entry xlate printed is the one in guest memory"
[ "$(val x xlate_entries)" -ge 3 ] || fail "xlate printed $(val x xlate_entries) entries"
echo "ok: xlate: $(val x xlate_entries) entries, each as xp reads it"
expect_block xlate2 '^  PML4E\[128\] at [0-9a-f]{16}: 0{16}$' "an unmapped address: the empty PML4 entry"
expect_block xlate2 '^  not mapped: that entry is not present$' "... and why it stops"

expect_val x dr1 0x1234000 "\$dr1 as the guest set it"
expect_val x dr7 0xd00400 "\$dr7 as the guest set it"
expect_val x gdtr_base "$gdtr" "\$gdtr_base = the guest's sgdt"
expect_val x gdtr_limit "$gdtl" "\$gdtr_limit"
expect_val x idtr_base "$idtr" "\$idtr_base = the guest's sidt"
expect_val x idtr_limit "$idtl" "\$idtr_limit"
expect_val x cs_base 0 "\$cs_base"
expect_val x cs_limit 0xffffffff "\$cs_limit"
expect_val x ds_limit 0xffffffff "\$ds_limit"
read -r trsel trbase trlim <<<"$(block state | sed -n 's/^tr   \([0-9a-f]*\) base=\([0-9a-f]*\) limit=\([0-9a-f]*\) .*/0x\1 0x\2 0x\3/p')"
[ -n "${trlim:-}" ] || fail "info state has no tr line"
expect_val x tr "$trsel" "\$tr = info state's TR selector"
expect_val x tr_base "$trbase" "\$tr_base"
expect_val x tr_limit "$trlim" "\$tr_limit"
expect_block regdr7 '^dr7 +0xd00400 +13632512$' "info registers dr7"
expect_block regdr7 "^gdtr_base +0x$(printf '%x' "$gdtr") " "info registers gdtr_base"
expect_block regall '^dr7 +0x' "plain info registers lists them (gdb's amd64 puts them in general)"
expect_val x tr_write error "\$tr (a selector alone) cannot be written"
wait_bg 20
expect_rc 95
expect_line "$WORK/out" '^MON RELEASED 0x5f dr0 0x5000$' "\$dr0 written in gdb reached the guest's own DR0"
pass
