#!/usr/bin/env python3
"""snap_bench.py -- snapshots and reverse-execution history, hyve beside QEMU
in one run, on the benchmark guest (guests/build/bench.elf, which rewrites
its counters for ever) with 64 MiB and 256 MiB of RAM:

  save_full_ms   the first `monitor savevm` (hyve: a full copy of RAM;
                 QEMU: every savevm is full)
  save_incr_ms   `savevm` after the guest ran 0.5 s (hyve: the pages written
                 since the last; QEMU: full again)
  load_ms        `loadvm` of the first after the guest ran 0.5 s
  reload_ms      `loadvm` of it again at once (hyve: nothing differs)
  stepi_per_s    single steps per second with hyve's history off and on
                 (recording at each resume); QEMU has none

Every time is the monitor command's round trip through the gdb stub
(qRcmd), the stub's own reporting.  QEMU saves into a qcow2 image it gets
for the purpose (qemu-img).  Repeated --repeats times, medians printed.

    tools/bench/snap_bench.py [--mem 64,256] [--repeats 3] [--qemu none]
    (make bench-snap)
"""
import argparse
import os
import subprocess
import sys
import tempfile
import time

TOP = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
sys.path.insert(0, os.path.join(TOP, "tests", "e2e"))
sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from cond_rsp import Rsp  # noqa: E402
from benchlib import free_port, wait_file, medians_table  # noqa: E402


class Machine:
    def __init__(self, args, what, mem, work):
        self.what = what
        self.port = free_port()
        self.log = os.path.join(work, "%s-%d.log" % (what, mem))
        self.serial = os.path.join(work, "%s-%d.serial" % (what, mem))
        for f in (self.log, self.serial):      # not the last repeat's BENCH-READY
            if os.path.exists(f):
                os.unlink(f)
        if what == "qemu":
            disk = os.path.join(work, "vmstate-%d.qcow2" % mem)
            subprocess.run([args.qemu_img, "create", "-q", "-f", "qcow2", disk, "64M"], check=True)
            cmd = [args.qemu, "-enable-kvm", "-cpu", "host", "-m", "%dM" % mem,
                   "-display", "none", "-net", "none", "-kernel", args.guest,
                   "-drive", "if=none,id=vmstate,format=qcow2,file=" + disk,
                   "-serial", "file:" + self.serial, "-gdb", "tcp:127.0.0.1:%d" % self.port]
            out = open(self.log, "w")
        else:
            cmd = [args.hyve, "-m", "%dM" % mem, "--kernel", args.guest,
                   "-G", "127.0.0.1:%d" % self.port]
            out = open(self.serial, "w")
        self.p = subprocess.Popen(cmd, stdin=subprocess.DEVNULL, stdout=out,
                                  stderr=open(self.log, "a") if what != "qemu" else out)
        if not wait_file(self.serial, "BENCH-READY", 300):
            self.stop()
            raise RuntimeError("%s did not boot the guest (see %s)" % (what, self.log))
        self.r = Rsp("127.0.0.1:%d" % self.port)
        self.r.req("qSupported:swbreak+;hwbreak+")
        if "OK" == self.r.req("QStartNoAckMode"):
            self.r.ack = False
        self.r.req("?")

    def mon(self, cmd):
        t0 = time.time()
        out = self.r.monitor(cmd)
        ms = (time.time() - t0) * 1000
        if "rror" in out:
            raise RuntimeError("%s: monitor %s: %s" % (self.what, cmd, out.strip()))
        return ms

    def run(self, secs):
        self.r.send("vCont;c")
        time.sleep(secs)
        self.r.s.sendall(b"\x03")
        if not self.r.wait_stop().startswith("T"):
            raise RuntimeError("%s: no stop reply" % self.what)

    def steps(self, n):
        t0 = time.time()
        for _ in range(n):
            if not self.r.req("vCont;s:1").startswith("T"):
                raise RuntimeError("%s: a step gave no stop reply" % self.what)
        return n / (time.time() - t0)

    def stop(self):
        self.p.kill()
        self.p.wait()


def measure(args, what, mem, work):
    m = Machine(args, what, mem, work)
    try:
        res = {}
        if what == "hyve":
            m.mon("history off")	# the first savevm is then the full copy
        res["save_full_ms"] = m.mon("savevm a")
        m.run(0.5)
        res["save_incr_ms"] = m.mon("savevm b")
        m.run(0.5)
        res["load_ms"] = m.mon("loadvm a")
        res["reload_ms"] = m.mon("loadvm a")
        if what == "hyve":
            res["stepi_per_s_history_off"] = m.steps(args.steps)
            m.mon("history on")
            res["stepi_per_s_history_on"] = m.steps(args.steps)
        return res
    finally:
        m.stop()


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    b = os.environ.get("B", "build")
    ap.add_argument("--hyve", default=os.path.join(TOP, b, "hyve"))
    ap.add_argument("--qemu", default="qemu-system-x86_64", help="or none")
    ap.add_argument("--qemu-img", default="qemu-img")
    ap.add_argument("--guest", default=os.path.join(TOP, "guests", "build", "bench.elf"))
    ap.add_argument("--mem", default="64,256")
    ap.add_argument("--repeats", type=int, default=3)
    ap.add_argument("--steps", type=int, default=200)
    ap.add_argument("--out", default=os.path.join(TOP, b, "bench", "snap.txt"))
    args = ap.parse_args()
    if not os.path.exists("/dev/kvm"):
        sys.exit("snap_bench: no /dev/kvm here (run it on a KVM host, or in the emulated AMD "
                 "host: tests/svm/l1run.sh -- make bench-snap)")
    stubs = ["hyve"] + ([] if args.qemu == "none" else ["qemu"])
    work = tempfile.mkdtemp(prefix="snapbench.")
    rows = {}
    for mem in [int(x) for x in args.mem.split(",")]:
        for rep in range(args.repeats):
            for what in (stubs if rep % 2 == 0 else stubs[::-1]):
                try:
                    res = measure(args, what, mem, work)
                except RuntimeError as e:
                    sys.stderr.write("snap_bench: %s\n" % e)
                    continue
                for k, v in res.items():
                    rows.setdefault((mem, k), {}).setdefault(what, []).append(v)
    medians_table(rows, "RAM", "%dM", "%dM", "%.2f", (5, 26, 14), args.repeats, work, args.out)

if __name__ == "__main__":
    main()
