#!/bin/bash
# monitor_cmds.sh -- the monitor commands, each with its output checked
# against what the guest or the ELF file says.  bpg (mode=mon, 2 vCPUs)
# prints its own GDTR/IDTR (sgdt/sidt) and alt_cr3, a second address space
# mapping only 0x400000000000 to a page starting ALT_SECRET; it has set
# DR1 = 0x1234000 and DR7 = 0xd00400 itself.
#  - help: every command listed, help itself once;
#  - status: both vCPUs in long mode, vCPU 0's rip = gdb's $pc, 64 MiB,
#    virtual addresses, step-irq off;
#  - info state (hyve's dump): GDTR/IDTR as the guest read them, DR1/DR7 as
#    it set them, the hidden state of CS (base 0, L=1) and of the data segments;
#  - info mappings: the identity map of 0..4 GiB and the higher half
#    0xffffffff80000000 -> 0 (2 GiB);
#  - info registers in QEMU's format (target/i386/cpu-dump.c as QEMU 7.2
#    prints a KVM vCPU: "RIP=... RFL=... [-------] CPL=0 II=0 A20=1 SMM=0
#    HLT=0", "CS =0010 base limit flags DPL=0 CS64 [-RA]", "GDT=     base
#    limit", ...), with the same values; -a: a block per vCPU;
#  - info mem in QEMU's format (its mem_print: "start-end size -rw", end
#    exclusive, merged by permission only): the same two ranges;
#  - phys on: `x` at 0x100000 is the ELF's bytes at physical 0x100000; a
#    higher-half address is no physical address; phys off: it reads again;
#    the same with Qqemu.PhyMemMode:1 / qqemu.PhyMemMode;
#  - cr3 alt_cr3: 0x400000000000 reads ALT_SECRET, the kernel's own
#    higher half is unmapped there, info mem lists that one page; cr3 off:
#    back to the vCPU's own;
#  - step-irq on|off: acknowledged and shown by status;
#  - an unknown command says so; bad arguments get the command's usage line
#    (monitor cr3 zzz, step-irq maybe, phys without an argument, ...), never
#    gdb's "Protocol error with Rcmd".
set -u
cd "$(dirname "$0")/../.." || exit 1
. tests/e2e/bplib.sh
e2e_init monitor_cmds
skip_if_no_kvm
need_tool gdb python3
require_files "$HYVE"
build_bpg

block() { between m "$1-begin" "$1-end"; }
expect_block() {	# NAME REGEX WHY
	block "$1" | grep -qE -- "$2" || fail "monitor $1: no line matching '$2' ($3)"
	echo "ok: monitor $1: $3"
}
hex16() { printf '%016x' "$(($1))"; }

start_debug -c 2 -m 64M --kernel "$BPG" --append mode=mon -G 0
wait_out '^MON gdtr ' 30
# a here-string, not < <(...): process substitution needs /dev/fd, which a
# bare devtmpfs /dev (an initramfs without udev) does not have
read -r _ _ gdtr gdtl _ idtr idtl _ alt <<<"$(tr -d '\r' <"$WORK/out" | grep '^MON gdtr ')"
[ -n "$alt" ] || fail "cannot read the guest's MON line: '$(tr -d '\r' <"$WORK/out" | grep '^MON gdtr ')'"
gdb_run m tests/e2e/gdb4/monitor_cmds.gdb "$BPG"
for c in help status 'info registers \[-a\]' 'info mem' 'info state' 'info mappings' \
	'info events' 'info idt' 'info gdt' 'info lapic' 'info pic' 'info ioapic' 'xlate VA' \
	'phys on\|off' 'cr3 VALUE\|off' 'dump FILE' reset 'step-irq on\|off' 'packets on\|off' \
	'gva2gpa ADDR' 'gpa2hva ADDR' 'xp /FMT ADDR' 'x /FMT ADDR' 'info cpus' 'info kvm' \
	'info version' 'info mtree \[-f\]'; do
	expect_block help "^  $c " "help lists '$c'"
done
[ "$(block help | grep -c '^  help ')" = 1 ] || fail "help lists 'help' $(block help | grep -c '^  help ') times"
pc=$(val m pc)
expect_block status "^vCPU 0: long mode, rip=$(hex16 "$pc"), runnable$" "vCPU 0 at gdb's \$pc"
expect_block status '^vCPU 1: long mode, rip=[0-9a-f]{16}, runnable$' "vCPU 1 listed"
expect_block status '^memory: virtual addresses; step-irq off; 64 MiB RAM$' "settings and RAM size"
expect_block regs '^vCPU 0 \(long mode\)$' "names the vCPU and its mode"
expect_block regs "^rip=$(hex16 "$pc") " "rip"
expect_block regs "^gdtr base=$(hex16 "$gdtr") limit=$(printf '%04x' "$gdtl")\$" "GDTR as the guest's sgdt"
expect_block regs "^idtr base=$(hex16 "$idtr") limit=$(printf '%04x' "$idtl")\$" "IDTR as the guest's sidt"
expect_block regs '^dr0=0{16} dr1=0000000001234000 ' "DR1 as the guest set it"
expect_block regs '^dr6=[0-9a-f]{16} dr7=0000000000d00400$' "DR7 as the guest set it"
expect_block regs '^cs +0010 base=0{16} limit=ffffffff type=b s=1 dpl=0 p=1 db=0 l=1 ' "CS hidden state: 64-bit code"
expect_block regs '^ds +0018 base=0{16} limit=ffffffff type=3 s=1 dpl=0 p=1 db=1 l=0 ' "DS hidden state"
expect_block regs '^efer=0000000000000500 ' "EFER LME|LMA"
expect_block mem '^0000000000000000-00000000ffffffff 0000000000000000 +100000000 rw sup' "identity map of 4 GiB (inclusive end)"
expect_block mem '^ffffffff80000000-ffffffffffffffff 0000000000000000 +80000000 rw sup' "the higher half -> physical 0, 2 GiB, up to the top"
# QEMU's info registers: the same values in QEMU's layout
H='[0-9a-f]'
cr3=$(val m cr3)
expect_block qregs '^CPU#0$' "QEMU: the block names the vCPU"
expect_block qregs "^RAX=$H{16} RBX=$H{16} RCX=$H{16} RDX=$H{16}\$" "QEMU: the first GPR line"
expect_block qregs "^R8 =$H{16} R9 =$H{16} R10=$H{16} R11=$H{16}\$" "QEMU: R8-R11"
expect_block qregs "^RIP=$(hex16 "$pc") RFL=$H{8} \\[[-D][-O][-S][-Z][-A][-P][-C]\\] CPL=0 II=[01] A20=1 SMM=0 HLT=0\$" "QEMU: RIP, flags, CPL, SMM=0, not halted"
expect_block qregs '^ES =0018 0{16} ffffffff 00c09300 DPL=0 DS   \[-WA\]$' "QEMU: ES as KVM's flags give it"
expect_block qregs '^CS =0010 0{16} ffffffff 00a09b00 DPL=0 CS64 \[-RA\]$' "QEMU: CS, a 64-bit code segment"
expect_block qregs "^LDT=0000 0{16} $H{8} $H{8}" "QEMU: LDT"
expect_block qregs "^TR =$H{4} $H{16} $H{8} $H{8}" "QEMU: TR"
expect_block qregs "^GDT=     $(hex16 "$gdtr") $(printf '%08x' "$gdtl")\$" "QEMU: GDT as the guest's sgdt"
expect_block qregs "^IDT=     $(hex16 "$idtr") $(printf '%08x' "$idtl")\$" "QEMU: IDT as the guest's sidt"
expect_block qregs "^CR0=$H{8} CR2=$H{16} CR3=$(hex16 "$cr3") CR4=$H{8}\$" "QEMU: CR3 = gdb's \$cr3"
expect_block qregs '^DR0=0{16} DR1=0000000001234000 DR2=0{16} DR3=0{16} $' "QEMU: DR0-3, DR1 as the guest set it"
expect_block qregs "^DR6=$H{16} DR7=0000000000d00400\$" "QEMU: DR7 as the guest set it"
expect_block qregs '^EFER=0000000000000500$' "QEMU: EFER"
expect_block qregs "^FCW=$H{4} FSW=$H{4} \\[ST=[0-7]\\] FTW=$H{2} MXCSR=$H{8}\$" "QEMU: the x87/SSE control line"
expect_block qregs "^FPR6=$H{16} $H{4} FPR7=$H{16} $H{4}\$" "QEMU: FPR lines"
expect_block qregs "^(XMM14=$H{16} $H{16} XMM15=$H{16} $H{16}|YMM15=$H{16} $H{16} $H{16} $H{16})\$" "QEMU: XMM (or YMM with AVX) lines"
[ "$(block qregsall | grep -c '^CPU#')" = 2 ] || fail "info registers -a: $(block qregsall | grep -c '^CPU#') CPU blocks, want 2"
expect_block qregsall '^CPU#1$' "info registers -a: vCPU 1 too"
# QEMU's info mem: only "start-end size perms" lines, the two ranges
expect_block qmem '^0000000000000000-0000000100000000 0000000100000000 -rw$' "QEMU info mem: 4 GiB identity, exclusive end"
expect_block qmem '^ffffffff80000000-0001000000000000 0000000080000000 -rw$' "QEMU info mem: the higher half, ending where QEMU's does"
[ -z "$(block qmem | grep -vE '^qmem-(begin|end)$' | grep -vE "^$H{16}-$H{16} $H{16} [-u]r[-w]\$")" ] ||
	fail "info mem has lines not in QEMU's format: $(block qmem | grep -vE "^$H{16}-" | head -n 3)"
want=$(elf_bytes "$BPG" 0x100000 16 phys) || fail "cannot read $BPG at physical 0x100000"
[ "$(gdb_bytes m phys)" = "$want" ] || fail "phys on: x/16xb 0x100000 is '$(gdb_bytes m phys)', the ELF has '$want'"
echo "ok: phys on: 0x100000 reads the ELF's bytes at that physical address"
expect_val m phys_high error "phys on: 0xffffffff80100000 is not physical memory"
expect_val m virt_high "$(elf_bytes "$BPG" 0xffffffff80100000 8 | python3 -c 'import sys; b=sys.stdin.read().split(); print(hex(int("".join(x[2:] for x in reversed(b)),16)))')" "phys off: virtual again"
expect_out m '^received: "1"$' "qqemu.PhyMemMode says 1 after Qqemu.PhyMemMode:1"
expect_out m '^received: "0"$' "... and 0 after Qqemu.PhyMemMode:0"
expect_val m qphys_high error "Qqemu.PhyMemMode:1: the higher half is not physical"
expect_val m qphys_value 0xfeedface12345678 "Qqemu.PhyMemMode:1: mon_value at its physical address"
[ "$(($(val m alt_cr3)))" = "$((alt))" ] || fail "gdb reads alt_cr3 $(val m alt_cr3), the guest printed $alt"
expect_val m alt_secret 0x5ec7e7c0ffee0001 "cr3 alt_cr3: the other address space's page"
expect_val m alt_secret2 0xa138183f0011fffe "the second word: ~ALT_SECRET"
expect_val m alt_mon_value error "cr3 alt_cr3: the kernel's higher half is not mapped there"
alt_page=$(sym "$BPG" alt_page) || fail "no alt_page in $BPG"
expect_block altmem "^vCPU 0, cr3=$(printf '%x' "$alt") \(monitor cr3\)$" "info mem follows monitor cr3"
expect_block altmem "^0000400000000000-0000400000000fff $(hex16 $((alt_page - 0xffffffff80000000))) +1000 rw sup" "the one mapping of alt_cr3"
[ "$(block altmem | grep -cE '^[0-9a-f]{16}-')" = 1 ] || fail "info mem under alt_cr3 lists $(block altmem | grep -cE '^[0-9a-f]{16}-') mappings, want 1"
expect_block altqmem '^0000400000000000-0000400000001000 0000000000001000 -rw$' "QEMU info mem follows monitor cr3"
[ "$(block altqmem | grep -cE '^[0-9a-f]{16}-')" = 1 ] || fail "QEMU info mem under alt_cr3: not one range"
expect_val m own_secret error "cr3 off: 0x400000000000 is unmapped in the vCPU's own space"
expect_val m own_mon_value 0xfeedface12345678 "cr3 off: the higher half reads again"
expect_block irq '^step-irq on$' "step-irq on acknowledged"
expect_block irq '^memory: virtual addresses; step-irq on; 64 MiB RAM$' "status shows step-irq on"
expect_block irq '^step-irq off$' "step-irq off acknowledged"
[ "$(block irq | grep -c 'step-irq off; 64 MiB')" = 1 ] || fail "status after step-irq off does not show it"
expect_block unknown 'unknown monitor command "no-such-command"' "an unknown command is named"
expect_block badargs '^usage: monitor cr3 VALUE\|off$' "cr3 zzz: its usage"
expect_block badargs '^usage: monitor step-irq on\|off$' "step-irq maybe: its usage"
expect_block badargs '^usage: monitor phys on\|off$' "phys without an argument: its usage"
expect_block badargs '^usage: monitor info mem$' "info mem takes no argument"
expect_block badargs '^usage: monitor xlate VA$' "xlate without an address"
expect_block badargs '^usage: monitor gva2gpa ADDR$' "gva2gpa with a bad address"
! block badargs | grep -qiE 'protocol error|unknown monitor command' ||
	fail "bad arguments answered as an error: $(block badargs | grep -iE 'protocol error|unknown' | head -n 1)"
echo "ok: no bad argument gives a protocol error"
wait_bg 20
expect_rc 93
expect_line "$WORK/out" '^MON RELEASED 0x5d dr0 '
pass
