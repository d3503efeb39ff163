#!/usr/bin/env python3
"""seeds_ax.py -- write the hand-made seeds of fuzz_ax's corpus (edge cases
gdb's own bytecode, recorded by capture_ax.py, does not reach): loops and
the step limit, stack limits, division edge cases, shifts and extensions at
their bounds, the trace family, variables, every printf conversion, and
Z tails well and badly formed.  Writes tests/fuzz/corpus/ax/hand-*.

    python3 tests/fuzz/seeds_ax.py

fuzz_ax.c's machine: register n < 8 holds 0x1000 + 8n, and the input itself
is mapped at 0x1000, so "reg 0; ref64" reads the input's first 8 bytes.
"""
import os
import struct

HERE = os.path.dirname(os.path.abspath(__file__))
OUT = os.path.join(HERE, "corpus", "ax")

END = b"\x27"


def k8(v):
    return b"\x22" + bytes([v & 0xFF])


def k64(v):
    return b"\x25" + struct.pack(">Q", v & (2**64 - 1))


def op(*codes):
    return bytes(codes)


def printf(fmt, args):
    """args: bytecode pushing each argument, first argument first."""
    code = b"".join(reversed(args)) + k8(0) + k8(0)
    f = fmt.encode() + b"\0"
    return code + b"\x34" + bytes([len(args)]) + struct.pack(">H", len(f)) + f + END


def ztail(conds=(), cmds=(), persist=1):
    t = b""
    if conds:
        t += b";" + b"".join(b"X%x," % len(c) + c.hex().encode() for c in conds)
    if cmds:
        t += b";cmds:%x," % persist + b"".join(b"X%x," % len(c) + c.hex().encode()
                                               for c in cmds)
    return t


REG0 = b"\x26\x00\x00"


def printf_self(fmt):
    """%s of the format string itself: it is in the input, mapped at 0x1000."""
    def build(addr):
        return printf(fmt, [k64(addr), k64(addr + 2), k64(addr), k64(addr), k8(0), k8(0),
                            k64(0x1234), k8(65), k8(66)])
    first = build(0)
    at = first.index(fmt.encode())
    return build(0x1000 + at)

SEEDS = {
    "loop-forever": b"\x21\x00\x00",
    "push-forever": k8(1) + b"\x21\x00\x00",
    "countdown": k8(50) + b"\x2d\x00\x00\x29" + b"\x2c\x00\x00" + k8(1) + op(0x03) +
                 b"\x2d\x00\x00" + b"\x20\x00\x06" + b"\x2c\x00\x00" + op(0x0e) + END,
    "div-edges": k64(-2**63) + k64(-1) + op(0x05) + k64(-2**63) + k64(-1) + op(0x07) +
                 op(0x02) + k8(0) + op(0x06) + END,
    "shift-edges": k8(1) + k8(64) + op(0x09) + k64(-8) + k8(200) + op(0x0a) + op(0x02) +
                   k64(-1) + k8(63) + op(0x0b) + op(0x10) + END,
    "ext-edges": k8(0x80) + op(0x16, 0) + k8(0x80) + op(0x16, 8) + op(0x02) +
                 k8(1) + op(0x16, 1) + op(0x02) + op(0x2a, 255) + op(0x16, 64) + END,
    "stack-ops": k8(1) + k8(2) + k8(3) + op(0x33) + op(0x32, 2) + op(0x2b) + op(0x28) +
                 op(0x29) + op(0x15) + op(0x14) + END,
    "pick-deep": k8(1) + op(0x32, 200) + END,
    "trace-family": REG0 + op(0x0d, 8) + b"\x30\x01\x00" + k8(16) + op(0x0c) + REG0 +
                    k8(32) + op(0x2f) + b"\x2e\x00\x01" + k8(1) + END,
    "vars": k8(7) + b"\x2d\x00\x07" + b"\x2c\x00\x07" + op(0x13) + b"\x2c\x00\x08" + END,
    "reg-refs": REG0 + op(0x1a) + REG0 + op(0x19) + REG0 + op(0x18) + REG0 + op(0x17) +
                op(0x02, 0x02, 0x02) + b"\x26\x00\x51" + b"\x26\x01\x00" + END,
    "float-ops": k8(0) + op(0x1b) + END,
    "jump-into-operand": b"\x21\x00\x04" + k8(0x27) + END,
    "truncated": b"\x25\x00\x01",
    "printf-ints": printf("%d %i %u %x %X %o %5d %-5x| %05d %+d % d %.3d %#x %#o",
                          [k64(-42), k8(7), k64(-1), k8(255), k8(255), k8(8), k8(3),
                           k8(10), k8(42), k8(1), k8(2), k8(5), k8(0), k8(0)]),
    "printf-lengths": printf("%hd %hu %ld %lu %lx %lld %llu %llx %zu %zx",
                             [k64(0x18000), k64(-1), k64(-2**63), k64(-1), k64(-1),
                              k64(-5), k64(5), k64(2**63), k8(1), k8(15)]),
    "printf-str-ptr": printf_self("[%s] [%.3s] [%8s] [%-8s] [%s] %p %p %c %-3c|"),
    "printf-escapes": printf("\\t\\n\\\\\\\"\\a\\b\\e\\f\\r\\v%%%d", [k8(1)]),
    "printf-bad": printf("%f", [k8(1)]),
    "printf-count": printf("%d %d", [k8(1)]),
    "printf-wide": printf("%4000d%4000d", [k8(1), k8(2)]),
    "ztail-conds": ztail([k8(0) + END, k8(1) + END]),
    "ztail-both": ztail([k8(1) + END], [printf("x=%d\\n", [k8(5)])], persist=0),
    "ztail-upper": b";XA," + (k8(0) + k8(0) + b"\x34\x00\x00\x01\x00" + END).hex().upper().encode(),
    "ztail-bad-len": b";X3,22",
    "ztail-unknown": b";Y1,27;X1,27",
    "ztail-many": b";" + b"X1,27" * 17,
}


def main():
    os.makedirs(OUT, exist_ok=True)
    for name, data in SEEDS.items():
        with open(os.path.join(OUT, "hand-" + name), "wb") as fh:
            fh.write(data)
    print("wrote %d seeds to %s" % (len(SEEDS), OUT))


if __name__ == "__main__":
    main()
