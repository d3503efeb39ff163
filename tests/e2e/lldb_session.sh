#!/bin/bash
# lldb_session.sh -- the same basic session with lldb (gdb-remote): on a
# running 2-vCPU dbg64 with a virtio disk, lldb lists both vCPU threads,
# reads the registers the guest loaded (RIP in its spin loop, RBX, R15,
# FS_BASE, GS_BASE, CR3, XMM0, each vCPU its own RBX; cs/ds limits and DR7
# from hyve's system-register feature), memory by symbol
# (= the ELF file's bytes) and MMIO (the virtio magic), steps one
# instruction on each vCPU (`si`, `thread select 2`, `si`), detaches (the
# guest runs on); a second lldb writes `release` with `expression` and
# continues: the guest leaves its loop and writes that value to the
# debug-exit port, which stops it for lldb with SIGTERM; one more continue
# ends hyve with that status, and lldb learns it.
set -u
cd "$(dirname "$0")/../.." || exit 1
. tests/e2e/gdblib.sh
# one hyve for both lldb sessions: lldb takes seconds to start and each
# command is a round trip, so 60 s (the default) is not enough on a slow or
# busy host -- 53 s of the 60 inside an emulated AMD host, over them with
# another emulated host beside it (hyve killed right after the first detach)
E2E_TIMEOUT=180
# and lldb itself (liblldb, its python) took over the 40 s default just to
# start there, with the host's two CPUs loaded 12 deep
GDB_TIMEOUT=120
e2e_init lldb_session
skip_if_no_kvm
need_tool lldb objdump nm
require_files "$HYVE"
build_dbg64

disk=$WORK/disk.img
truncate -s 1M "$disk"
start_debug -c 2 -m 64M --kernel "$DBG64" --disk "$disk" -G 0
wait_out '^DBG64 READY 2' 30
ready=$(tr -d '\r' <"$WORK/out" | grep -m1 '^DBG64 READY')
magic=$(sym "$DBG64" magic) || fail "no magic in $DBG64"

# The commands, each with a label to find its output by.
cmds=() declare -A at
c() { cmds+=(-o "$2"); at[$1]=$(( ${#cmds[@]} / 2 )); }
c target "target create $DBG64"
c connect "gdb-remote $GDB_ADDR"
c threads "thread list"
c regs "register read rip rbx r15 fs_base gs_base k_gs_base cr3 xmm0"
c sys "register read cs_limit ds_limit dr7"
c magic "memory read --size 8 --format x --count 1 $magic"
c mmio "memory read --size 4 --format x --count 3 0xd0000000"
c si1 "si"
c rip1 "register read rip"
c sel2 "thread select 2"
c regs2 "register read rip rbx"
c si2 "si"
c rip2 "register read rip"
c detach "process detach"
lldb_run a "${cmds[@]}"

S=a	# the session whose output blk/reg read
blk() { lldb_block "$S" "${at[$1]}"; }
reg() { lldb_reg "$S" "${at[$1]}" "$2"; }
chk() {	# LABEL REG WANT WHY
	local got
	got=$(reg "$1" "$2")
	[ -n "$got" ] || fail "lldb '$1': no '$2 = ' in its output"
	same "$got" "$3" || fail "lldb '$1': $2 = $got, want $3 ($4)"
	echo "ok: lldb $1: $2 = $got"
}
blk connect | grep -qE '^Process [0-9]+ stopped$' || fail "lldb did not stop the guest on connect"
blk threads | grep -qE '^\* thread #1: tid = 0x0001, 0x[0-9a-f]+ dbg64\.elf`dbg_spin' ||
	fail "thread list: no thread #1 in dbg_spin"
blk threads | grep -qE '^  thread #2: tid = 0x0002, 0x[0-9a-f]+ dbg64\.elf`ap_spin' ||
	fail "thread list: no thread #2 in ap_spin"
n=$(blk threads | grep -cE 'thread #[0-9]+: tid')
[ "$n" = 2 ] || fail "thread list shows $n threads, want 2"
echo "ok: lldb thread list: 2 vCPU threads"
rip0=$(reg regs rip)
chk regs rbx 0x1122334455667788 "loaded by the guest"
chk regs r15 0xfedcba9876543210 "loaded by the guest"
chk regs fs_base 0x00007f1234567000 "wrmsr FS_BASE"
chk regs gs_base 0xffff888012340000 "wrmsr GS_BASE"
chk regs k_gs_base 0x0000555566667000 "wrmsr KERNEL_GS_BASE"
chk sys cs_limit 0xffffffff "org.hyve.x86.sysregs: the flat code segment's limit"
chk sys ds_limit 0xffffffff "... and the data segment's"
chk sys dr7 0x0000000000000400 "DR7 at its reset value"
chk regs cr3 "$(echo "$ready" | sed -n 's/.* cr3 \(0x[0-9a-f]*\).*/\1/p')" "the guest's own CR3"
blk regs | grep -qE '^ *xmm0 = \{0x00 0x11 0x22 0x33 0x44 0x55 0x66 0x77 0x88 0x99 0xaa 0xbb 0xcc 0xdd 0xee 0xff\}$' ||
	fail "lldb: xmm0 is not the guest's pattern: $(blk regs | grep xmm0)"
echo "ok: lldb regs: xmm0 = 00 11 .. ff"
want=$(elf_bytes "$DBG64" "$magic" 8 | tr ' ' '\n' | tac | tr -d '\n' | sed 's/0x//g')
blk magic | grep -qiE "^0x0*${magic#0x}: 0x$want\$" || fail "memory read of magic: $(blk magic), want 0x$want (ELF bytes)"
echo "ok: lldb memory read magic = 0x$want"
blk mmio | grep -qE '^0xd0000000: 0x74726976 0x00000002 0x00000002$' ||
	fail "memory read of the virtio registers: $(blk mmio)"
echo "ok: lldb memory read 0xd0000000: virtio magic, version 2, block device"
blk si1 | grep -qE '^\* thread #1, stop reason = instruction step into$' || fail "si on thread 1: $(blk si1 | head -3)"
want=$(loop_next "$DBG64" spin_loop spin_end "$rip0") || fail "thread 1 not in spin_loop"
chk rip1 rip "$want" "one instruction on thread 1"
rip2=$(reg regs2 rip)
chk regs2 rbx 1 "vCPU 1's own RBX"
want=$(loop_next "$DBG64" ap_loop ap_loop_end "$rip2") || fail "thread 2 not in ap_loop"
blk si2 | grep -qE '^\* thread #2, stop reason = instruction step into$' ||
	fail "si on thread 2: no 'thread #2, stop reason = instruction step into': $(blk si2 | grep thread)"
chk rip2 rip "$want" "one instruction on thread 2"
blk detach | grep -qE '^Process [0-9]+ detached$' || fail "process detach: $(blk detach)"
echo "ok: lldb process detach"
sleep 0.3
bg_running || fail "hyve ended after lldb detached"

cmds=() at=()
c target "target create $DBG64"
c connect "gdb-remote $GDB_ADDR"
c write "expression release = 0x3c"
c cont "process continue"
# lldb --batch runs -k commands after a stop by a signal (here SIGTERM)
k() { cmds+=(-k "$2"); at[$1]=$(( ${#cmds[@]} / 2 )); }
k rip "register read rip"
k cont2 "process continue"
lldb_run b "${cmds[@]}"
S=b
blk write | grep -qE '^\(volatile uint32_t\) \$0 = 60$' || fail "expression release = 0x3c: $(blk write)"
echo "ok: lldb expression release = 0x3c"
blk cont | grep -qE '^Process [0-9]+ resuming$' || fail "process continue: $(blk cont)"
# the guest writes the debug-exit port: the machine stays stopped for lldb
blk cont | grep -qE '^\* thread #[0-9]+, stop reason = signal SIGTERM$' ||
	fail "process continue: no SIGTERM stop when the guest ended the machine: $(blk cont | grep -m1 thread)"
blk cont | grep -qE 'dbg64\.elf`guest_exit' || fail "the SIGTERM stop is not in guest_exit"
echo "ok: lldb: the guest's exit stops it with SIGTERM in guest_exit"
# (lldb --batch runs -k commands only if it counts the stop as a crash of
# the thread it had selected: it picks the thread the connect-time stop names)
[ -n "$(reg rip rip)" ] ||
	fail "lldb ran no -k command after the SIGTERM stop (and so killed the guest);" \
		"connect stop: '$(blk connect | grep -m1 'stop reason')'," \
		"SIGTERM stop: '$(blk cont | grep -m1 'stop reason')'"
wait_bg 20
expect_rc 60
expect_line "$WORK/out" '^DBG64 RELEASED 0x3c ' "the guest after lldb's continue"
echo "ok: the guest ran on and hyve exited with lldb's value"
blk cont2 | grep -qE '^Process [0-9]+ exited with status = 60 \(0x0000003c\)' ||
	fail "lldb was not told the guest's exit status (no W packet?): $(blk cont2 | tail -1)"
pass
