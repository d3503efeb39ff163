#!/usr/bin/env python3
"""capture_ax.py -- record the agent-expression bytecode real gdb sends in Z
packets (breakpoint conditions, dprintf commands), with no KVM and no guest:
gdb talks to a tiny fake stub (this same script, run as `--stub`) that
advertises ConditionalBreakpoints+ and BreakpointCommands+, serves memory
from a small x86-64 program's ELF file and logs every packet gdb sends.

    python3 tests/fuzz/capture_ax.py            # every scenario, print results
    python3 tests/fuzz/capture_ax.py --write    # also (re)write the seeds
                                                # tests/fuzz/corpus/ax/gdb-*

Needs gcc and gdb (13 was used; see tests/unit/test_ax.c for what it sent).
For each scenario it prints the gdb commands, each Z packet's tail (what
follows "Z0,addr,kind") and every bytecode in it as a C array, ready for
tests/unit/test_ax.c.  A seed file is the Z tail itself (fuzz_ax.c takes an
input starting with ';' as a Z tail, anything else as raw bytecode).

Some scenarios are experiments rather than captures: they show how gdb
reacts to the stub's answers (see the ax.h header comment):
  reeval   the stub reports a hit although the condition is false: does gdb
           evaluate the condition again on its side and resume silently?
  dprintf-hit  the stub accepts a dprintf's commands but reports the hit
           anyway (as a stub that cannot run them would): what does gdb do?
  zerror   the stub answers E01 to a Z0 that carries a condition
  zempty   the stub answers "" (unsupported) to it
python3 standard library only.
"""
import os
import re
import shutil
import struct
import subprocess
import sys
import tempfile

HERE = os.path.dirname(os.path.abspath(__file__))
CORPUS = os.path.join(HERE, "corpus", "ax")

PROG = r"""
struct pkt { int len; char *data; unsigned short port; signed char tiny; };
int flag = 1;
long big = -5;
unsigned long ubig = 7;
char msg[] = "hello";
struct pkt gp = { 4, msg, 80, -3 };

int f(int x, struct pkt *p, const char *s)
{
	return x + p->len + s[0];
}

int main(void)
{
	return f(4096, &gp, msg);
}
"""

# name -> (gdb commands after `target remote`, stub behaviour)
SCENARIOS = {
    "cond-eq": (["break f if x == 4096"], "exit"),
    "cond-and": (["break f if p->len > 3 && flag"], "exit"),
    "dprintf": (['set dprintf-style agent', 'dprintf f,"x=%d s=%s\\n",x,s'], "exit"),
    "dprintf-formats": (['set dprintf-style agent',
                         'dprintf f,"%5d|%-4x|%lu|%c|%.3s|%%|%#o|%ld\\n",'
                         'x,x,ubig,65,s,gp.port,big'], "exit"),
    "cond-two": (["break f if x == 1", "break f if flag == 1"], "exit"),
    "cond-arith": (["break f if (big >> 1) < 0 || ubig % 3 == 1 || x / 3 > 1000"], "exit"),
    "cond-fields": (["break f if gp.port == 80 && gp.tiny < 0 && s[1] == 101"], "exit"),
    "cond-bits": (["break f if ((ubig << 2 | 1) ^ ~flag & 0xff) != 0 && !(ubig / 2 == 0)"
                   " && -big % 4 == -1"], "exit"),
    "cond-ternary": (["break f if (x >= 4096 ? gp.len : -1) == 4"], "exit"),
    "cond-dprintf": (['set dprintf-style agent', 'dprintf f,"big=%ld\\n",big',
                      "condition 1 x > 10"], "exit"),
    "cond-reg": (["break f if $rdi == 4096 && $rsp != 0"], "exit"),
    "reeval": (["break f if x == 4096"], "hit-false"),
    "dprintf-hit": (['set dprintf-style agent', 'dprintf f,"x=%d s=%s\\n",x,s'], "hit-false"),
    "zerror": (["break f if x == 4096"], "zerror"),
    "zempty": (["break f if x == 4096"], "zempty"),
}

# ---------------------------------------------------------------- the stub


def csum(body):
    return b"%02x" % (sum(body) & 0xFF)


class Elf:
    """PT_LOAD segments of a little-endian ELF64, and its symbols."""

    def __init__(self, path):
        with open(path, "rb") as fh:
            self.data = fh.read()
        d = self.data
        phoff, = struct.unpack_from("<Q", d, 0x20)
        phentsize, phnum = struct.unpack_from("<HH", d, 0x36)
        self.segs = []
        for i in range(phnum):
            p_type, _, p_off, p_vaddr, _, p_filesz, p_memsz, _ = \
                struct.unpack_from("<IIQQQQQQ", d, phoff + i * phentsize)
            if p_type == 1:
                self.segs.append((p_vaddr, p_memsz, d[p_off:p_off + p_filesz]))

    def read(self, addr, n):
        out = bytearray(n)
        for i in range(n):
            a = addr + i
            for va, memsz, img in self.segs:
                if va <= a < va + memsz:
                    out[i] = img[a - va] if a - va < len(img) else 0
                    break
        return bytes(out)


def stub(elf_path, log_path, mode, main_addr):
    elf = Elf(elf_path)
    inp, out = sys.stdin.buffer, sys.stdout.buffer
    log = open(log_path, "ab")
    rbp = 0x7FFFF000
    regs = [0] * 24
    regs[6] = rbp          # rbp
    regs[7] = rbp - 0x40   # rsp
    regs[16] = main_addr   # rip
    regs[17] = 0x246       # eflags
    stack = {}             # address -> byte, for the hit-false experiment
    bp = [None]
    conts = [0]

    def g_packet():
        img = b"".join(struct.pack("<Q", r) for r in regs[:17])
        img += struct.pack("<I", regs[17])
        img += b"\0" * (536 - len(img))
        return img.hex().encode()

    def mem(addr, n):
        b = bytearray(elf.read(addr, n))
        for i in range(n):
            if addr + i in stack:
                b[i] = stack[addr + i]
        return bytes(b)

    def reply(body):
        out.write(b"$" + body + b"#" + csum(body))
        out.flush()

    def handle(p):
        if p.startswith(b"qSupported"):
            return b"PacketSize=4000;ConditionalBreakpoints+;BreakpointCommands+;swbreak+"
        if p == b"?":
            return b"S05"
        if p.startswith(b"H"):
            return b"OK"
        if p == b"qC":
            return b"QC1"
        if p == b"qAttached":
            return b"1"
        if p == b"qfThreadInfo":
            return b"m1"
        if p == b"qsThreadInfo":
            return b"l"
        if p == b"g":
            return g_packet()
        if p.startswith(b"m"):
            a, n = p[1:].split(b",")
            return mem(int(a, 16), int(n, 16)).hex().encode()
        if p.startswith(b"Z0,") or p.startswith(b"Z1,"):
            addr = int(p.split(b",")[1], 16)
            bp[0] = addr
            if mode == "zerror" and b";" in p:
                return b"E01"
            if mode == "zempty":
                return b""
            return b"OK"
        if p.startswith(b"z0,") or p.startswith(b"z1,"):
            return b"OK"
        if p.startswith(b"M") or p.startswith(b"X"):
            return b"OK"
        if p.startswith(b"vCont?"):
            return b""
        if p == b"s" or p.startswith(b"vCont;s"):
            regs[16] += 1
            return b"T05thread:1;"
        if p == b"c" or p.startswith(b"vCont;c"):
            conts[0] += 1
            if mode == "hit-false" and conts[0] == 1 and bp[0] is not None:
                # f's frame: x (at rbp-4, see the bytecode) is 5, not 4096
                regs[16] = bp[0]
                for i, byte in enumerate(struct.pack("<i", 5)):
                    stack[rbp - 4 + i] = byte
                return b"T05swbreak:;thread:1;"
            return b"W00"
        if p.startswith(b"D"):
            return b"OK"
        if p == b"k":
            return None
        return b""

    while True:
        ch = inp.read(1)
        if not ch:
            break
        if ch in (b"+", b"-"):
            continue
        if ch == b"\x03":
            reply(b"S02")
            continue
        if ch != b"$":
            continue
        body = b""
        while True:
            c = inp.read(1)
            if not c or c == b"#":
                break
            body += c
        inp.read(2)
        out.write(b"+")
        out.flush()
        log.write(body + b"\n")
        log.flush()
        r = handle(body)
        if r is None:
            break
        reply(r)

# ---------------------------------------------------------------- decoding


def parse_tail(tail):
    """Z tail -> (conds, cmds, persist): lists of bytecode (bytes)."""
    conds, cmds, persist = [], [], None
    i, n = 0, len(tail)
    target = conds
    while i < n:
        if tail[i:i + 1] == b";":
            i += 1
            target = conds
            continue
        if tail[i:i + 5] == b"cmds:":
            j = tail.index(b",", i)
            persist = int(tail[i + 5:j], 16)
            i = j + 1
            target = cmds
            continue
        assert tail[i:i + 1] == b"X", tail[i:]
        j = tail.index(b",", i)
        ln = int(tail[i + 1:j], 16)
        target.append(bytes.fromhex(tail[j + 1:j + 1 + 2 * ln].decode()))
        i = j + 1 + 2 * ln
    return conds, cmds, persist


def c_array(name, code):
    lines, row = [], []
    for b in code:
        row.append("0x%02x," % b)
        if len(row) == 12:
            lines.append("\t" + " ".join(row))
            row = []
    if row:
        lines.append("\t" + " ".join(row))
    return "static const uint8_t %s[] = {\n%s\n};" % (name, "\n".join(lines))


def symbol(prog, name):
    for line in subprocess.check_output(["nm", prog], text=True).splitlines():
        f = line.split()
        if len(f) == 3 and f[2] == name:
            return int(f[0], 16)
    sys.exit("capture_ax: no symbol %s in %s" % (name, prog))


def run_scenario(name, cmds, mode, prog, work, write):
    log = os.path.join(work, name + ".log")
    main_addr = symbol(prog, "main")
    stubcmd = "%s %s --stub %s %s %s 0x%x" % (sys.executable, os.path.abspath(__file__),
                                               prog, log, mode, main_addr)
    args = ["gdb", "-nx", "-batch", "-ex", "set pagination off",
            "-ex", "file " + prog, "-ex", "target remote | " + stubcmd]
    for c in cmds:
        args += ["-ex", c]
    args += ["-ex", "continue", "-ex", "info breakpoints"]
    res = subprocess.run(args, capture_output=True, text=True, timeout=60)
    print("=" * 72)
    print("scenario %s: gdb %s" % (name, "; ".join(cmds)))
    with open(log, "rb") as fh:
        pkts = fh.read().split(b"\n")
    ztails = []
    for p in pkts:
        m = re.match(rb"^(Z[01]),([0-9a-f]+),([0-9a-f]+)(.*)$", p)
        if m:
            ztails.append(m.group(4))
            print("  sent: %s" % p.decode())
    conts = [p for p in pkts if p == b"c" or p.startswith(b"vCont;c")]
    print("  resumes sent: %d; memory writes: %d" %
          (len(conts), len([p for p in pkts if p.startswith(b"M") or p.startswith(b"X")])))
    out = (res.stdout + res.stderr).strip().split("\n")
    print("  gdb said:")
    for line in out:
        print("    | " + line)
    for k, tail in enumerate(t for t in ztails if t):
        conds, cmdl, persist = parse_tail(tail)
        for i, c in enumerate(conds):
            print(c_array("ax_%s_cond%d" % (name.replace("-", "_"), i), c))
        for i, c in enumerate(cmdl):
            print(c_array("ax_%s_cmd%d" % (name.replace("-", "_"), i), c))
            fmt = re.search(rb"\x34(.)(..)", c, re.S)
            if fmt:
                print("  /* printf, %d args */" % fmt.group(1)[0])
        if persist is not None:
            print("  persist=%d" % persist)
        if write and mode == "exit":
            os.makedirs(CORPUS, exist_ok=True)
            with open(os.path.join(CORPUS, "gdb-%s-%d" % (name, k + 1)), "wb") as fh:
                fh.write(tail)
            for i, c in enumerate(conds + cmdl):
                with open(os.path.join(CORPUS, "gdb-%s-%d-code%d" % (name, k + 1, i)), "wb") as fh:
                    fh.write(c)


def main():
    if len(sys.argv) >= 2 and sys.argv[1] == "--stub":
        stub(sys.argv[2], sys.argv[3], sys.argv[4], int(sys.argv[5], 16))
        return
    write = "--write" in sys.argv
    for tool in ("gcc", "gdb", "nm"):
        if not shutil.which(tool):
            sys.exit("capture_ax: %s is needed" % tool)
    print(subprocess.check_output(["gdb", "--version"], text=True).split("\n")[0])
    work = tempfile.mkdtemp(prefix="capture_ax.")
    src = os.path.join(work, "prog.c")
    prog = os.path.join(work, "prog")
    with open(src, "w") as fh:
        fh.write(PROG)
    subprocess.check_call(["gcc", "-g", "-O0", "-no-pie", "-fno-pie", "-o", prog, src])
    for name, (cmds, mode) in SCENARIOS.items():
        run_scenario(name, cmds, mode, prog, work, write)
    shutil.rmtree(work)


if __name__ == "__main__":
    main()
