#!/bin/bash
# snapshot.sh -- snapshots of the whole machine from gdb (QEMU's savevm,
# loadvm, delvm, info snapshots) and from a file: bpg mode=snap computes a
# running hash over 1 MiB it rewrites each round.  gdb stops it at a
# round's end, keeps snapshot s1 (also written to a file), runs three
# rounds, and ten times loads s1 and runs the same three rounds: the same
# rounds and hashes, the same 1 MiB, the same console lines each time.
# Then hyve starts from the file and prints the round that followed s1;
# the file is refused with another vCPU count or RAM size, and damaged.
set -u
cd "$(dirname "$0")/../.." || exit 1
. tests/e2e/bplib.sh
e2e_init snapshot
skip_if_no_kvm
need_tool gdb
require_files "$HYVE"
build_bpg

start_debug -m 64M --kernel "$BPG" --append mode=snap -G 0
wait_out '^SNAP round 2 ' 60
gdb_run s tests/e2e/gdb4/snapshot.gdb "$BPG" -ex "set \$work = \"$WORK\""
k0=$(val s k0)
[ -n "$k0" ] || fail "gdb did not stop at a round's end"
span0=$(tr -d '\r' <"$WORK/s.out" | sed -n 's/^span0 //p')
[ "$(echo "$span0" | wc -l)" = 3 ] || fail "the first span did not run three rounds"
echo "$span0" | head -n 1 | grep -q "^round=$((k0 + 1)) " || fail "the span did not start at round $((k0 + 1))"
for i in $(seq 1 10); do
	expect_out s "^load$i round=$k0 pc=$(val s saved_pc)\$" "load $i: back at round $k0, the pc as saved"
	got=$(tr -d '\r' <"$WORK/s.out" | sed -n "s/^span$i //p")
	[ "$got" = "$span0" ] || fail "load $i: the rounds that followed differ: $got"
	cmp -s "$WORK/m0.bin" "$WORK/m$i.bin" || fail "load $i: snap_buf differs from the first run's"
done
echo "ok: ten loads, each followed by the same three rounds and hashes and the same 1 MiB"
for r in $((k0 + 1)) $((k0 + 2)) $((k0 + 3)); do
	n=$(tr -d '\r' <"$WORK/out" | grep -c "^SNAP round $r hash ")
	[ "$n" = 11 ] || fail "the console has round $r $n times, want 11 (once, then after each load)"
	[ "$(tr -d '\r' <"$WORK/out" | grep "^SNAP round $r hash " | sort -u | wc -l)" = 1 ] ||
		fail "round $r printed different hashes"
done
echo "ok: the console shows each of the three rounds 11 times, with one hash each"
between s info-begin info-end | grep -qE '^ID +TAG +VM SIZE +DATE +VM CLOCK +ICOUNT$' ||
	fail "info snapshots: no QEMU header line"
between s info-begin info-end | grep -qE '^-- +s1 +[0-9.]+ (KiB|MiB) [0-9]{4}-[0-9]{2}-[0-9]{2} [0-9:]{8} +[0-9:.]+ *$' ||
	fail "info snapshots: no line for s1"
between s errors-begin errors-end | grep -q "^Error: Snapshot 'nosuch' does not exist$" ||
	fail "loadvm of an unknown snapshot: no error"
[ "$(between s errors-begin errors-end | grep -c "^Error: Snapshot 's1' does not exist$")" = 1 ] ||
	fail "loadvm after delvm: no error"
between s info2-begin info2-end | grep -q '^There is no snapshot available.$' ||
	fail "info snapshots after delvm still lists one"
echo "ok: info snapshots, delvm, errors as QEMU words them"
wait_bg 30
[ -s "$WORK/s1.snap" ] || fail "savevm NAME FILE wrote no file"

# from the file: the round after s1, with s1's hash
want=$(echo "$span0" | head -n 1 | sed 's/^round=\([0-9]*\) hash=0x0*\([0-9a-f]*\)$/\1 \2/')
run_hyve_until() {
	start_hyve_bg "$@"
	wait_out "^SNAP round $((k0 + 1)) " 60
	stop_bg
}
: >"$WORK/out"
run_hyve_until -m 64M --kernel "$BPG" --append mode=snap -o snapshot.load="$WORK/s1.snap"
line=$(tr -d '\r' <"$WORK/out" | grep '^SNAP round' | head -n 1)
[ "$(echo "$line" | sed 's/^SNAP round \([0-9]*\) hash 0x0*\([0-9a-f]*\)$/\1 \2/')" = "$want" ] ||
	fail "started from the file, the first round is \"$line\", want round/hash $want"
tr -d '\r' <"$WORK/out" | grep -q '^BPG BOOT' && fail "started from the file, the guest booted again"
echo "ok: started from the file: $line"

# two vCPUs, the second never started (the benchmark guest uses one): it
# waits for INIT/SIPI inside KVM_RUN, and is snapshotted and loaded all the same
start_debug -c 2 -m 64M --kernel "$GUESTS/bench.elf" -G 0
wait_out 'BENCH-READY' 60
python3 - "$GDB_ADDR" >"$WORK/sipi.out" 2>&1 <<'PY' || { cat "$WORK/sipi.out"; fail "snapshot with a vCPU waiting for its SIPI"; }
import sys, time
sys.path.insert(0, "tests/e2e")
from cond_rsp import Rsp
r = Rsp(sys.argv[1])
r.req("qSupported:swbreak+")
r.req("?")
for cmd in ("savevm w", None, "loadvm w", None, "loadvm w"):
    if cmd is None:
        r.send("vCont;c")
        time.sleep(0.5)
        r.s.sendall(b"\x03")
        assert r.wait_stop().startswith("T"), "no stop"
        continue
    out = r.monitor(cmd)
    print("%s: %s" % (cmd, out.strip()))
    assert "Error" not in out, out
threads = r.req("qfThreadInfo")
print("threads:", threads)
assert threads.startswith("m") and threads.count(",") == 1, threads
r.send("D")
r.recv()
PY
echo "ok: two vCPUs, one waiting for INIT/SIPI: savevm, loadvm twice, both threads there"
stop_bg

refused() {
	local why=$1 want=$2
	shift 2
	run_hyve "$@"
	[ "$RC" != 0 ] || fail "$why: hyve started"
	grep -q "$want" "$WORK/err" || { show_output; fail "$why: no message matching '$want'"; }
	echo "ok: refused ($why): $(head -n 1 "$WORK/err")"
}
refused "two vCPUs" "1 vCPUs and 64 MiB of RAM; give -c 1 -m 64M" \
	-c 2 -m 64M --kernel "$BPG" -o snapshot.load="$WORK/s1.snap"
refused "128 MiB" "1 vCPUs and 64 MiB of RAM" -m 128M --kernel "$BPG" -o snapshot.load="$WORK/s1.snap"
cp "$WORK/s1.snap" "$WORK/bad.snap"
size=$(stat -c %s "$WORK/bad.snap")
printf '\x5a' | dd of="$WORK/bad.snap" bs=1 seek=$((size / 2)) conv=notrunc status=none
refused "a byte changed" "damaged (checksum mismatch)" -m 64M --kernel "$BPG" -o snapshot.load="$WORK/bad.snap"
head -c $((size - 100)) "$WORK/s1.snap" >"$WORK/short.snap"
refused "cut short" "damaged" -m 64M --kernel "$BPG" -o snapshot.load="$WORK/short.snap"
refused "not a snapshot" "not a hyve snapshot" -m 64M --kernel "$BPG" -o snapshot.load="$BPG"
pass
