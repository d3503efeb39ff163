#!/usr/bin/env python3
"""check.py -- the source tree keeps the layout doc/architecture.md describes.

  1. No x86 outside src/arch/: register fields (.rip, ->cr0, ...), the x86 KVM
     state structs and ioctls (sregs, debug registers, MSRs, FPU/XSAVE, LAPIC,
     CPUID, KVM_TRANSLATE), MSR numbers, X86_* constants, the int3 byte 0xcc.
     Comments and string literals are not code and are not looked at.
  2. The generic layers include the architecture only through arch/arch.h.
  3. No -Isrc/arch (or any -I below src) in the build files: includes name
     their folder.
  4. No source file over 800 lines.
  5. No include cycle among the project's headers, and no header under
     src/arch/ includes one outside it (so core and arch cannot form a circle).
Prints one line per violation and exits 1 if there is any.
Usage: tests/layout/check.py [ROOT]   (ROOT: the repository, default: cwd)
"""
import os
import re
import sys

ROOT = os.path.abspath(sys.argv[1] if len(sys.argv) > 1 else '.')
SRC = os.path.join(ROOT, 'src')
MAX_LINES = 800

X86 = [
    (r'(\.|->)\s*(rax|rbx|rcx|rdx|rsi|rdi|rbp|rsp|rip|rflags|eflags|cr[0-8]|efer|'
     r'dr[0-7]|xmm|mxcsr|fs_base|gs_base|kernel_gs_base|sregs|dregs|lapic|cpuid)\b',
     'an x86 register or state field'),
    (r'\bkvm_(sregs|regs|debugregs|fpu|xsave|xcrs|msrs|msr_entry|lapic_state|'
     r'cpuid2|cpuid_entry2|segment|dtable)\b', 'an x86 KVM state type'),
    (r'\bKVM_(GET|SET)_(SREGS|REGS|DEBUGREGS|MSRS|FPU|XSAVE|XCRS|LAPIC|CPUID2?)\b|'
     r'\bKVM_TRANSLATE\b|\bKVM_GET_SUPPORTED_CPUID\b|\bKVM_SET_(TSS|IDENTITY_MAP)_ADDR\b|'
     r'\bKVM_CREATE_PIT2\b', 'an x86 KVM ioctl'),
    (r'\b0x[cC]0000[01][0-9a-fA-F]{2}\b|\bMSR_(KERNEL_GS_BASE|FS_BASE|GS_BASE|EFER)\b',
     'an MSR number'),
    (r'\bX86_[A-Z0-9_]+', 'an x86 constant'),
    (r'\b0x[cC][cC]\b', 'the int3 byte'),
]


def strip(text):
    """C source without comments and string/char literals (line count kept)."""
    out, i, n = [], 0, len(text)
    while i < n:
        c = text[i]
        if text.startswith('/*', i):
            j = text.find('*/', i + 2)
            j = n if j < 0 else j + 2
            out.append('\n' * text.count('\n', i, j))
            i = j
        elif text.startswith('//', i):
            j = text.find('\n', i)
            i = n if j < 0 else j
        elif c in '"\'':
            j = i + 1
            while j < n and text[j] != c:
                j += 2 if text[j] == '\\' else 1
            out.append(c + c)
            i = j + 1
        else:
            out.append(c)
            i += 1
    return ''.join(out)


def sources():
    for d, _, files in os.walk(SRC):
        for f in sorted(files):
            if f.endswith(('.c', '.h')):
                yield os.path.join(d, f)


def rel(p):
    return os.path.relpath(p, ROOT)


def in_arch(p):
    return rel(p).startswith('src/arch/')


bad = []
includes = {}
for path in sources():
    text = open(path, encoding='utf-8').read()
    lines = text.count('\n')
    if lines > MAX_LINES:
        bad.append('%s: %d lines (more than %d)' % (rel(path), lines, MAX_LINES))
    incs = re.findall(r'^\s*#\s*include\s+"([^"]+)"', text, re.M)
    includes[path] = [os.path.join(SRC, i) for i in incs if os.path.exists(os.path.join(SRC, i))]
    for i in incs:
        if not os.path.exists(os.path.join(SRC, i)):
            bad.append('%s: #include "%s" does not name a file under src/' % (rel(path), i))
        elif i.startswith('arch/') and i != 'arch/arch.h' and not in_arch(path):
            bad.append('%s: includes %s (the generic layers include arch/arch.h only)'
                       % (rel(path), i))
    if in_arch(path):
        if path.endswith('.h'):
            for i in incs:
                if not i.startswith('arch/'):
                    bad.append('%s: an arch header includes %s (outside src/arch/)'
                               % (rel(path), i))
        continue
    code = strip(text)
    for lineno, line in enumerate(code.split('\n'), 1):
        for rx, what in X86:
            m = re.search(rx, line)
            if m:
                bad.append('%s:%d: %s outside src/arch/: %s' % (rel(path), lineno, what,
                                                               m.group(0).strip()))

# include cycles among headers (depth-first search)
WHITE, GREY, BLACK = 0, 1, 2
color = {}


def visit(h, stack):
    color[h] = GREY
    stack.append(h)
    for n in includes.get(h, []):
        if not n.endswith('.h'):
            continue
        if color.get(n, WHITE) == GREY:
            cyc = stack[stack.index(n):] + [n]
            bad.append('include cycle: ' + ' -> '.join(rel(x) for x in cyc))
        elif color.get(n, WHITE) == WHITE:
            visit(n, stack)
    stack.pop()
    color[h] = BLACK


for h in sorted(includes):
    if h.endswith('.h') and color.get(h, WHITE) == WHITE:
        visit(h, [])

for mk in ['Makefile'] + [os.path.join('mk', f) for f in sorted(os.listdir(os.path.join(ROOT, 'mk')))]:
    for lineno, line in enumerate(open(os.path.join(ROOT, mk), encoding='utf-8'), 1):
        if re.search(r'-Isrc/', line):
            bad.append('%s:%d: an include path below src/: %s' % (mk, lineno, line.strip()))

for b in bad:
    print(b)
print('layout: %d source files, %d violations' % (len(includes), len(bad)))
sys.exit(1 if bad else 0)
