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


def lines():
    with open(console, errors="replace") as f:
        return [re.sub(r"^\[ *[0-9.]+\] ", "", ln.rstrip("\r\n")) for ln in f]


def run_until(r, n, secs):
    r.send("vCont;c")
    t0 = time.time()
    while time.time() - t0 < secs and len(lines()) < n:
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
run_until(r, 20, 240)
out = r.monitor("savevm mid")
print("savevm=%s" % (out.strip() or "ok"))
n_save = len(lines())
print("n_save=%d" % n_save)
run_until(r, n_save + WANT, 240)
after_save = lines()[n_save:]
out = r.monitor("loadvm mid")
print("loadvm=%s" % out.strip().split(";")[0])
n_load = len(lines())
run_until(r, n_load + len(after_save), 240)
after_load = lines()[n_load:]
r.send("D")
r.recv()
print("n_after_save=%d" % len(after_save))
print("n_after_load=%d" % len(after_load))
for ln in after_save:
    print("S| " + ln)
for ln in after_load:
    print("L| " + ln)
