#!/bin/bash
# watch_lock.sh -- locked read-modify-writes on a page trapped for a
# watchpoint lose no update.  bpg (mode=lock) on two vCPUs: each adds 1 to
# lk.xadd_ctr (lock xadd) and to lk.cas_ctr (a lock cmpxchg loop) N times
# while gdb watches lk.guard, another word of their page; both counters
# must end at 2N, with the page trapped by `watch` and by `awatch`.  Both
# also call wpage_fn now and then, from the page of wpage_var, watched too:
# two vCPUs executing from one trapped page at once.  Before hyve serialised
# them, inside the emulated AMD host 5-6 % of the updates were lost (N =
# 20000).  N: WATCH_LOCK_N (default
# 1000000: every increment is an exit or two, so hyve and gdb may take up
# to 10 minutes; tests/svm/run.sh asks for fewer).
set -u
cd "$(dirname "$0")/../.." || exit 1
: "${E2E_TIMEOUT:=600}" "${GDB_TIMEOUT:=600}"
[ "$E2E_TIMEOUT" -ge 600 ] || E2E_TIMEOUT=600
[ "$GDB_TIMEOUT" -ge 600 ] || GDB_TIMEOUT=600
. tests/e2e/bplib.sh
e2e_init watch_lock
skip_if_no_kvm
need_tool gdb
require_files "$HYVE"
build_bpg
N=${WATCH_LOCK_N:-1000000}
want=$((2 * N))

for kind in 0 1; do
	n=k$kind
	what=$([ $kind = 0 ] && echo "watch lk.guard" || echo "awatch lk.guard")
	start_debug -c 2 -m 64M --kernel "$BPG" --append "mode=lock lockn=$N" -G w0
	gdb_run $n tests/e2e/gdb4/watch_lock.gdb "$BPG" -ex "set \$kind = $kind"
	expect_val $n s1_n "$N"
	expect_val $n s1_guard 0x600d "$what: the first stop is the guard write at the end"
	expect_val $n s1_done 2
	expect_val $n s1_xadd "$want" "$what: lock xadd lost no update"
	expect_val $n s1_cas "$want" "$what: lock cmpxchg lost no update"
	wait_bg 60
	expect_rc 0
	expect_line "$WORK/out" "^LOCK DONE ncpus=2 n=$N xadd=$want cas=$want "
done
pass
