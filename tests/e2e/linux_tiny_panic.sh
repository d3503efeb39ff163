#!/bin/bash
# linux_tiny_panic.sh -- a kernel panic reported to the debugger: hyve's own
# small kernel (make linux-kernel, CONFIG_PVPANIC) with `rdinit=` and `init=`
# naming programs that do not exist panics ("No working init found"); its
# pvpanic driver (ACPI QEMU0001, port 0x505) tells hyve, which keeps the
# machine stopped for the attached gdb (after a Ctrl-C mid-init and a
# continue): "Program received signal SIGABRT",
# lx-dmesg holds the panic, the backtrace runs through panic(); after the
# detach hyve ends with exit status 5 (a guest panic, hyve(1)).
set -u
cd "$(dirname "$0")/../.." || exit 1
. tests/e2e/gdblib.sh
. tests/e2e/tinylib.sh
e2e_init linux_tiny_panic
skip_if_no_kvm
need_tool gdb python3
require_files "$HYVE"
WAIT=${LINUX_TINY_WAIT:-300}	# the panic comes within seconds of the boot
E2E_TIMEOUT=$((WAIT + GDB_TIMEOUT + 120))
tiny_prepare

tiny_start 1 "rdinit=/hyve-no-init init=/hyve-no-init"
tiny_gdb p $((WAIT + GDB_TIMEOUT)) tests/e2e/gdb/linux_tiny_panic.gdb -ex "set \$console = \"$WORK/out\""
block() { tiny_block p "$1"; }
block int | grep -q 'received signal SIGINT' || { block int; fail "no SIGINT stop after the Ctrl-C mid-init"; }
pc=$(val p i_pc)
(( pc >= 0xffffffff80000000 )) || fail "the Ctrl-C stopped the kernel at $pc, not in its text"
echo "ok: Ctrl-C mid-init stopped the kernel at $pc; continued"
expect_out p '^Program received signal SIGABRT' "gdb is told of the panic (SIGABRT)"
block dmesg | grep -q 'Kernel panic - not syncing' || fail "lx-dmesg: no 'Kernel panic - not syncing'"
echo "ok: lx-dmesg: $(block dmesg | grep -m1 'Kernel panic' | sed 's/^\[[^]]*\] //')"
block bt | grep -qE '(^| )panic \(' || { block bt; fail "the backtrace does not run through panic()"; }
echo "ok: the backtrace runs through panic()"
wait_bg 30
expect_rc 5
expect_line "$WORK/err" 'pvpanic: the guest kernel panicked' "hyve logs the panic"
pass
