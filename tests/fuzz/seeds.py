#!/usr/bin/env python3
"""seeds.py -- write the hand-made seeds of the fuzz corpus (what the
recorded gdb/lldb sessions of capture.sh do not reach): monitor commands,
physical addressing, range stepping, binary writes, watchpoints of every
kind, page-table and control-register changes, run lengths, escapes,
notifications, interrupts.  Writes tests/fuzz/corpus/{session,rsp}/hand-*.bin.

    python3 tests/fuzz/seeds.py
"""
import os

HERE = os.path.dirname(os.path.abspath(__file__))


def pkt(body):
    if isinstance(body, str):
        body = body.encode("latin-1")
    return b"$" + body + b"#" + b"%02x" % (sum(body) & 0xFF)


def rcmd(text):
    return pkt("qRcmd," + text.encode().hex())


HELLO = pkt("qSupported:multiprocess+;swbreak+;hwbreak+;vContSupported+") + b"+" + pkt("?") + b"+"

SEEDS = {
    "monitor": [rcmd("help"), rcmd("status"), rcmd("phys on"), pkt("m0,40"),
                pkt("m3ffc0,80"), pkt("m40000,1"), pkt("m30000,10"), rcmd("phys off"),
                rcmd("cr3 1000"), pkt("mffffffff80000000,20"), rcmd("cr3 off"),
                rcmd("packets on"), pkt("g"), rcmd("packets off"), rcmd("bogus")],
    "phys": [pkt("Qqemu.PhyMemMode:1"), pkt("qqemu.PhyMemMode"), pkt("m3fff0,20"),
             pkt("Mfff0,4:01020304"), pkt("Qqemu.PhyMemMode:0")],
    "range": [pkt("vCont?"), pkt("vCont;r8000,8010:1;c"), b"\x03",
              pkt("vCont;r8010,8000"), pkt("vCont;s:p1.1;c:-1")],
    "writes": [pkt("X8000,0:"), pkt(b"X8000,4:\x90}\x03}\x04\xcc"), pkt("M8000,2:cc90"),
               pkt("m8000,10"), pkt("x8000,10"), pkt("Mffffffffffffffff,2:0000")],
    "watch": [pkt("Z2,9000,8"), pkt("Z3,9000,4000"), pkt("Z4,fff8,10"), pkt("vCont;c"),
              b"\x03", pkt("z2,9000,8"), pkt("z3,9000,4000"), pkt("z4,fff8,10"),
              pkt("Z0,8000,1"), pkt("Z0,ffffffff80008000,1"), pkt("Z1,8004,1"),
              pkt("m8000,8"), pkt("c"), b"\x03", pkt("D")],
    "regs": [pkt("p10"), pkt("P10=0080000000000000"), pkt("p3e"),
             pkt("P3e=0020000000000000"), pkt("m0,10"), pkt("P3c=1100000000000000"),
             pkt("m8000,10"), pkt("Hg2"), pkt("g"), pkt("Hc3"), pkt("s"), pkt("T2"),
             pkt("qThreadExtraInfo,2"), pkt("qThreadStopInfo3")],
    "escapes": [b"$m8000,*\"#00", b"$}#", b"$qRcmd,}", b"%Stop:T05#00", pkt("m0,1" + "0" * 20),
                pkt("m" + "f" * 17 + ",1"), pkt("mffffffffffffffff,2"), b"$m1,1#zz",
                b"\x03\x03\x03", pkt("vCont;c") + b"\x03" * 8 + pkt("vCont;c")],
    "qxfer": [pkt("qXfer:features:read:target.xml:0,ffff"),
              pkt("qXfer:features:read:target.xml:fffffffffffffff0,10"),
              pkt("qXfer:threads:read::0,1"), pkt("qXfer:exec-file:read::0,10"),
              pkt("qfThreadInfo"), pkt("qsThreadInfo"), pkt("qC"), pkt("qAttached:1")],
    "conds": [pkt("Z0,8000,1;X13,26000622100222ec1608021916202310001327"),
              pkt("Z1,8004,1;X3,220127X3,220027;cmds:1,X3,220227"),
              pkt("Z0,8000,1;cmds:0,X1,ff"), pkt("Z2,9000,8;X2,ff27"),
              pkt("Z4,9000,4;Xzz,1"), pkt("Z0,8000,1"), pkt("vCont;c"), b"\x03",
              pkt("z0,8000,1;X1,27"), pkt("z1,8004,1"), pkt("D")],
    "end": [pkt("vCont;s"), pkt("vKill;1")],
}

for name, parts in SEEDS.items():
    data = b"+" + HELLO + b"".join(parts)
    for sub in ("session", "rsp"):
        d = os.path.join(HERE, "corpus", sub)
        os.makedirs(d, exist_ok=True)
        with open(os.path.join(d, "hand-%s.bin" % name), "wb") as f:
            f.write(data)
print("wrote %d seeds" % len(SEEDS))
