#!/bin/bash
# gdb_unix.sh -- `-G wunix:PATH`: hyve listens on a Unix socket whose file
# has mode 0600 (only its owner may connect), `target remote PATH` works
# (held at the entry, registers, memory, stepi, one client at a time), and
# the socket file is gone once hyve exits.
set -u
cd "$(dirname "$0")/../.." || exit 1
. tests/e2e/gdblib.sh
e2e_init gdb_unix
skip_if_no_kvm
need_tool gdb stat
require_files "$HYVE"
build_dbg64

sock=$WORK/gdb.sock
start_debug -m 64M --kernel "$DBG64" -G "wunix:$sock"
[ "$GDB_ADDR" = "$sock" ] || fail "hyve listens on '$GDB_ADDR', want $sock"
[ -S "$sock" ] || fail "$sock is not a socket"
mode=$(stat -c %a "$sock")
[ "$mode" = 600 ] || fail "$sock has mode $mode, want 600"
owner=$(stat -c %u "$sock")
[ "$owner" = "$(id -u)" ] || fail "$sock is owned by uid $owner, not $(id -u)"
echo "ok: $sock is a socket, mode 600, ours"

export GDB_ADDR
gdb_run ux tests/e2e/gdb/second_client.gdb "$DBG64"
expect_val ux rip1 "$(elf_entry "$DBG64")" "held at the entry (w)"
expect_val ux second told "a second client on the socket is told why and hung up on"
expect_out ux '^gdb2: .*another debugger is attached' "a second gdb on the socket prints the reason"
expect_val ux magic 0x0123456789abcdef "memory through the Unix socket"
want=$(insn_after "$DBG64" "$(val ux rip2)" 1) || fail "objdump"
expect_val ux rip3 "$want" "stepi through the Unix socket"
# detached at the entry with release already 0x22: the guest runs through
wait_bg 30
expect_rc 34
expect_line "$WORK/out" '^DBG64 RELEASED 0x22 ' "guest output after detach"
[ ! -e "$sock" ] || fail "$sock is still there after hyve exited"
echo "ok: socket file removed at exit"
pass
