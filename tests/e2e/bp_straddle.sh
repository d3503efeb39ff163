#!/bin/bash
# bp_straddle.sh -- an instruction across the end of its page into a page
# that a breakpoint or a watchpoint traps (bpg mode=straddle): where
# breakpoints and read watchpoints are pages taken out of the RAM slots
# (hyve --probe: breakpoints: page-trap, data-breakpoints: do-not-fire),
# fetching the instruction's tail fails with its rip in the page before;
# hyve must execute it with the trapped page mapped, not report SIGILL.
#   - `break straddle_next` with `ignore 1 100`: the stop is at its 101st
#     call (rdi 100), straddle_fn's straddling mov run 101 times meanwhile;
#   - `rwatch straddle_var`: the read at i == 500 stops (Value = 1453);
#   - the guest's own check: every straddle_fn/straddle_next result right
#     ("STRADDLE DONE 1000"), exit 0.
# Run on any host: where breakpoints are int3 or debug registers the page is
# not trapped for the breakpoint, and the test checks that nothing else
# changed.
set -u
cd "$(dirname "$0")/../.." || exit 1
. tests/e2e/bplib.sh
e2e_init bp_straddle
skip_if_no_kvm
need_host breakpoints
need_tool gdb
require_files "$HYVE"
build_bpg

start_debug -m 64M --kernel "$BPG" --append mode=straddle -G w0
gdb_run s tests/e2e/gdb4/bp_straddle.gdb "$BPG"
expect_val s crosses 1 "straddle_fn's mov crosses into straddle_page"
if has_line "$WORK/s.out" 'received signal SIG(ILL|SEGV|BUS|TRAP)'; then
	tr -d '\r' <"$WORK/s.out" | grep -m 3 -A2 'received signal SIG'
	fail "the guest stopped with a signal: an instruction straddling into a trapped page was not executed"
fi
expect_val s b_rdi 100 "break straddle_next, ignore 1 100: the 101st call"
expect_val s b_at 1
tr -d '\r' <"$WORK/s.out" | sed -n '/^w-begin$/,/^w-end$/p' | grep -qE 'read watchpoint 2: straddle_var' ||
	fail "rwatch straddle_var: no read watchpoint stop"
tr -d '\r' <"$WORK/s.out" | sed -n '/^w-begin$/,/^w-end$/p' | grep -qE '^Value = 1453$' ||
	fail "rwatch straddle_var: no 'Value = 1453'"
echo "ok: rwatch straddle_var stopped at the read (Value = 1453)"
has_line "$WORK/s.out" 'exited with code' && fail "hyve ended the machine: $(tr -d '\r' <"$WORK/s.out" | grep -m1 'exited with code')"
wait_bg 120
expect_rc 0
expect_line "$WORK/out" '^STRADDLE DONE 1000' "every straddle_fn/straddle_next result right"
pass
