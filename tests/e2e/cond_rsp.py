#!/usr/bin/env python3
"""cond_rsp.py -- target-side conditions and commands driven by a raw GDB
remote-protocol client (no gdb), for what gdb itself never sends: gdb 13
evaluates watchpoint conditions on its side (its Z2/Z3/Z4 packets carry no
";X" list), but hyve takes them on every Z type, so the same evaluation at
the hit is tested on page-trapping watchpoints, which work on every KVM.

    cond_rsp.py HOST:PORT ELF SCENARIO

Scenarios (the guest is bpg mode=cond, held at its entry: -G w...):
  watch     Z2 on cw.var with the condition *(u64 *)&cw.var == 3000: one
            stop, at the write of 3000; `monitor conds` counts 3000 hits, 1 stop
  dprintf   Z2 on cw.var with commands printf("w=%lu\\n", cw.var) and no
            condition (never stops), plus Z2 on cond_calls with a condition
            (stops at 3100): the O packets carry w=3001 .. w=3100, in order
  hbreak    Z1 at cond_target with the condition $rdi == 500 (the hardware
            breakpoint kind), if it traps at all here
  rate N    Z2 on cw.var with a condition true at the N-th hit from now:
            prints "hits_per_s=..." (the benchmark)
Prints KEY=VALUE lines for the shell; exits 0 unless the protocol failed.
"""
import socket
import struct
import subprocess
import sys
import time


def sym(elf, name):
    for line in subprocess.check_output(["nm", elf], text=True).splitlines():
        f = line.split()
        if len(f) == 3 and f[2] == name:
            return int(f[0], 16)
    sys.exit("cond_rsp: no symbol %s in %s" % (name, elf))


class Rsp:
    def __init__(self, addr):
        host, port = addr.rsplit(":", 1)
        self.s = socket.create_connection((host, int(port)), timeout=600)
        self.buf = b""
        self.ack = True
        self.console = []        # O packet texts, in order

    def _byte(self):
        while not self.buf:
            d = self.s.recv(65536)
            if not d:
                raise EOFError("connection closed")
            self.buf += d
        b, self.buf = self.buf[:1], self.buf[1:]
        return b

    def send(self, body):
        if isinstance(body, str):
            body = body.encode("latin-1")
        self.s.sendall(b"$%s#%02x" % (body, sum(body) & 0xFF))
        if self.ack:
            while self._byte() != b"+":
                pass

    def recv(self):
        while self._byte() != b"$":
            pass
        body = b""
        while True:
            c = self._byte()
            if c == b"#":
                break
            body += c
        self._byte()
        self._byte()
        if self.ack:
            self.s.sendall(b"+")
        return body.decode("latin-1")

    def req(self, body):
        self.send(body)
        return self.recv()

    def wait_stop(self):
        """The stop reply after a resume; O packets on the way are kept."""
        while True:
            r = self.recv()
            if r.startswith("O") and r != "OK":
                self.console.append(bytes.fromhex(r[1:]).decode("latin-1"))
                continue
            return r

    def monitor(self, cmd):
        self.send("qRcmd," + cmd.encode().hex())
        text = ""
        while True:
            r = self.recv()
            if r.startswith("O") and r != "OK":
                text += bytes.fromhex(r[1:]).decode("latin-1")
                continue
            return text

    def u64(self, addr):
        r = self.req("m%x,8" % addr)
        return struct.unpack("<Q", bytes.fromhex(r))[0]


def k64(v):
    return b"\x25" + struct.pack(">Q", v)


def k32(v):
    return b"\x24" + struct.pack(">I", v)


REF64, EQUAL, END, PRINTF = b"\x1a", b"\x13", b"\x27", b"\x34"


def eq_mem(addr, value):
    """*(uint64_t *)addr == value"""
    return k64(addr) + REF64 + k32(value) + EQUAL + END


def eq_reg(regno, value):
    return b"\x26" + struct.pack(">H", regno) + k32(value) + EQUAL + END


def printf_mem(fmt, addr):
    f = fmt.encode() + b"\0"
    return (k64(addr) + REF64 + b"\x22\x00\x22\x00" + PRINTF + bytes([1]) +
            struct.pack(">H", len(f)) + f + END)


def xlist(code):
    return "X%x,%s" % (len(code), code.hex())


def attach(addr):
    r = Rsp(addr)
    sup = r.req("qSupported:swbreak+;hwbreak+")
    for f in ("ConditionalBreakpoints+", "BreakpointCommands+"):
        print("has_%s=%d" % (f.rstrip("+"), int(f in sup)))
    r.req("QStartNoAckMode")
    r.ack = False
    print("first_stop=%s" % r.req("?"))
    return r


def conds_line(text, what):
    for line in text.splitlines():
        if line.startswith(what):
            return line
    return ""


def main():
    addr, elf, scen = sys.argv[1], sys.argv[2], sys.argv[3]
    var = sym(elf, "cw")
    calls = sym(elf, "cond_calls")
    r = attach(addr)
    if scen == "watch":
        print("z=%s" % r.req("Z2,%x,8;%s" % (var, xlist(eq_mem(var, 3000)))))
        t0 = time.time()
        stop = r.req("vCont;c")
        print("stop=%s" % stop)
        print("secs=%.3f" % (time.time() - t0))
        print("var=%d" % r.u64(var))
        print("calls=%d" % r.u64(calls))
        c = r.monitor("conds")
        print("conds=%s" % conds_line(c, "watch"))
        print("past=%s" % conds_line(c, "hits that went on"))
    elif scen == "dprintf":
        print("z1=%s" % r.req("Z2,%x,8;%s" % (var, xlist(eq_mem(var, 3000)))))
        print("stop1=%s" % r.req("vCont;c"))
        # now: every write prints, the stop comes from the other watchpoint
        print("z1_off=%s" % r.req("z2,%x,8" % var))
        print("z2=%s" % r.req("Z2,%x,8;cmds:0,%s" % (var, xlist(printf_mem("w=%lu\\n", var)))))
        print("z3=%s" % r.req("Z2,%x,8;%s" % (calls, xlist(eq_mem(calls, 3100)))))
        r.send("vCont;c")
        print("stop2=%s" % r.wait_stop())
        text = "".join(r.console)
        lines = text.splitlines()
        print("o_lines=%d" % len(lines))
        print("o_first=%s" % (lines[0] if lines else ""))
        print("o_last=%s" % (lines[-1] if lines else ""))
        want = ["w=%d" % n for n in range(3001, 3101)]
        print("o_in_order=%d" % int(lines == want))
        print("var=%d" % r.u64(var))
        c = r.monitor("conds")
        print("conds_var=%s" % conds_line(c, "watch 0x%x" % var))
        print("conds_calls=%s" % conds_line(c, "watch 0x%x" % calls))
    elif scen == "hbreak":
        tgt = sym(elf, "cond_target")
        print("z=%s" % r.req("Z1,%x,1;%s" % (tgt, xlist(eq_reg(5, 500)))))
        r.send("vCont;c")
        print("stop=%s" % r.wait_stop())
        print("calls=%d" % r.u64(calls))
        c = r.monitor("conds")
        print("conds=%s" % conds_line(c, "hbreak"))
    elif scen == "rate":
        n = int(sys.argv[4])
        # first stop at the write of 1: then n more writes to the true one
        print("z=%s" % r.req("Z2,%x,8;%s" % (var, xlist(eq_mem(var, 1)))))
        print("stop0=%s" % r.req("vCont;c"))
        print("z=%s" % r.req("Z2,%x,8;%s" % (var, xlist(eq_mem(var, 1 + n)))))
        t0 = time.time()
        stop = r.req("vCont;c")
        dt = time.time() - t0
        print("stop=%s" % stop)
        print("var=%d" % r.u64(var))
        print("secs=%.3f" % dt)
        print("hits_per_s=%.0f" % (n / dt))
    else:
        sys.exit("cond_rsp: unknown scenario " + scen)
    r.send("D")
    r.recv()


if __name__ == "__main__":
    main()
