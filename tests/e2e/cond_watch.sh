#!/bin/bash
# cond_watch.sh -- conditions on watchpoints (page trapping: works on every
# KVM, the emulated AMD-V host included).  bpg mode=cond writes cw.var = n
# for n = 1, 2, ... (then calls cond_target(n): cond_calls counts them):
#  - raw client (cond_rsp.py watch; gdb never sends a watchpoint condition):
#    Z2 cw.var with ";X" *(u64 *)&cw.var == 3000 evaluated by hyve at each
#    write: one stop, at the write of 3000 (cond_calls 2999), with "watch:"
#    in its reply; monitor conds: 3000 hits, 1 stop;
#  - raw client (cond_rsp.py dprintf): after that stop, commands on cw.var
#    (printf "w=%lu\n", no condition) and a condition on cond_calls (== 3100):
#    one stop, and O packets w=3001 .. w=3100 before it, all, in order
#    (cond_calls' 101 writes from 3000 on evaluated, one reported);
#  - real gdb: `watch cw.var if cw.var == 300` (gdb-side): the stop is at
#    the write of 300 (cond_calls 299), hyve evaluated nothing itself;
#  - the guest's own counts after each detach are right (exit 0).
set -u
cd "$(dirname "$0")/../.." || exit 1
. tests/e2e/bplib.sh
e2e_init cond_watch
skip_if_no_kvm
need_tool gdb python3 nm
require_files "$HYVE"
build_bpg

raw() {	# raw NAME SCENARIO: cond_rsp.py against the running hyve, output in NAME.out
	GDB_LOGS="$GDB_LOGS $1.out"
	timeout -k 5 "$GDB_TIMEOUT" python3 tests/e2e/cond_rsp.py "$GDB_ADDR" "$BPG" "$2" \
		>"$WORK/$1.out" 2>&1 || fail "cond_rsp.py $2 failed (status $?)"
}

start_debug -m 64M --kernel "$BPG" --append mode=cond -G w0
raw rw watch
expect_val rw has_ConditionalBreakpoints 1 "qSupported offers target-side conditions"
expect_val rw has_BreakpointCommands 1
expect_out rw '^stop=T05.*watch:' "a write watchpoint's stop reply"
expect_val rw var 3000 "the stop is at the write of 3000, not before"
expect_val rw calls 2999
expect_out rw '^conds=watch .* 1 condition, 0 commands; 3000 hits, 1 stops$' \
	"hyve evaluated 3000 hits itself and reported one"
wait_bg 60
expect_rc 0
expect_line "$WORK/out" '^COND DONE 8192 8192 8192 8192' "the guest ran on unharmed"

start_debug -m 64M --kernel "$BPG" --append mode=cond -G w0
raw rd dprintf
expect_out rd '^stop2=T05.*watch:' "the condition on cond_calls stopped it"
expect_val rd o_lines 100 "one line per write of cw.var from 3001 to 3100"
expect_val rd o_first w=3001
expect_val rd o_last w=3100
expect_val rd o_in_order 1 "every line, in order"
expect_out rd '^conds_var=watch .*: 0 conditions, 1 command; 100 hits, 0 stops$'
expect_out rd '^conds_calls=watch .*: 1 condition, 0 commands; 101 hits, 1 stops$' \
	"cond_calls written 3000 .. 3100 (the first in the iteration of the first stop)"
wait_bg 60
expect_rc 0
expect_line "$WORK/out" '^COND DONE 8192 8192 8192 8192'

start_debug -m 64M --kernel "$BPG" --append mode=cond -G w0
gdb_run g tests/e2e/gdb4/cond_watch.gdb "$BPG"
expect_val g w_var 300 "gdb-side condition: the stop is at the write of 300"
expect_val g w_calls 299
between g conds-begin conds-end | grep -q '^no conditions' ||
	fail "g: hyve evaluated a watchpoint condition gdb never sent"
expect_out g 'breakpoint already hit 1 time' "gdb counts the one hit whose condition held"
wait_bg 60
expect_rc 0
expect_line "$WORK/out" '^COND DONE 8192 8192 8192 8192'
pass
