#!/usr/bin/env python3
"""fault.py -- fault injection into hyve's debug server over a live socket.

    fault.py --addr HOST:PORT --pid PID --out GUEST-STDOUT --text ADDR,LEN
             --hot ADDR --counter ADDR [--seconds N] [--rounds N] [--seed N]
             [--no-hit KIND]...

Run by tests/e2e/fault_inject.sh against hyve running tests/fault/guest
(beat64: "BEAT <n>" lines on COM1 several times a second).  Round after
round, until the time or round budget is spent, it does each of:

  malformed  bad checksums, invalid hex, odd lengths, lengths near 2^64,
             addresses that wrap, packets over PacketSize, unterminated
             packets, run-length escapes in the wrong places, '}' at the
             end, random binary garbage -- then the same connection must
             still answer
  drop       connect and drop: before the handshake, mid-packet, while the
             guest is stopped, mid-single-step, while continued, with
             software/hardware breakpoints and watchpoints set (hit or not)
  crowd      a second and a third connection while one is attached: both
             hung up on, the first still answers
  flood      0x03 and vCont;c floods while the guest runs

and after every case checks: hyve is alive; a fresh debugger is served
(handshake, stop reply); the guest's code reads the same as the baseline
taken before any fault (no breakpoint byte left behind); after that
debugger detaches the heartbeat goes on; hyve holds no more file
descriptors than at the start.  Prints the counts at the end; exit 0 when
clean, 1 at the first failure (with what was going on).
python3 standard library only; traffic to the given loopback address only.
"""
import argparse
import hashlib
import os
import random
import re
import socket
import sys
import time

PACKET_SIZE = 128 * 1024      # what hyve advertises (PacketSize=20000)
IO_TIMEOUT = 5.0


class Fail(Exception):
    pass


def checksum(body):
    return b"%02x" % (sum(body) & 0xFF)


def frame(body):
    if isinstance(body, str):
        body = body.encode("latin-1")
    return b"$" + body + b"#" + checksum(body)


def unescape(raw):
    """The payload of a received packet: '}' escapes and '*' run lengths undone."""
    out = bytearray()
    i = 0
    while i < len(raw):
        c = raw[i]
        if c == 0x7D and i + 1 < len(raw):
            out.append(raw[i + 1] ^ 0x20)
            i += 2
        elif c == 0x2A and out and i + 1 < len(raw):
            out.extend(out[-1:] * (raw[i + 1] - 29))
            i += 2
        else:
            out.append(c)
            i += 1
    return bytes(out)


class Client:
    """One debugger connection: framing, acks (until no-ack mode), replies."""

    def __init__(self, addr, timeout=IO_TIMEOUT):
        host, port = addr.rsplit(":", 1)
        self.s = socket.create_connection((host, int(port)), timeout=timeout)
        self.s.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
        self.buf = b""
        self.eof = False

    def close(self):
        try:
            self.s.close()
        except OSError:
            pass

    def send_raw(self, data):
        self.s.sendall(data)

    def send(self, body):
        self.send_raw(frame(body))

    def _fill(self, deadline):
        left = deadline - time.monotonic()
        if left <= 0:
            raise socket.timeout()
        self.s.settimeout(left)
        data = self.s.recv(65536)
        if not data:
            self.eof = True
            raise Fail("hyve closed the connection")
        self.buf += data

    def packet(self, timeout=IO_TIMEOUT, skip_console=True):
        """The next reply payload (acks/naks skipped); Fail on timeout or EOF."""
        deadline = time.monotonic() + timeout
        while True:
            self.buf = self.buf.lstrip(b"+-")
            m = re.match(rb"[^$]*\$([^#]*)#([0-9a-fA-F]{2})", self.buf, re.S)
            if m:
                self.buf = self.buf[m.end():]
                raw = m.group(1)
                if checksum(raw) != m.group(2).lower():
                    raise Fail("reply with a bad checksum: %r" % raw[:80])
                body = unescape(raw)
                if len(body) > PACKET_SIZE:
                    raise Fail("reply of %d bytes, over PacketSize" % len(body))
                if skip_console and body[:1] == b"O" and body != b"OK":
                    continue
                return body
            try:
                self._fill(deadline)
            except socket.timeout:
                raise Fail("no reply within %.1f s (have %r)" % (timeout, self.buf[:80]))

    def ask(self, body, timeout=IO_TIMEOUT):
        self.send(body)
        return self.packet(timeout)

    def drain(self, quiet=0.2):
        """Read and drop whatever arrives until the line is quiet."""
        while True:
            try:
                self.s.settimeout(quiet)
                data = self.s.recv(65536)
            except socket.timeout:
                return
            if not data:
                self.eof = True
                return
            self.buf += data

    def expect_eof(self, timeout=3.0):
        """The server hung up; True if it did so without sending a byte."""
        deadline = time.monotonic() + timeout
        got = b""
        while True:
            left = deadline - time.monotonic()
            if left <= 0:
                raise Fail("server did not hang up on an extra connection")
            self.s.settimeout(left)
            try:
                data = self.s.recv(4096)
            except ConnectionResetError:
                return got == b""
            if not data:
                return got == b""
            got += data

    def handshake(self, noack=None):
        self.send_raw(b"+")
        r = self.ask("qSupported:multiprocess+;swbreak+;hwbreak+;vContSupported+")
        if b"PacketSize=" not in r:
            raise Fail("qSupported reply without PacketSize: %r" % r[:80])
        if noack is None:
            noack = random.random() < 0.5
        if noack and self.ask("QStartNoAckMode") != b"OK":
            raise Fail("QStartNoAckMode refused")
        r = self.ask("?")
        if not r.startswith((b"T", b"S")):
            raise Fail("stop reply to '?' is %r" % r[:80])
        return r


def read_mem(c, addr, length):
    out = b""
    while length:
        n = min(length, 0x800)
        r = c.ask("m%x,%x" % (addr, n))
        if r.startswith(b"E") or len(r) != 2 * n:
            raise Fail("reading %x,%x: %r" % (addr, n, r[:40]))
        out += bytes.fromhex(r.decode())
        addr += n
        length -= n
    return out


class Machine:
    """What is checked after every case."""

    def __init__(self, a):
        self.a = a
        self.text_addr, self.text_len = (int(x, 16) for x in a.text.split(","))
        self.baseline = None
        self.fds = None

    def alive(self):
        try:
            with open("/proc/%d/stat" % self.a.pid) as f:
                state = f.read().rsplit(")", 1)[1].split()[0]
        except OSError:
            raise Fail("hyve (pid %d) is gone" % self.a.pid)
        if state in ("Z", "X"):
            raise Fail("hyve (pid %d) has exited" % self.a.pid)

    def nfds(self):
        return len(os.listdir("/proc/%d/fd" % self.a.pid))

    def beats(self):
        with open(self.a.out, "rb") as f:
            data = f.read()
        m = re.findall(rb"BEAT (\d+)", data)
        return int(m[-1]) if m else 0

    def wait_beat(self, after, timeout=5.0):
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self.beats() > after:
                return
            self.alive()
            time.sleep(0.02)
        raise Fail("the guest's heartbeat stopped (last BEAT %d)" % after)

    def wait_fds(self, timeout=2.0):
        deadline = time.monotonic() + timeout
        while True:
            n = self.nfds()
            if n <= self.fds:
                return
            if time.monotonic() > deadline:
                raise Fail("hyve holds %d file descriptors, %d at the start" % (n, self.fds))
            time.sleep(0.02)

    def text_hash(self, c):
        return hashlib.sha256(read_mem(c, self.text_addr, self.text_len)).hexdigest()

    def take_baseline(self):
        self.alive()
        self.fds = self.nfds()
        c = Client(self.a.addr)
        c.handshake()
        self.baseline = self.text_hash(c)
        c.ask("D")
        c.close()
        self.wait_fds()

    def check(self):
        """A fresh debugger is served, memory is clean, the guest runs on."""
        self.alive()
        # The server closes a dropped connection when it notices: give it a moment.
        deadline = time.monotonic() + 3.0
        while True:
            c = None
            try:
                c = Client(self.a.addr)
                c.handshake()
                break
            except (Fail, OSError):
                # still the dropped one's turn: this one is hung up on
                if c:
                    c.close()
                if time.monotonic() > deadline:
                    raise
                time.sleep(0.05)
        h = self.text_hash(c)
        if h != self.baseline:
            raise Fail("the guest's code changed (a breakpoint byte left behind?)")
        beat = self.beats()
        if c.ask("D") != b"OK":
            raise Fail("detach refused")
        c.close()
        self.wait_beat(beat)
        self.wait_fds()


class Faults:
    def __init__(self, a, m):
        self.a = a
        self.m = m
        self.malformed = 0
        self.disconnects = 0
        self.cases = 0
        self.extra_conns = 0
        self.interrupts = 0
        self.vconts = 0

    # ---- malformed packets ----

    def bad_packets(self):
        hot = self.a.hot
        huge = b"m" + b"0" * (PACKET_SIZE + 512)
        pkts = [
            b"$g#00", b"$m0,4#zz", b"$qC#b5", b"$?#4",                    # bad checksums
            frame("mzz,4"), frame("m0,zz"), frame("M%x,2:zz11" % hot),     # invalid hex
            frame("Pz=00"), frame("G0"), frame("M%x,1:0" % hot),            # odd lengths
            frame("G123"), frame("P10=123"), frame("X%x,2:a" % hot),
            frame("m0,ffffffffffffffff"), frame("mffffffffffffff00,100"),   # near 2^64
            frame("M1,ffffffffffffffff:00"), frame("x0,fffffffffffffffe"),
            frame("Xffffffffffffffff,2:ab"), frame("Z0,ffffffffffffffff,1"),
            frame("Z2,fffffffffffffffc,8"), frame("m" + "f" * 17 + ",1"),
            frame("mfffffffffffffff0,20"), frame("Mfffffffffffffffe,4:00000000"),  # wrap
            frame(huge),                                                    # over PacketSize
            b"$m0,4" + frame("qC"),                                        # unterminated
            b"$*a#" + checksum(b"*a"), b"$m*#" + checksum(b"m*"),          # run lengths
            b"$a**#" + checksum(b"a**"), b"$a*\x01#" + checksum(b"a*\x01"),
            b"$a*}#" + checksum(b"a*}"), frame(b"m0,1*~*~*~*~*~*~*~*~"),
            b"$m0,4}#" + checksum(b"m0,4}"), b"$}#" + checksum(b"}"),      # '}' at the end
            frame(b"vCont;c:p1.-1;s:zz"), frame(b"vCont;r1,0"), frame(b"Hgp99.1"),
            frame(b"qXfer:features:read:target.xml:ffffffffffffffff,ffffffffffffffff"),
            frame(b"qRcmd,6"), frame(b"qRcmd," + b"41" * 2000), frame(b"T0"),
            frame(b"qThreadExtraInfo,ffffffffffffffffff"), frame(b"p" + b"f" * 40),
        ]
        c = Client(self.a.addr)
        c.handshake()
        random.shuffle(pkts)
        for p in pkts:
            c.send_raw(p)
            self.malformed += 1
            if random.random() < 0.3:
                self.resync(c)
        for _ in range(random.randint(3, 8)):
            g = bytes(random.getrandbits(8) for _ in range(random.randint(1, 600)))
            c.send_raw(g)
            self.malformed += 1
        self.resync(c)
        self.finish(c)

    def resync(self, c):
        """After junk: end any half packet, then the server must answer a read
        whose length no other packet here asks for (replies before it are
        the junk's own)."""
        n = random.randint(1, 0x7F)
        c.send_raw(b"#00" + frame("m%x,%x" % (self.a.hot, 0x1000 + n)))
        deadline = time.monotonic() + IO_TIMEOUT
        while True:
            r = c.packet(max(0.1, deadline - time.monotonic()))
            if len(r) == 2 * (0x1000 + n) and not r.startswith(b"E"):
                return
            if time.monotonic() > deadline:
                raise Fail("no answer to a memory read after malformed input")

    def finish(self, c):
        """End a connection one way or another (detach, or just drop it)."""
        if random.random() < 0.5:
            r = c.ask("D")
            if r != b"OK":
                raise Fail("detach answered %r" % r[:40])
        else:
            self.disconnects += 1
        c.close()

    # ---- connect and drop ----

    def drop(self, how):
        c = Client(self.a.addr)
        try:
            if how == "before-handshake":
                pass
            elif how == "mid-packet":
                c.send_raw(random.choice([b"+$qSupported:multipro", b"$m0,", b"+$", b"$g#6"]))
            else:
                c.handshake()
                if how == "stopped":
                    c.ask("g")
                elif how == "mid-step":
                    c.send(random.choice(["s", "vCont;s:1", "vCont;s:p1.1;c"]))
                elif how == "continued":
                    c.send(random.choice(["c", "vCont;c"]))
                    time.sleep(random.uniform(0, 0.1))
                elif how in ("swbreak", "hwbreak", "watch"):
                    self.set_and_hit(c, how)
        finally:
            c.close()
        self.disconnects += 1

    def set_and_hit(self, c, how):
        if how == "watch":
            z = "Z2,%x,8" % self.a.counter
        else:
            z = "Z%d,%x,1" % (0 if how == "swbreak" else 1, self.a.hot)
        r = c.ask(z)
        if r != b"OK":
            raise Fail("%s answered %r" % (z, r[:40]))
        if random.random() < 0.25:
            return                      # dropped while stopped, with it set
        c.send("vCont;c")
        if random.random() < 0.3 or how in self.a.no_hit:
            return                      # dropped while running, with it set
        r = c.packet(IO_TIMEOUT)
        if not r.startswith(b"T05"):
            raise Fail("%s then continue: stop reply %r" % (z, r[:60]))
        if random.random() < 0.5:
            c.send("vCont;s:1")         # and drop mid-step, with it set

    # ---- extra connections ----

    def crowd(self):
        c = Client(self.a.addr)
        c.handshake()
        extra = [Client(self.a.addr) for _ in range(2)]
        for e in extra:
            if random.random() < 0.5:
                try:
                    e.send_raw(frame("qSupported") + frame("?"))
                except OSError:
                    pass
            if not e.expect_eof():
                raise Fail("an extra connection got bytes before being hung up on")
            e.close()
            self.extra_conns += 1
        if not c.ask("qC").startswith(b"QC"):
            raise Fail("the first connection stopped answering")
        self.finish(c)

    # ---- floods ----

    def flood(self):
        c = Client(self.a.addr)
        c.handshake(noack=True)
        c.send("vCont;c")
        for _ in range(random.randint(100, 300)):
            if random.random() < 0.7:
                c.send_raw(b"\x03" * random.randint(1, 20))
                self.interrupts += 1
            else:
                c.send("vCont;c")
                self.vconts += 1
        c.drain(0.05)
        # Stop for good, then the connection must still be in step.
        c.send_raw(b"\x03")
        c.drain(0.3)
        c.buf = b""
        r = c.ask("?")
        if not r.startswith(b"T"):
            raise Fail("after the flood '?' answered %r" % r[:60])
        if not c.ask("qC").startswith(b"QC"):
            raise Fail("after the flood qC went unanswered")
        self.finish(c)

    def run(self):
        drops = ["before-handshake", "mid-packet", "stopped", "mid-step", "continued",
                 "swbreak", "hwbreak", "watch"]
        t0 = time.monotonic()
        rounds = 0
        while rounds < self.a.rounds and time.monotonic() - t0 < self.a.seconds:
            rounds += 1
            cases = [("malformed", self.bad_packets), ("crowd", self.crowd),
                     ("flood", self.flood)]
            cases += [("drop-" + d, lambda d=d: self.drop(d)) for d in drops]
            random.shuffle(cases)
            for name, fn in cases:
                self.current = "round %d, %s" % (rounds, name)
                fn()
                self.m.check()
                self.cases += 1
        return rounds, time.monotonic() - t0


def main():
    p = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    p.add_argument("--addr", required=True)
    p.add_argument("--pid", type=int, required=True)
    p.add_argument("--out", required=True)
    p.add_argument("--text", required=True, help="ADDR,LEN of the guest code (hex)")
    p.add_argument("--hot", type=lambda x: int(x, 0), required=True)
    p.add_argument("--counter", type=lambda x: int(x, 0), required=True)
    p.add_argument("--seconds", type=float, default=50)
    p.add_argument("--rounds", type=int, default=100)
    p.add_argument("--seed", type=int, default=1)
    p.add_argument("--no-hit", action="append", default=[], metavar="KIND",
                   choices=["swbreak", "hwbreak", "watch"],
                   help="this kind never stops the guest on this host (hyve --probe): "
                        "set it and drop while running, never wait for its hit")
    a = p.parse_args()
    if not a.addr.startswith(("127.", "localhost:", "[::1]:")):
        sys.exit("fault.py: loopback addresses only")
    random.seed(a.seed)
    m = Machine(a)
    f = Faults(a, m)
    f.current = "baseline"
    try:
        m.take_baseline()
        rounds, secs = f.run()
    except (Fail, OSError) as e:
        print("FAIL fault injection (%s): %s" % (f.current, e))
        print("so far: %d cases, %d malformed packets, %d disconnect cycles"
              % (f.cases, f.malformed, f.disconnects))
        return 1
    print("fault injection clean: %d rounds, %d cases in %.0f s: %d malformed packets, "
          "%d disconnect cycles, %d extra connections refused, %d interrupts and "
          "%d vCont in floods; after each case hyve served a fresh debugger, the code "
          "hash matched, the heartbeat went on, fds stayed at %d"
          % (rounds, f.cases, secs, f.malformed, f.disconnects, f.extra_conns,
             f.interrupts, f.vconts, m.fds))
    return 0


if __name__ == "__main__":
    sys.exit(main())
