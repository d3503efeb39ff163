#!/usr/bin/env python3
"""cond_bench.py -- conditional breakpoints side by side, one run: hits per
second of a breakpoint (or watchpoint) on the benchmark guest's bench_hot
whose condition is true once in N hits,

  hyve-target   hyve evaluating the condition itself (gdb's default with
                hyve; for watchpoints a raw client sends the ";X" list, as
                gdb never does)
  hyve-host     hyve with gdb evaluating (set breakpoint condition-evaluation
                host): every hit a stop reply, register and memory reads, a
                resume
  qemu-host     qemu-system-x86_64 -enable-kvm, gdb evaluating (QEMU's stub
                takes no conditions)

and the guest's speed (bench_hot calls per second) while a dprintf on
bench_tick (hyve running it, agent style) fires about 1000 times a second,
against the same guest with nothing set.

    tools/bench/cond_bench.py [--kind break|hbreak|watch] [--n N] ...
    (make bench-cond runs it with the defaults)

--kind: what kind of breakpoint (default break; watch: a write watchpoint on
bench_counter, written once per call, for hosts where breakpoints do not
trap).  Prints a table (also to --out) and KEY=VALUE lines.  Needs gdb,
python3; QEMU is optional (--qemu none).
"""
import argparse
import os
import re
import subprocess
import sys
import tempfile
import time

TOP = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
sys.path.insert(0, os.path.join(TOP, "tests", "e2e"))
sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from cond_rsp import Rsp, k64, k32, xlist, REF64, EQUAL, END, PRINTF, sym  # noqa: E402
from benchlib import free_port, wait_file  # noqa: E402

REM_UNSIGNED = b"\x08"


def mod_is_zero_mem(addr, n):
    """*(uint64_t *)addr % n == 0"""
    return k64(addr) + REF64 + k32(n) + REM_UNSIGNED + b"\x22\x00" + EQUAL + END


def printf_reg(fmt, regno):
    f = fmt.encode() + b"\0"
    return (b"\x26" + regno.to_bytes(2, "big") + b"\x22\x00\x22\x00" + PRINTF + bytes([1]) +
            len(f).to_bytes(2, "big") + f + END)


class Machine:
    """hyve or QEMU running the bench guest with its debug server on a port."""

    def __init__(self, args, what, work):
        self.port = free_port()
        self.log = os.path.join(work, "%s.log" % what)
        self.serial = os.path.join(work, "%s.serial" % what)
        if what == "qemu":
            accel = ["-enable-kvm", "-cpu", "host"] if args.qemu_accel == "kvm" else \
                    ["-accel", "tcg"]
            cmd = [args.qemu] + accel + ["-m", "64M", "-display", "none",
                   "-net", "none", "-kernel", args.guest, "-serial", "file:" + self.serial,
                   "-gdb", "tcp:127.0.0.1:%d" % self.port]
            out = open(self.log, "w")
        else:
            cmd = [args.hyve, "-m", "64M", "--kernel", args.guest,
                   "-G", "127.0.0.1:%d" % self.port]
            out = open(self.serial, "w")
        self.p = subprocess.Popen(cmd, stdin=subprocess.DEVNULL, stdout=out,
                                  stderr=open(self.log, "a") if what != "qemu" else out)
        if not wait_file(self.serial, "BENCH-READY", 300):
            self.stop()
            sys.exit("cond_bench: %s did not boot the guest (see %s)" % (what, self.log))
        self.addr = "127.0.0.1:%d" % self.port

    def stop(self):
        self.p.kill()
        self.p.wait()


def gdb_hits(args, addr, kind, n, k, host, work, name, timeout=None):
    """gdb: a breakpoint true once in n hits; the time of k stops after the first."""
    cond = {"break": "break bench_hot if i %% %d == 0" % n,
            "hbreak": "hbreak bench_hot if i %% %d == 0" % n,
            "watch": "watch bench_counter if bench_counter %% %d == 0" % n}[kind]
    script = os.path.join(work, name + ".gdb")
    with open(script, "w") as f:
        f.write("set pagination off\nset confirm off\n")
        if host:
            f.write("set breakpoint condition-evaluation host\n")
        mark = 'printf "stopped=%lu\\n", bench_counter\n'
        f.write("target remote %s\n%s\ncontinue\n%s" % (addr, cond, mark))
        f.write("python import time; t0 = time.time()\n")
        for _ in range(k):
            f.write("continue\n" + mark)
        f.write("python print('secs=%.4f' % (time.time() - t0))\n")
        f.write("detach\n")
    out = os.path.join(work, name + ".out")
    try:
        r = subprocess.run(["gdb", "-batch", "-nx", "-x", script, args.sym], capture_output=True,
                           text=True, timeout=timeout or args.timeout)
        text = r.stdout + r.stderr
    except subprocess.TimeoutExpired as e:
        text = (e.stdout or b"").decode() if isinstance(e.stdout, bytes) else (e.stdout or "")
        text += "\n(timed out after %d s)" % (timeout or args.timeout)
    with open(out, "w") as f:
        f.write(text)
    m = re.search(r"^secs=([0-9.]+)", text, re.M)
    vals = [int(v) for v in re.findall(r"^stopped=(\d+)", text, re.M)]
    steps = [b - a for a, b in zip(vals, vals[1:])]
    if not m or len(vals) != k + 1 or any(v % n for v in vals) or any(d != n for d in steps):
        tail = "\n".join(text.strip().split("\n")[-6:])
        sys.stderr.write("cond_bench: %s: not %d stops %d hits apart; gdb said:\n%s\n" %
                         (name, k + 1, n, tail))
        return None, "not %d stops %d hits apart" % (k + 1, n)
    return k * n / float(m.group(1)), "%d x %d hits in %.3f s" % (k, n, float(m.group(1)))


def raw_watch_hits(addr, sym_elf, n, k):
    """hyve-target for watchpoints: Z2 with a ";X" list, sent by a raw client."""
    cnt = sym(sym_elf, "bench_counter")
    r = Rsp(addr)
    r.req("qSupported:swbreak+;hwbreak+")
    r.req("QStartNoAckMode")
    r.ack = False
    r.req("?")
    if r.req("Z2,%x,8;%s" % (cnt, xlist(mod_is_zero_mem(cnt, n)))) != "OK":
        return None, "Z2 refused"
    r.req("vCont;c")
    t0 = time.time()
    for _ in range(k):
        if "watch:" not in r.req("vCont;c"):
            return None, "not a watchpoint stop"
    dt = time.time() - t0
    r.req("z2,%x,8" % cnt)
    r.send("D")
    r.recv()
    return k * n / dt, "%d x %d hits in %.3f s" % (k, n, dt)


def speed(r, cnt, secs):
    """bench_hot calls per second while running secs: (rate, O packet lines)."""
    r.console = []
    a = r.u64(cnt)
    r.send("vCont;c")
    t0 = time.time()
    time.sleep(secs)
    r.s.sendall(b"\x03")
    stop = r.wait_stop()
    dt = time.time() - t0
    b = r.u64(cnt)
    if not stop.startswith("T"):
        raise RuntimeError("no stop reply: " + stop)
    return (b - a) / dt, sum(t.count("\n") for t in r.console) / dt


def dprintf_speed(args, addr):
    """Guest speed with nothing set, then with a dprintf on bench_tick at ~rate/s."""
    cnt = sym(args.sym, "bench_counter")
    mask_addr = sym(args.sym, "bench_tick_mask")
    tick = sym(args.sym, "bench_tick")
    ticks = sym(args.sym, "bench_ticks")
    r = Rsp(addr)
    r.req("qSupported:swbreak+;hwbreak+")
    r.req("QStartNoAckMode")
    r.ack = False
    r.req("?")
    free_rate, _ = speed(r, cnt, args.seconds)
    per = 1
    while per * args.rate < free_rate:
        per *= 2
    if r.req("M%x,8:%s" % (mask_addr, (per - 1).to_bytes(8, "little").hex())) != "OK":
        raise RuntimeError("cannot set bench_tick_mask")
    base, _ = speed(r, cnt, args.seconds)
    cmds = xlist(printf_reg("tick %lu\\n", 5))
    if args.kind == "watch":
        # on bench_ticks.n (a page of its own): printf of the value written
        f = b"tick %lu\\n\0"
        code = (k64(ticks) + REF64 + b"\x22\x00\x22\x00" + PRINTF + bytes([1]) +
                len(f).to_bytes(2, "big") + f + END)
        z = "Z2,%x,8;cmds:0,%s" % (ticks, xlist(code))
    else:
        z = "Z%d,%x,1;cmds:0,%s" % (0 if args.kind == "break" else 1, tick, cmds)
    if r.req(z) != "OK":
        raise RuntimeError("dprintf refused")
    with_dp, lines = speed(r, cnt, args.seconds)
    r.req("z" + z[1:z.index(";")])
    r.send("D")
    r.recv()
    return free_rate, base, with_dp, lines, per


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--kind", default="break", choices=("break", "hbreak", "watch"))
    ap.add_argument("--n", type=int, default=1000, help="the condition is true once in N hits")
    ap.add_argument("--k", type=int, default=5, help="true stops timed (hyve-target)")
    ap.add_argument("--host-n", type=int, default=100, help="N for gdb evaluating (slow)")
    ap.add_argument("--host-k", type=int, default=3)
    ap.add_argument("--hyve", default=os.path.join(TOP, os.environ.get("B", "build"), "hyve"))
    ap.add_argument("--guest", default=os.path.join(TOP, "guests/build/bench.elf"))
    ap.add_argument("--sym", default=os.path.join(TOP, "guests/build/bench64.elf"))
    ap.add_argument("--qemu", default="qemu-system-x86_64", help="or 'none'")
    ap.add_argument("--rate", type=int, default=1000, help="dprintf hits per second wanted")
    ap.add_argument("--seconds", type=float, default=3.0, help="each guest-speed slice")
    ap.add_argument("--timeout", type=int, default=600)
    ap.add_argument("--qemu-timeout", type=int, default=300)
    ap.add_argument("--qemu-accel", default="kvm", choices=("kvm", "tcg"),
                    help="tcg: where KVM's debug registers do not fire (nested TCG)")
    ap.add_argument("--phases", default="hyve,qemu")
    ap.add_argument("--out", default=os.path.join(TOP, os.environ.get("B", "build"),
                                                   "bench", "cond.txt"))
    args = ap.parse_args()
    work = tempfile.mkdtemp(prefix="cond_bench.")
    rows = []

    free_rate = base = with_dp = lines = per = 0
    m = Machine(args, "hyve", work) if "hyve" in args.phases else None
    try:
        if not m:
            raise StopIteration
        if args.kind == "watch":
            rate, note = raw_watch_hits(m.addr, args.sym, args.n, args.k)
        else:
            rate, note = gdb_hits(args, m.addr, args.kind, args.n, args.k, False, work,
                                  "hyve-target")
        rows.append(("hyve-target", rate, note))
        rate, note = gdb_hits(args, m.addr, args.kind, args.host_n, args.host_k, True, work,
                              "hyve-host")
        rows.append(("hyve-host", rate, note))
        free_rate, base, with_dp, lines, per = dprintf_speed(args, m.addr)
    except StopIteration:
        pass
    finally:
        if m:
            m.stop()
    if args.qemu != "none" and "qemu" in args.phases:
        q = Machine(args, "qemu", work)
        try:
            rate, note = gdb_hits(args, q.addr, args.kind, args.host_n, args.host_k, True, work,
                                  "qemu-host", timeout=args.qemu_timeout)
        finally:
            q.stop()
        rows.append(("qemu-host", rate, note + " (%s)" % args.qemu_accel))

    lines_out = ["conditional %s on bench_hot, true once in N hits (hits per second):" %
                 args.kind]
    qemu_rate = dict((r[0], r[1]) for r in rows).get("qemu-host")
    for name, rate, note in rows:
        ratio = ""
        if rate and qemu_rate:
            ratio = "  %.1f x QEMU" % (rate / qemu_rate)
        lines_out.append("  %-12s %12s  %s%s" % (name, "%.0f" % rate if rate else "-", note,
                                                   ratio))
    if not base:
        lines_out = lines_out[:len(rows) + 1]
    else:
        lines_out.append("guest speed, bench_hot calls per second (%.1f s slices):" %
                         args.seconds)
        lines_out.append("  %-30s %12.0f" % ("nothing set", free_rate))
        lines_out.append("  %-30s %12.0f" % ("bench_tick every %d calls" % per, base))
        lines_out.append("  %-30s %12.0f  (%.0f dprintf lines/s; %.1f %% of the speed)" %
                         ("+ dprintf on bench_tick", with_dp, lines, 100.0 * with_dp / base))
    text = "\n".join(lines_out) + "\n"
    print(text, end="")
    os.makedirs(os.path.dirname(args.out), exist_ok=True)
    with open(args.out, "w") as f:
        f.write(text)
    for name, rate, _ in rows:
        print("%s_hits_per_s=%s" % (name.replace("-", "_"), "%.0f" % rate if rate else ""))
    print("dprintf_lines_per_s=%.0f" % lines)
    print("speed_base=%.0f" % base)
    print("speed_dprintf=%.0f" % with_dp)
    print("work=%s" % work)


if __name__ == "__main__":
    main()
