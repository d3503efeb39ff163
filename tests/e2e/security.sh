#!/bin/bash
# security.sh -- the debug server's exposure and the bounds of its memory
# packets:
#  - the default address is loopback (no warning); -G 0.0.0.0:PORT and
#    -G [::]:PORT warn, naming the risk ("anyone who connects controls the
#    guest"); nothing is ever sent to a non-loopback address;
#  - -G unix:PATH creates the socket 0600 even under umask 000, and refuses
#    a symbolic link at PATH (dangling or not): nothing is created or
#    changed where it points;
#  - no memory packet reads or writes outside guest RAM (flat32 guest,
#    paging off, -m 16M, and `monitor phys on`): the last page of RAM reads,
#    one past the end and beyond fail, reads that straddle the end stop at
#    it, wrapping lengths are refused, MMIO holes and addresses past 4 GiB
#    fail, writes past the end fail and change nothing inside; the same
#    through a long-mode guest's page tables (long64 maps far past 16 MiB).
set -u
cd "$(dirname "$0")/../.." || exit 1
. tests/e2e/gdblib.sh
e2e_init security
skip_if_no_kvm
need_tool python3 stat
require_files "$HYVE" "$GUESTS/flat32.elf" "$GUESTS/long64.elf"
G=$GUESTS/flat32.elf

# ---- bind addresses ----
warn='reachable from the network: anyone who connects controls the guest'
start_debug -m 16M --kernel "$G" -G w0
case $GDB_ADDR in 127.0.0.1:*) ;; *) fail "default address is $GDB_ADDR, not loopback" ;; esac
has_line "$WORK/err" "$warn" && fail "a warning for a loopback address"
stop_bg
echo "ok: -G PORT listens on $GDB_ADDR, no warning"

start_debug -m 16M --kernel "$G" -G w0.0.0.0:0
case $GDB_ADDR in 0.0.0.0:*) ;; *) fail "-G 0.0.0.0:0 listens on $GDB_ADDR" ;; esac
expect_line "$WORK/err" "debug server on 0\.0\.0\.0:[0-9]+ is $warn" "the warning"
stop_bg
echo "ok: -G 0.0.0.0:0 warns: $(grep -m1 reachable "$WORK/err")"

if [ -e /proc/net/if_inet6 ]; then
	start_debug -m 16M --kernel "$G" -G 'w[::]:0'
	expect_line "$WORK/err" "debug server on \[::\]:[0-9]+ is $warn" "the IPv6 warning"
	stop_bg
	start_debug -m 16M --kernel "$G" -G 'w[::1]:0'
	has_line "$WORK/err" "$warn" && fail "a warning for [::1]"
	stop_bg
	echo "ok: [::] warns, [::1] does not"
fi

# ---- the Unix socket ----
sock=$WORK/dbg.sock
(umask 000; start_debug -m 16M --kernel "$G" -G "wunix:$sock"
 mode=$(stat -c %a "$sock")
 [ "$mode" = 600 ] || fail "socket mode $mode under umask 000, want 600"
 stop_bg) || exit 1
echo "ok: unix socket is 0600 under umask 000"

echo precious >"$WORK/victim"
ln -s "$WORK/victim" "$sock"
run_hyve -m 16M --kernel "$G" -G "unix:$sock"
[ "$RC" = 0 ] && fail "hyve used a symbolic link as its socket path"
expect_line "$WORK/err" 'symbolic link: refusing' "the refusal"
[ -L "$sock" ] && [ "$(cat "$WORK/victim")" = precious ] || fail "the link or its target changed"
rm -f "$sock"
ln -s "$WORK/nothere" "$sock"
run_hyve -m 16M --kernel "$G" -G "unix:$sock"
[ "$RC" = 0 ] && fail "hyve used a dangling symbolic link as its socket path"
[ -e "$WORK/nothere" ] && fail "hyve created the file a dangling link points to"
rm -f "$sock"
echo "ok: a symbolic link at the socket path is refused (exit $RC), its target untouched"

# ---- memory packets stay inside guest RAM ----
# check.py ADDR: RSP through tests/fault/fault.py's client; prints ok lines, exits 1 on a breach.
cat >"$WORK/bounds.py" <<'EOF'
import sys
sys.path.insert(0, "tests/fault")
from fault import Client, Fail

RAM = 16 << 20
c = Client(sys.argv[1])
c.handshake(noack=False)
mode = sys.argv[2]
bad = []

def expect(pkt, want, why):
    r = c.ask(pkt)
    ok = want(r)
    print("%s %-44s -> %-14s %s" % ("ok  " if ok else "FAIL", pkt[:44], r[:14].decode("latin-1"), why))
    if not ok:
        bad.append(pkt)
    return r

err = lambda r: r[:1] == b"E" and len(r) == 3
hexlen = lambda n: (lambda r: len(r) == 2 * n and r[:1] != b"E")
if mode == "phys":
    if c.ask("qRcmd," + b"phys on".hex()) != b"OK":
        sys.exit("monitor phys on failed")
last = expect("m%x,1000" % (RAM - 0x1000), hexlen(0x1000), "the last page of RAM")
expect("m%x,1" % (RAM - 1), hexlen(1), "the last byte")
expect("m%x,1" % RAM, err, "one past the end")
expect("m%x,20" % (RAM - 0x10), hexlen(0x10), "straddling the end: stops at it")
expect("x%x,20" % (RAM - 0x8), lambda r: len(r) == 9 and r[:1] == b"b", "binary read, straddling")
expect("x%x,1" % RAM, err, "binary, one past the end")
expect("m%x,10" % (RAM + 0x100000), err, "far past the end")
expect("mffffffffffffffff,2", err, "a length that wraps 2^64")
expect("mfffffffffffffff0,100", err, "wrapping past 2^64")
expect("m0,ffffffffffffffff", hexlen(0x10000), "2^64-1 bytes from 0: cut to what fits a packet")
expect("m80000000,10", err, "an MMIO hole (nothing there)")
expect("mfec00000,4", err, "the IOAPIC page (in-kernel, not ours)")
expect("m100000000,10", err, "past 4 GiB (no high RAM with 16M)")
if mode == "phys":
    expect("M%x,1:aa" % RAM, err, "write one past the end")
    expect("M%x,2:5a5a" % (RAM - 1), err, "write straddling the end: an error")
    expect("X%x,1:Z" % RAM, err, "binary write one past the end")
    expect("Mffffffffffffffff,2:0000", err, "write with a wrapping length")
    expect("m%x,1000" % (RAM - 0x1000), lambda r: r[:-2] == last[:-2], "RAM below the end unchanged")
print("ok  detach", c.ask("D"))
sys.exit(1 if bad else 0)
EOF

# bounds.py ends with a detach: the guest then runs on, and where the CPU
# runs it (not emulated ring 0) flat32 and long64 reach their debug-exit in
# milliseconds.  A clean exit 0 is that; anything else is hyve dying.
alive_or_clean_exit() {
	bg_running && return 0
	wait_bg 1
	[ "$RC" = 0 ] || fail "hyve died (exit status $RC) after the bounds checks"
	echo "ok: the guest ran to its end after the detach (exit status 0)"
}

start_debug -m 16M --kernel "$G" -G w0
python3 "$WORK/bounds.py" "$GDB_ADDR" phys >"$WORK/phys.out" 2>&1 ||
	{ GDB_LOGS="phys.out"; fail "a memory packet crossed the end of guest RAM (physical)"; }
cat "$WORK/phys.out"
alive_or_clean_exit
stop_bg

start_debug -m 16M --kernel "$GUESTS/long64.elf" -G w0
python3 "$WORK/bounds.py" "$GDB_ADDR" virt >"$WORK/virt.out" 2>&1 ||
	{ GDB_LOGS="virt.out"; fail "a memory packet crossed the end of guest RAM (long64's page tables)"; }
cat "$WORK/virt.out"
alive_or_clean_exit
stop_bg
has_line "$WORK/err" 'AddressSanitizer|runtime error' && fail "sanitizer report"
pass
