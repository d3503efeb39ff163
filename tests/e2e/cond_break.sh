#!/bin/bash
# cond_break.sh -- conditional software breakpoints and dprintf, evaluated
# inside hyve, with the real gdb, on bpg mode=cond (n counts up: cw.var = n,
# cond_target(n), cond_slow(n), cond_mark(n); see tests/e2e/gdb4/cond_break.gdb):
#  - `break cond_target if n == 4096`: the one stop is at n == 4096 (4095
#    calls done), and hyve's own counters (monitor conds) show it evaluated
#    the 4095 hits and reported one; past each false hit it executed the
#    function's first instruction (push %rbp) itself;
#  - with `set breakpoint condition-evaluation host` the same kind of stop
#    (n == 4300) with gdb evaluating: hyve has no condition;
#  - `dprintf cond_target,"dp n=%d\n",n` (agent style) until a target-side
#    `break cond_mark if n == 4400`: lines dp n=4301 .. 4400, every one, in
#    order, and no stop for them; made conditional (n % 10 == 0): only
#    4410 .. 4500, ten lines;
#  - `break cond_slow if $rdi == 4600`: a first instruction hyve does not
#    execute itself: each false hit steps it with the byte lifted (on 2
#    vCPUs with the other one stopped meanwhile), the stop is at 4600;
#  - a dprintf gdb leaves behind at its detach (persist, with
#    `set breakpoint always-inserted on`) goes on printing to hyve's log:
#    every n from 4701 to 8192, in order;
#  - the guest's own counts are right at the end (every function ran 8192
#    times: nothing skipped or run twice), exit 0.
# Run with 1 vCPU and with 2 (the AP spinning).  Where no breakpoint can
# stop the guest without a debug register (hyve --probe), skipped, loudly.
set -u
cd "$(dirname "$0")/../.." || exit 1
. tests/e2e/bplib.sh
e2e_init cond_break
skip_if_no_kvm
need_tool gdb
require_files "$HYVE"
build_bpg
# int3 traps, or hyve traps the breakpoint's page (hyve --probe: QEMU TCG's
# nested SVM runs int3 through the guest's IDT and never fires the debug
# registers): the counters below are the same either way
need_host soft-breakpoints

lines() {	# lines NAME BEGIN END: the dprintf lines between two echo marks
	between "$1" "$2" "$3" | sed -n 's/^dp n=//p' | tr '\n' ' ' | sed 's/ $//'
}

# by page trapping every hit on 2 vCPUs holds the other one for the steps
# through the page: in the emulated host the 2-vCPU run alone takes over
# 200 s (COND_CPUS="1 2" runs it there too)
cpus_list=${COND_CPUS:-1 2}
if [ -z "${COND_CPUS:-}" ] && ! host_has sw-breakpoints; then
	cpus_list=1
	echo "SKIP: breakpoints are trapped pages here (hyve --probe: breakpoints: page-trap): $TEST_NAME: the run on 2 vCPUs NOT RUN (over 200 s in the emulated AMD-V host; COND_CPUS=\"1 2\" runs it)"
fi
for cpus in $cpus_list; do
	g=g$cpus
	start_debug -c $cpus -m 64M --kernel "$BPG" --append mode=cond -G w0
	gdb_run $g tests/e2e/gdb4/cond_break.gdb "$BPG"
	[ "$(val $g probe_at)" = 1 ] ||
		fail "$g: a plain breakpoint at cond_target did not stop there (hyve --probe says they trap)"
	expect_val $g probe_n 1
	expect_val $g t_n 4096 "target-side: the stop is at the hit where n == 4096"
	expect_val $g t_calls 4095
	expect_val $g t_var 4096
	conds $g t 'so far: 4095 hits, 1 reported, 0 ran commands' \
		"hyve evaluated the 4095 hits itself and reported one"
	conds $g t 'byte: 4094 with the instruction executed by hyve, 0 stepped' \
		"past each false hit hyve executed push %rbp itself"
	expect_val $g h_n 4300 "host-side: the same stop, gdb evaluating"
	expect_val $g h_calls 4299
	conds $g h '^no conditions' "gdb evaluated: it sent hyve no condition"
	conds $g h 'so far: 4095 hits, 1 reported' "and hyve evaluated nothing more"
	want=$(seq -s ' ' 4301 4400)
	[ "$(lines $g d-begin d-end)" = "$want" ] ||
		fail "$g: dprintf printed '$(lines $g d-begin d-end | cut -c1-200)...', want 4301 .. 4400"
	echo "ok: $g: dprintf printed n=4301 .. 4400, every line, in order"
	expect_val $g d_n 4400
	# cond_mark(4300) .. (4400): 101 hits (the one of n == 4300 follows the
	# host-side stop); cond_target(4301) .. (4400): 100 dprintf runs
	conds $g d 'so far: 4296 hits, 2 reported, 100 ran commands' \
		"hyve ran the dprintf 100 times and reported only cond_mark"
	want=$(seq -s ' ' 4410 10 4500)
	[ "$(lines $g cd-begin cd-end)" = "$want" ] ||
		fail "$g: conditional dprintf printed '$(lines $g cd-begin cd-end)', want $want"
	echo "ok: $g: the conditional dprintf printed only where n % 10 == 0"
	expect_val $g cd_n 4500
	expect_val $g s_rdi 4600 "a first instruction hyve cannot run: the stop is still exact"
	expect_val $g s_at 1
	expect_val $g s_slow 4599
	expect_val $g s_target 4600
	# + 200 hits of the conditional dprintf phase (10 of them true: ran
	# commands) + 100 of cond_slow (4501 .. 4600)
	conds $g s 'so far: 4596 hits, 4 reported, 110 ran commands' "every hit of the session evaluated by hyve"
	world=0
	[ $cpus = 2 ] && world=99
	conds $g s "byte: 4493 with the instruction executed by hyve, 99 stepped with the byte lifted \\($world of them with every vCPU stopped\\)" \
		"push %rbp (cond_target) and the load cond_mark starts with executed by hyve; cond_slow's lea stepped (with $cpus vCPU(s): $world with the world stopped)"
	expect_val $g p_n 4700
	expect_no_out $g 'SIGTRAP'
	wait_bg 120
	expect_rc 0
	expect_line "$WORK/out" '^COND DONE 8192 8192 8192 8192' "every function ran 8192 times"
	left=$(tr -d '\r' <"$WORK/err" | sed -n 's/^hyve: dprintf: left n=//p' | tr '\n' ' ' | sed 's/ $//')
	[ "$left" = "$(seq -s ' ' 4701 8192)" ] ||
		fail "after the detach the persistent dprintf logged '$(echo "$left" | cut -c1-120)...', want n=4701 .. 8192"
	echo "ok: $g: after the detach hyve ran the dprintf on, to its log: n=4701 .. 8192, in order"
done
pass
