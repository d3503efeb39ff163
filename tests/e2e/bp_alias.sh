#!/bin/bash
# bp_alias.sh -- a software breakpoint belongs to the physical instruction,
# not to the virtual address it was set through: bpg (mode=alias) calls
# alias_fn through the identity mapping after gdb set `break alias_fn` in the
# higher half, and alias_fn2 through the higher half after gdb set the
# breakpoint at its identity address; each stops at the alias the guest
# used (gdb cannot know the alias: it must see a plain SIGTRAP there, not
# a swbreak stop it would take for a stale trap and resume).  `x` at both aliases shows the ELF's bytes, not int3.  After detach
# the guest's own results are right (ALIAS OK, exit 0).
set -u
cd "$(dirname "$0")/../.." || exit 1
. tests/e2e/bplib.sh
e2e_init bp_alias
skip_if_no_kvm
need_tool gdb nm python3
need_host soft-breakpoints
require_files "$HYVE"
build_bpg

kvma=0xffffffff80000000
a1=$(sym "$BPG" alias_fn) && a2=$(sym "$BPG" alias_fn2) || fail "no alias_fn/alias_fn2 in $BPG"
start_debug -m 64M --kernel "$BPG" --append mode=alias -G w0
GDB_TIMEOUT=15 gdb_try al tests/e2e/gdb4/bp_alias.gdb "$BPG"
want1=$(elf_bytes "$BPG" "$a1" 4) && want2=$(elf_bytes "$BPG" "$a2" 4) || fail "cannot read $BPG"
want="$want1 $want1 $want2 $want2"
got=$(gdb_bytes al bytes)
[ "$got" = "$want" ] || fail "x at both aliases of both functions shows '$got', the ELF has '$want'"
echo "ok: al: both aliases read the original bytes while the breakpoints are in"
expect_no_out al 'Cannot insert breakpoint' "both breakpoints inserted"
if [ "$GDB_RC" = 124 ] && [ -z "$(val al s1_pc)" ]; then
	# Find out why: what gdb did with the stop reply (bounded probe).
	stop_bg
	start_debug -m 64M --kernel "$BPG" --append mode=alias -G w0
	infrun_probe probe "$BPG" 4 'break alias_fn' 'continue'
	grep -q 'delayed software breakpoint trap, ignoring' "$WORK/probe.out" &&
		fail "the hit at alias_fn's identity alias never reaches the gdb user: hyve reports" \
			"it as T05 swbreak, gdb reads the byte at \$pc (hyve shows the original, not" \
			"int3), takes it for a 'delayed software breakpoint trap', resumes, and the" \
			"vCPU hits the int3 again, for ever (continue never returns; see probe.out)"
	fail "gdb timed out before the first stop (see probe.out)"
fi
[ "$GDB_RC" = 124 ] && fail "gdb (al) timed out after ${GDB_TIMEOUT}s"
expect_count al '^Program received signal SIGTRAP, Trace/breakpoint trap\.$' 2 "both alias hits reach gdb as plain traps"
expect_val al s1_pc "$(( a1 - kvma ))" "the breakpoint set at alias_fn's higher-half address stopped the identity-mapped call"
expect_val al s1_at_low1 1
expect_val al s1_thread 1
expect_val al s2_pc "$a2" "the breakpoint set at alias_fn2's identity address stopped the higher-half call"
expect_val al s3_at_check 1 "a plain breakpoint after both"
wait_bg 20
expect_rc 0
expect_line "$WORK/out" '^ALIAS OK' "the guest's own check of alias_fn/alias_fn2 results"
expect_val al r1 16
expect_val al r2 12
pass
