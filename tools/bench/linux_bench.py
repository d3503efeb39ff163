#!/usr/bin/env python3
"""linux_bench.py -- hyve's own small kernel (make linux-kernel) under hyve and
under qemu-system-x86_64 -enable-kvm, in one run, with 1 and 2 vCPUs:

  boot_s      seconds from the start of the hypervisor to "Run /init as init
              process" on the console (the same kernel, initramfs and command
              line for both; QEMU boots the PVH vmlinux with -kernel)
  lx_dmesg_s  gdb's `lx-dmesg` (the kernel's own scripts) against the stub,
  lx_ps_s     `lx-ps`, both timed inside gdb, the kernel stopped just after
              "Run /init"

The stubs alternate (hyve, QEMU, QEMU, hyve, ...); medians are printed.
    tools/bench/linux_bench.py [--cpus 1,2] [--repeats 2] [--qemu none]
    (make bench-linux)
"""
import argparse
import os
import re
import subprocess
import sys
import tempfile
import time

TOP = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
CMDLINE = "console=ttyS0 nokaslr noxsave lpj=1000000 panic=-1"
INIT = "Run /init as init process"
sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from benchlib import free_port, wait_file, medians_table  # noqa: E402


def boot(args, what, cpus, work):
    port = free_port()
    serial = os.path.join(work, "%s-%d.serial" % (what, cpus))
    log = os.path.join(work, "%s-%d.log" % (what, cpus))
    for f in (serial, log):
        if os.path.exists(f):
            os.unlink(f)
    if what == "qemu":
        cmd = [args.qemu, "-enable-kvm", "-cpu", "host", "-smp", str(cpus), "-m", "256M",
               "-display", "none", "-net", "none", "-kernel", args.vmlinux,
               "-initrd", args.initrd, "-append", CMDLINE, "-serial", "file:" + serial,
               "-gdb", "tcp:127.0.0.1:%d" % port]
        out = open(log, "w")
    else:
        cmd = [args.hyve, "-c", str(cpus), "-m", "256M", "--kernel", args.vmlinux,
               "--initrd", args.initrd, "--append", CMDLINE, "-G", "127.0.0.1:%d" % port]
        out = open(serial, "w")
    t0 = time.time()
    p = subprocess.Popen(cmd, stdin=subprocess.DEVNULL, stdout=out,
                         stderr=open(log, "a") if what != "qemu" else out)
    if wait_file(serial, re.escape(INIT), args.timeout, proc=p):
        return p, port, time.time() - t0
    p.kill()
    p.wait()
    raise RuntimeError("%s -c %d did not reach '%s' (see %s)" % (what, cpus, INIT, log))


def lx_times(args, port, work, name):
    script = os.path.join(work, name + ".gdb")
    with open(script, "w") as f:
        f.write("""set pagination off
set confirm off
add-auto-load-safe-path {tiny}
file {vmlinux}
source {tiny}/vmlinux-gdb.py
target remote 127.0.0.1:{port}
python
import time
def hyve_timed(name, cmd):
    t = time.monotonic()
    out = gdb.execute(cmd, to_string=True)
    print("t_%s=%.3f lines=%d" % (name, time.monotonic() - t, out.count("\\n")))
end
python hyve_timed("lx_dmesg", "lx-dmesg")
python hyve_timed("lx_ps", "lx-ps")
kill
""".format(tiny=args.tiny, vmlinux=args.vmlinux, port=port))
    r = subprocess.run(["gdb", "-batch", "-nx", "-x", script], capture_output=True, text=True,
                       timeout=args.timeout)
    with open(os.path.join(work, name + ".out"), "w") as f:
        f.write(r.stdout + r.stderr)
    res = {}
    for k, v, n in re.findall(r"^t_(\w+)=([0-9.]+) lines=(\d+)", r.stdout, re.M):
        res[k + "_s"] = float(v)
        res[k + "_lines"] = int(n)
    if "lx_dmesg_s" not in res or "lx_ps_s" not in res:
        raise RuntimeError("gdb did not time lx-dmesg and lx-ps (see %s.out)" % name)
    return res


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    b = os.environ.get("B", "build")
    ap.add_argument("--hyve", default=os.path.join(TOP, b, "hyve"))
    ap.add_argument("--qemu", default="qemu-system-x86_64", help="or none")
    ap.add_argument("--tiny", default=os.environ.get("LINUX_TINY", os.path.join(TOP, b, "linux-tiny")))
    ap.add_argument("--initrd", default=os.path.join(TOP, b, "linux", "initramfs.cpio.gz"))
    ap.add_argument("--cpus", default="1,2")
    ap.add_argument("--repeats", type=int, default=2)
    ap.add_argument("--timeout", type=int, default=900)
    ap.add_argument("--out", default=os.path.join(TOP, b, "bench", "linux.txt"))
    args = ap.parse_args()
    args.vmlinux = os.path.join(args.tiny, "vmlinux")
    for f in (args.vmlinux, args.initrd, os.path.join(args.tiny, "vmlinux-gdb.py")):
        if not os.path.exists(f):
            sys.exit("linux_bench: %s is missing (make linux-kernel linux-guest)" % f)
    if not os.path.exists("/dev/kvm"):
        sys.exit("linux_bench: no /dev/kvm here (run it on a KVM host, or in the emulated AMD "
                 "host: tests/svm/l1run.sh -- make bench-linux)")
    stubs = ["hyve"] + ([] if args.qemu == "none" else ["qemu"])
    work = tempfile.mkdtemp(prefix="linuxbench.")
    rows = {}
    for cpus in [int(c) for c in args.cpus.split(",")]:
        for rep in range(args.repeats):
            for what in (stubs if rep % 2 == 0 else stubs[::-1]):
                try:
                    p, port, secs = boot(args, what, cpus, work)
                    res = {"boot_s": secs}
                    try:
                        res.update(lx_times(args, port, work, "%s-%d-%d" % (what, cpus, rep)))
                    finally:
                        p.kill()
                        p.wait()
                except (RuntimeError, subprocess.TimeoutExpired) as e:
                    sys.stderr.write("linux_bench: %s\n" % e)
                    continue
                for k, v in res.items():
                    rows.setdefault((cpus, k), {}).setdefault(what, []).append(v)
    medians_table(rows, "vCPUs", "%-5d", "c%d", "%.3f", (5, 16, 12), args.repeats, work, args.out)

if __name__ == "__main__":
    main()
