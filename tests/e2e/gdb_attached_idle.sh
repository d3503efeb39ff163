#!/bin/bash
# gdb_attached_idle.sh -- a debugger attached to a running guest costs no host
# CPU beyond the vCPU's: the event thread polls for a moment after each packet
# (when it has a CPU of its own) and must then sleep.  A raw RSP client
# attaches, sends `c`, and hyve's threads other than the busiest (the vCPU)
# are measured over one second; then Ctrl-C must still stop the guest at once
# and the client detaches.
set -u
cd "$(dirname "$0")/../.." || exit 1
. tests/e2e/gdblib.sh
e2e_init gdb_attached_idle
skip_if_no_kvm
need_tool python3
require_files "$HYVE"
build_dbg64

start_debug -c 1 -m 64M --kernel "$DBG64" -G 0
pid=$(pgrep -P "$BG_PID" -x hyve | head -n 1)
[ -n "$pid" ] || fail "cannot find hyve's pid under $BG_PID"

python3 - "$GDB_ADDR" "$pid" >"$WORK/idle.out" 2>&1 <<'PY' || { cat "$WORK/idle.out"; fail "the RSP client failed"; }
import os, socket, sys, time

host, port = sys.argv[1].rsplit(':', 1)
pid = int(sys.argv[2])
s = socket.create_connection((host, int(port)), timeout=10)
buf = b''

def packet(p):
    return b'$%s#%02x' % (p, sum(p) & 0xff)

def reply():
    global buf
    while True:
        i = buf.find(b'$')
        j = buf.find(b'#', i + 1) if i >= 0 else -1
        if j >= 0 and len(buf) >= j + 3:
            p, buf = buf[i + 1:j], buf[j + 3:]
            return p
        chunk = s.recv(65536)
        if not chunk:
            sys.exit('connection closed')
        buf += chunk

def cmd(p):
    s.sendall(packet(p))
    return reply()

def ticks():
    # utime + stime of every thread, in clock ticks
    out = {}
    for t in os.listdir('/proc/%d/task' % pid):
        f = open('/proc/%d/task/%s/stat' % (pid, t)).read().rsplit(')', 1)[1].split()
        out[t] = int(f[11]) + int(f[12])
    return out

s.sendall(b'+')
cmd(b'qSupported:swbreak+')
if cmd(b'QStartNoAckMode') != b'OK':
    sys.exit('QStartNoAckMode refused')
buf = buf.replace(b'+', b'')
stop = cmd(b'?')
if not stop.startswith(b'T'):
    sys.exit('no stop reply on attach: %r' % stop)
s.sendall(packet(b'c'))
time.sleep(0.3)
a = ticks()
t0 = time.monotonic()
time.sleep(1.0)
b = ticks()
secs = time.monotonic() - t0
used = sorted((b[t] - a.get(t, 0) for t in b), reverse=True)
hz = os.sysconf('SC_CLK_TCK')
print('threads', len(used), 'ticks', used, 'hz', hz, 'secs %.2f' % secs)
vcpu, others = used[0], sum(used[1:])
print('vcpu_ticks=%d' % vcpu)
print('other_ticks=%d' % others)
t1 = time.monotonic()
s.sendall(b'\x03')
stop = reply()
print('stop=%s' % stop.decode())
print('ctrlc_ms=%.1f' % ((time.monotonic() - t1) * 1000))
print('detach=%s' % cmd(b'D').decode())
PY
cat "$WORK/idle.out"
vcpu=$(sed -n 's/^vcpu_ticks=//p' "$WORK/idle.out")
other=$(sed -n 's/^other_ticks=//p' "$WORK/idle.out")
# the guest spins: its vCPU thread is busy (at least half the second)
[ "${vcpu:-0}" -ge 50 ] || fail "the vCPU thread used $vcpu ticks in 1 s: is the guest running?"
# everything else: at most 3 ticks (30 ms) in that second
[ "${other:-999}" -le 3 ] || fail "hyve's other threads used $other ticks in 1 s with a debugger attached and the guest running"
echo "ok: with gdb attached and the guest running, the other threads used $other ticks in 1 s"
expect_line "$WORK/idle.out" '^stop=T02' "Ctrl-C after the idle second"
expect_line "$WORK/idle.out" '^detach=OK$' "detach"
stop_bg
pass
