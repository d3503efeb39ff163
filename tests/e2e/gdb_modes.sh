#!/bin/bash
# gdb_modes.sh -- memory reads in each CPU mode, compared with the bytes of
# the guest's ELF file (read by this script through the program headers, not
# through hyve) and with objdump's disassembly:
#  - real mode (real16 at 0x7c00): cs:ip = 0:0x7c00, CR0.PE clear, the bytes
#    at cs*16+ip, its 16-bit code as objdump -mi8086 decodes it, and stepi
#    through the far jump lands on the jump's target cs:ip;
#  - flat 32-bit protected mode (flat32 at its multiboot entry): code and
#    rodata bytes, three stepi, ESP = the stack top the code loads;
#  - long mode, 4-level paging, higher half (long64): `x/8xb work` and
#    others equal the file's bytes, the identity alias of the same physical
#    page reads the same, an unmapped address is an error, not a crash.
set -u
cd "$(dirname "$0")/../.." || exit 1
. tests/e2e/gdblib.sh
e2e_init gdb_modes
skip_if_no_kvm
need_tool gdb objdump readelf nm python3
require_files "$HYVE" "$GUESTS/real16.bin" "$GUESTS/real16.elf" "$GUESTS/flat32.elf" \
	"$GUESTS/long64.elf"

# same_bytes NAME KEY ELF ADDR N: the x/Nxb output between KEY-begin/-end
same_bytes() {
	local want got
	want=$(elf_bytes "$3" "$4" "$5") || fail "cannot read $5 bytes at $4 from $3"
	got=$(gdb_bytes "$1" "$2")
	[ "$got" = "$want" ] || fail "$1: $2 at $4: gdb shows '$got', $3 has '$want'"
	echo "ok: $1: $2 ($5 bytes at $4) = the ELF file's bytes"
}

# --- real mode ---
elf=$GUESTS/real16.elf
start_debug -m 16M --kernel "$GUESTS/real16.bin" -o boot.format=raw -o raw.addr=0x7c00 \
	-o raw.entry=0x7c00 -o raw.mode=real16 -G w0
loop=$(sym "$elf" counter_loop) || fail "no counter_loop in $elf"
movss_ip=$(insn_after "$elf" 0x7c00 5 -mi8086) || fail "objdump"
mov_sp=$(insn_after "$elf" 0x7c00 6 -mi8086) || fail "objdump"
gdb_run r16 tests/e2e/gdb/real16.gdb - -ex "set \$counter_loop = $loop" \
	-ex "set \$dumpfile = \"$WORK/r16.bin\"" -ex "set \$mov_sp = $mov_sp"
expect_val r16 cs 0
expect_val r16 rip 0x7c00
cr0=$(val r16 cr0)
(( (cr0 & 1) == 0 )) || fail "r16: CR0=$cr0 has PE set in real mode"
same_bytes r16 entry "$elf" 0x7c00 16
same_bytes r16 loop "$elf" "$loop" 8
# 16-bit disassembly of what gdb read vs the ELF's own
[ -s "$WORK/r16.bin" ] || fail "gdb's dump of 0x7c00..0x7c40 is missing"
dis() { sed -n 's/^ *\([0-9a-f]*\):\t[0-9a-f ]*\t\(.*\)$/\1 \2/p' | sed 's/ *#.*//; s/<[^>]*>//' | head -n 8; }
got=$(objdump -D -b binary -mi8086 --adjust-vma=0x7c00 "$WORK/r16.bin" | dis)
want=$(objdump -d -mi8086 --start-address=0x7c00 "$elf" | dis)
[ -n "$want" ] && [ "$got" = "$want" ] ||
	fail "16-bit disassembly of gdb's dump differs from the ELF's:"$'\n'"$got"$'\n'"--- want:"$'\n'"$want"
echo "ok: r16: 16-bit code read through gdb disassembles as in the ELF ($(echo "$want" | wc -l) instructions)"
# the far jump: objdump says where it goes
jmp_ip=$(insn_after "$elf" 0x7c00 7 -mi8086) || fail "objdump"
objdump -d -mi8086 --start-address="$movss_ip" --stop-address="$mov_sp" "$elf" |
	grep -q 'mov *%ax,%ss' || fail "no mov %ax,%ss at $movss_ip in $elf"
expect_val r16 movss_ip "$movss_ip" "5 instructions from 0x7c00: mov %ax,%ss"
after=$(val r16 after_movss_ip)
same "$after" "$mov_sp" || same "$after" "$jmp_ip" ||
	fail "r16: stepi over mov %ax,%ss went to $after, want $mov_sp (the next instruction) or $jmp_ip (one more: the MOV SS shadow of hardware)"
echo "ok: r16: stepi over mov %ax,%ss stops at $after ($( same "$after" "$mov_sp" && echo "right after it" || echo "after the next instruction too, as the CPU holds the trap off"))"
expect_val r16 jmp_ip "$jmp_ip" "7 instructions from 0x7c00"
target=$(objdump -d -mi8086 --start-address="$jmp_ip" "$elf" | sed -n 's/.*ljmp *\$\(0x[0-9a-f]*\),\$\(0x[0-9a-f]*\).*/\1 \2/p' | head -n 1)
[ -n "$target" ] || fail "no ljmp at $jmp_ip in $elf"
same_bytes r16 jmp "$elf" "$jmp_ip" 5
expect_val r16 after_cs "${target% *}" "stepi through ljmp: cs"
expect_val r16 after_ip "${target#* }" "stepi through ljmp: ip"
wait_bg 20
expect_rc 0
expect_line "$WORK/out" '^REAL16 OK' "real16 after detach"

# --- flat 32-bit protected mode ---
elf=$GUESTS/flat32.elf
entry=$(elf_entry "$elf")
rodata=$(section_addr "$elf" .rodata) || fail "no .rodata in $elf"
start_debug -m 64M --kernel "$elf" -G w0
gdb_run f32 tests/e2e/gdb/flat32.gdb - -ex "set \$rodata = $rodata"
expect_val f32 rip "$entry"
same_bytes f32 entry "$elf" "$entry" 32
same_bytes f32 rodata "$elf" "$rodata" 16
expect_val f32 rip3 "$(insn_after "$elf" "$entry" 3)" "3 instructions from the entry"
stack_top=$(objdump -d --start-address="$entry" "$elf" | sed -n 's/.*mov *\$\(0x[0-9a-f]*\),%esp.*/\1/p' | head -n 1)
[ -n "$stack_top" ] || fail "no 'mov \$X,%esp' at the start of $elf"
expect_val f32 esp "$stack_top" "ESP after the entry's mov \$stack_top,%esp"
wait_bg 20
expect_rc 0

# --- long mode, higher half ---
elf=$GUESTS/long64.elf
rodata=$(section_addr "$elf" .rodata) || fail "no .rodata in $elf"
start_debug -m 64M --kernel "$elf" -G w0
gdb_run l64 tests/e2e/gdb/long64.gdb "$elf" -ex "set \$rodata = $rodata"
expect_val l64 rip "$(elf_entry "$elf")"
work=$(sym "$elf" work) && main=$(sym "$elf" guest_main) || fail "symbols of $elf"
same_bytes l64 work "$elf" "$work" 8
same_bytes l64 main "$elf" "$main" 16
same_bytes l64 rodata "$elf" "$rodata" 16
[ "$(gdb_bytes l64 work_phys)" = "$(gdb_bytes l64 work)" ] ||
	fail "l64: the identity alias of work's page reads '$(gdb_bytes l64 work_phys)', the higher half '$(gdb_bytes l64 work)'"
echo "ok: l64: identity alias reads the same bytes as the higher half"
expect_val l64 unmapped error "reading an unmapped address"
expect_val l64 unmapped_msg "Cannot access memory at address 0x400000000000"
expect_val l64 still_here 1
wait_bg 20
expect_rc 0
expect_line "$WORK/out" '^LONG64 OK' "long64 after detach"
pass
