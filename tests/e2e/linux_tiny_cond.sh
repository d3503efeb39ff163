#!/bin/bash
# linux_tiny_cond.sh -- conditions and dprintf evaluated inside hyve on a
# real kernel: hyve's own small kernel (make linux-kernel) on 2 vCPUs from
# its first instruction (-G w), with the real gdb and the kernel's scripts
# (tests/e2e/gdb/linux_tiny_cond.gdb).  Every initcall goes through
# do_one_initcall(fn), in the order of the kernel's initcall table (read
# from guest memory by gdb), so each count below is exact:
#   - `break do_one_initcall if fn == param_sysfs_init`: the stop is there,
#     fn is param_sysfs_init, and hyve evaluated every hit before it itself
#     (monitor conds: idx+1 hits, 1 reported);
#   - `dprintf do_one_initcall,"ic %lx\n",fn` (agent style) up to `hbreak
#     kswapd_init`: one line per initcall in between, the table's functions
#     in the table's order, none missing or twice, and no stop for them
#     (in hyve's counters: as many hits, none reported);
#   - `hbreak do_one_initcall if fn == reboot_ksysfs_init`: the stop there,
#     again every hit in between evaluated by hyve;
#   - `watch jiffies if jiffies >= $j0 + 3` (gdb evaluates watchpoint
#     conditions): the stop 3 jiffies on;
#   - after the detach the kernel goes on to "Run /init as init process".
# Where no breakpoint stops a guest without a debug register (hyve --probe)
# it is skipped, loudly; so it is when the kernel cannot be built.
set -u
cd "$(dirname "$0")/../.." || exit 1
. tests/e2e/gdblib.sh
. tests/e2e/tinylib.sh
e2e_init linux_tiny_cond
skip_if_no_kvm
need_host soft-breakpoints
need_host hbreak
need_tool gdb python3
require_files "$HYVE"
WAIT=${LINUX_TINY_WAIT:-900}
E2E_TIMEOUT=$((WAIT + 2 * GDB_TIMEOUT + 120))
tiny_prepare

tiny_start 2 panic=-1
tiny_gdb c $((WAIT + GDB_TIMEOUT)) tests/e2e/gdb/linux_tiny_cond.gdb
block() { tiny_block c "$1"; }
# counts PHASE: "HITS REPORTED RAN" from the phase's monitor conds
counts() {
	block "$1-conds" | sed -n 's/^evaluated by hyve so far: \([0-9]*\) hits, \([0-9]*\) reported, \([0-9]*\) ran commands$/\1 \2 \3/p'
}
want_conds() {	# want_conds PHASE "HITS REPORTED RAN" WHY
	local got
	got=$(counts "$1")
	[ "$got" = "$2" ] || { block "$1-conds"; fail "$1: monitor conds: '$got', want '$2' (hits reported ran: $3)"; }
	echo "ok: $1: monitor conds: $2 (hits, reported, ran commands): $3"
}

n_tab=$(val c n_tab) ip=$(val c idx_param) ik=$(val c idx_kswapd) ir=$(val c idx_reboot)
[ "$n_tab" -gt 100 ] 2>/dev/null || fail "the initcall table read from the kernel has '$n_tab' entries"
[ "$ip" -lt "$ik" ] && [ "$ik" -lt "$ir" ] && [ "$ir" -lt "$n_tab" ] ||
	fail "initcall table: param_sysfs_init #$ip, kswapd_init #$ik, reboot_ksysfs_init #$ir of $n_tab: not found or not in that order"
echo "ok: initcall table: $n_tab entries, param_sysfs_init #$ip, kswapd_init #$ik, reboot_ksysfs_init #$ir"

# t: target-side, every call of do_one_initcall up to param_sysfs_init's
block t | grep -qE 'Breakpoint 1, .*do_one_initcall' || { block t; fail "t: gdb did not report breakpoint 1"; }
expect_val c t_at 1 "t: stopped at do_one_initcall"
expect_val c t_fn 1 "t: fn == param_sysfs_init at the stop"
want_conds t "$((ip + 1)) 1 0" "hyve evaluated the $ip initcalls before it and reported the one"

# d: the dprintf, one line per initcall from the one after param_sysfs_init
# to kswapd_init, then the hbreak
expect_val c d_at 1 "d: the hbreak stopped at kswapd_init"
got=$(block d | sed -n 's/^ic \([0-9a-f]*\)$/\1/p')
want=$(block tab | awk -v a="$ip" -v b="$ik" '$1 == "tab" && $2 > a && $2 <= b { print $3 }')
[ -n "$want" ] || fail "d: no table entries between #$ip and #$ik"
if [ "$got" != "$want" ]; then
	diff <(echo "$want") <(echo "$got") | head -n 20
	fail "d: the dprintf lines are not the initcall table's functions #$((ip + 1)) .. #$ik in order"
fi
nd=$(echo "$want" | wc -l)
echo "ok: d: $nd dprintf lines, the initcall table's functions #$((ip + 1)) .. #$ik, in order"
block d | grep -qE 'Breakpoint [0-9]+, do_one_initcall' && fail "d: a stop at the dprintf"
# (the hbreak has no condition: a plain stop, not one hyve evaluates)
want_conds d "$((ip + 1 + nd)) 1 $nd" "the $nd dprintf hits run by hyve, none reported"

# h: target-side hbreak, every call from after kswapd_init's to reboot_ksysfs_init's
block h | grep -qE 'reakpoint [0-9]+, .*do_one_initcall' || { block h; fail "h: gdb did not report the hbreak"; }
expect_val c h_at 1 "h: stopped at do_one_initcall"
expect_val c h_fn 1 "h: fn == reboot_ksysfs_init at the stop"
want_conds h "$((ip + 1 + nd + ir - ik)) 2 $nd" "the $((ir - ik)) calls after kswapd_init's evaluated by hyve"

# w: the watchpoint's condition, gdb's
block w | grep -qE 'atchpoint [0-9]+: jiffies' || { block w; fail "w: gdb did not report the watchpoint"; }
d=$(val c w_d)
[ "$d" = 3 ] || fail "w: stopped $d jiffies on, want 3"
echo "ok: w: watch jiffies if jiffies >= \$j0 + 3 stopped 3 jiffies on"
expect_no_out c 'SIGTRAP'
wait_for_line "$WORK/out" 'Run /init as init process' 300
echo "ok: detached, the kernel went on to run /init"
stop_bg
pass
