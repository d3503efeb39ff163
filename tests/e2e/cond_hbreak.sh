#!/bin/bash
# cond_hbreak.sh -- conditional hardware breakpoints (Z1 with a condition),
# evaluated inside hyve, with the real gdb, on bpg mode=cond (see
# tests/e2e/gdb4/cond_hbreak.gdb), on 1 and 2 vCPUs:
#  - `hbreak cond_target if n == 4096`: the one stop is at n == 4096; hyve
#    evaluated the 4095 hits and reported one (monitor conds), each false
#    one went on with RF and no stop of the machine;
#  - with `set breakpoint condition-evaluation host`: the stop at n == 4300,
#    gdb evaluating, hyve holding no condition;
#  - `hbreak cond_slow if $rdi == 4600` (a first instruction hyve does not
#    execute itself: RF needs none): the stop at 4600;
#  - the guest's own counts at the end: every function ran 8192 times.
# Where the debug registers do not fire, hbreak is a trapped page (hyve
# --probe: breakpoints: page-trap): the same stops, with each false hit
# gone past the way a software breakpoint's is.  Where neither, skipped,
# loudly.
set -u
cd "$(dirname "$0")/../.." || exit 1
. tests/e2e/bplib.sh
e2e_init cond_hbreak
skip_if_no_kvm
need_tool gdb
require_files "$HYVE"
build_bpg
# the debug registers fire, or hyve traps the breakpoint's page (hyve
# --probe: QEMU TCG's nested SVM never fires them); by page trapping a hit
# goes on the way a software breakpoint's does (below)
need_host hbreak
bypage=0
host_has hw-breakpoints || bypage=1

# by page trapping every hit on 2 vCPUs holds the other one for the steps
# through the page: the 2-vCPU run takes minutes in the emulated host
# (COND_CPUS="1 2" runs it there too)
cpus_list=${COND_CPUS:-1 2}
if [ -z "${COND_CPUS:-}" ] && [ $bypage = 1 ]; then
	cpus_list=1
	echo "SKIP: hbreak is a trapped page here (hyve --probe: breakpoints: page-trap): $TEST_NAME: the run on 2 vCPUs NOT RUN (most of the 220 s the test took in the emulated AMD-V host; COND_CPUS=\"1 2\" runs it)"
fi
for cpus in $cpus_list; do
	g=g$cpus
	start_debug -c $cpus -m 64M --kernel "$BPG" --append mode=cond -G w0
	gdb_run $g tests/e2e/gdb4/cond_hbreak.gdb "$BPG"
	[ "$(val $g probe_at)" = 1 ] ||
		fail "$g: a plain hbreak at cond_target did not stop there (hyve --probe says hbreak can stop here)"
	expect_val $g probe_n 1
	expect_val $g t_n 4096 "target-side: the stop is at the hit where n == 4096"
	expect_val $g t_calls 4095
	conds $g t 'so far: 4095 hits, 1 reported, 0 ran commands' \
		"hyve evaluated the 4095 hits itself and reported one"
	expect_val $g h_n 4300 "host-side: the same stop, gdb evaluating"
	expect_val $g h_calls 4299
	conds $g h '^no conditions' "gdb evaluated: it sent hyve no condition"
	expect_val $g s_rdi 4600
	expect_val $g s_at 1
	expect_val $g s_slow 4599
	# cond_slow(4300) .. (4600): 301 hits (the one of n == 4300 follows the
	# host-side stop)
	conds $g s 'so far: 4396 hits, 2 reported' "cond_slow's 301 hits evaluated by hyve"
	if [ $bypage = 0 ]; then
		conds $g s 'byte: 0 with the instruction executed by hyve, 0 stepped' \
			"hardware breakpoints go on with RF: no instruction executed or stepped"
	else
		world=0
		[ $cpus = 2 ] && world=300
		conds $g s "byte: 4094 with the instruction executed by hyve, 300 stepped with the byte lifted \\($world of them with every vCPU stopped\\)" \
			"by page trapping: push %rbp executed by hyve, cond_slow's lea stepped"
	fi
	expect_no_out $g 'SIGTRAP'
	wait_bg 60
	expect_rc 0
	expect_line "$WORK/out" '^COND DONE 8192 8192 8192 8192' "every function ran 8192 times"
done
pass
