#!/usr/bin/env python3
"""snapshot_linux.py ADDR CONSOLE -- the Debian kernel mid-boot under hyve's
debug server (held by -G w): let it boot until it has printed some lines,
stop, `monitor savevm mid`, let it print the lines that follow, stop,
`monitor loadvm mid`, let it run again.  Prints KEY=VALUE lines and the
lines printed after the save and after the load, timestamps dropped, for
e2e/snapshot_linux.sh to compare."""
import os
import re
import sys
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from cond_rsp import Rsp  # noqa: E402

addr, console = sys.argv[1], sys.argv[2]
WANT = 12          # lines to see after the save point


def size():
    return os.path.getsize(console)


def text(a, b=None):
    """The console's lines between byte offsets a and b, timestamps dropped.
    A save can come in the middle of a line: both spans then start there."""
    with open(console, "rb") as f:
        f.seek(a)
        data = f.read() if b is None else f.read(b - a)
    return [re.sub(r"^\[ *[0-9.]+\] ", "", ln.rstrip("\r"))
            for ln in data.decode("latin-1").split("\n")]


def nlines(a):
    return len(text(a)) - 1


def run_until(r, start, n, secs):
    r.send("vCont;c")
    t0 = time.time()
    while time.time() - t0 < secs and nlines(start) < n:
        time.sleep(0.2)
    r.s.sendall(b"\x03")
    stop = r.wait_stop()
    if not stop.startswith("T"):
        sys.exit("no stop reply: " + stop)


r = Rsp(addr)
r.req("qSupported:swbreak+;hwbreak+")
r.req("QStartNoAckMode")
r.ack = False
r.req("?")
run_until(r, 0, 20, 240)
time.sleep(0.5)                 # what the guest wrote before the stop is in the file
out = r.monitor("savevm mid")
print("savevm=%s" % (out.strip() or "ok"))
at_save = size()
print("at_save=%d" % at_save)
run_until(r, at_save, WANT, 240)
time.sleep(0.5)
at_load = size()
after_save = text(at_save, at_load)
out = r.monitor("loadvm mid")
print("loadvm=%s" % out.strip().split(";")[0])
print("at_load=%d" % at_load)
run_until(r, at_load, len(after_save), 240)
time.sleep(0.5)
after_load = text(at_load)
r.send("D")
r.recv()
# the last line of each span may be cut short by the stop
after_save, after_load = after_save[:-1], after_load[:-1]
print("n_after_save=%d" % len(after_save))
print("n_after_load=%d" % len(after_load))
for ln in after_save:
    print("S| " + ln)
for ln in after_load:
    print("L| " + ln)
