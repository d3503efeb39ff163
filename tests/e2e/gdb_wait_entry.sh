#!/bin/bash
# gdb_wait_entry.sh -- `-G w` holds the guest before its first instruction:
# gdb finds RIP at the ELF entry (readelf -h) with the loader's registers
# (multiboot: EAX 0x2badb002, EBX the info the guest later reports; ELF64 in
# long mode: RSI the start info), the guest prints nothing until the
# debugger lets it go, and after `continue` it runs to its end.
set -u
cd "$(dirname "$0")/../.." || exit 1
. tests/e2e/gdblib.sh
e2e_init gdb_wait_entry
skip_if_no_kvm
need_tool gdb readelf
require_files "$HYVE" "$GUESTS/flat32.elf" "$GUESTS/long64.elf"

# held: nothing on COM1 while no debugger is attached
held_check() {
	sleep 1
	bg_running || fail "hyve ended while it should wait for a debugger"
	[ ! -s "$WORK/out" ] || fail "the guest ran before a debugger attached"
	echo "ok: guest held (no output after 1 s)"
}

# --- multiboot ELF32, flat protected mode ---
elf=$GUESTS/flat32.elf
start_debug -m 64M --kernel "$elf" --append "gdb entry test" -G w0
held_check
gdb_run mb tests/e2e/gdb/entry.gdb
expect_val mb rip "$(elf_entry "$elf")" "multiboot entry from readelf -h"
expect_val mb rax 0x2badb002 "multiboot magic in EAX"
expect_val mb threads 1
wait_bg 20
expect_rc 0
expect_line "$WORK/out" '^FLAT32 OK' "guest output after continue"
expect_line "$WORK/out" '^cmdline: gdb entry test' "guest output after continue"
mbi=$(tr -d '\r' <"$WORK/out" | sed -n 's/^multiboot info at \(0x[0-9a-f]*\).*/\1/p')
[ -n "$mbi" ] || fail "flat32 printed no 'multiboot info at' line"
expect_val mb rbx "$mbi" "EBX = the multiboot info the guest reports"
cr0=$(val mb cr0)
(( (cr0 & 1) == 1 && (cr0 & 0x80000000) == 0 )) ||
	fail "multiboot entry: CR0=$cr0, want PE set and PG clear"
echo "ok: flat32 CR0=$cr0 (PE, no PG)"

# --- ELF64 higher-half kernel entered in long mode ---
elf=$GUESTS/long64.elf
start_debug -m 64M --kernel "$elf" -G w0
held_check
gdb_run l64 tests/e2e/gdb/entry.gdb
expect_val l64 rip "$(elf_entry "$elf")" "ELF64 entry from readelf -h"
efer=$(val l64 efer)
(( (efer & 0x500) == 0x500 )) || fail "long64 entry: EFER=$efer, want LME and LMA"
echo "ok: long64 EFER=$efer (LME LMA)"
wait_bg 20
expect_rc 0
expect_line "$WORK/out" '^LONG64 OK' "guest output after continue"
si=$(tr -d '\r' <"$WORK/out" | sed -n 's/^start info at \(0x[0-9a-f]*\),.*/\1/p')
[ -n "$si" ] || fail "long64 printed no 'start info at' line"
expect_val l64 rsi "$si" "RSI = the start info the guest reports"
pass
