"""benchlib.py -- what the Python benchmarks (cond_bench, snap_bench,
linux_bench) share: a free loopback port, waiting for a line in a file, and
the table of medians they print and keep."""
import os
import re
import socket
import statistics
import time


def free_port():
    s = socket.socket()
    s.bind(("127.0.0.1", 0))
    p = s.getsockname()[1]
    s.close()
    return p


def wait_file(path, pattern, secs, proc=None):
    """True once path holds pattern (a regex); False after secs, or when proc ends first."""
    t0 = time.time()
    while time.time() - t0 < secs:
        try:
            with open(path, errors="replace") as f:
                if re.search(pattern, f.read()):
                    return True
        except FileNotFoundError:
            pass
        if proc is not None and proc.poll() is not None:
            return False
        time.sleep(0.1)
    return False


def medians_table(rows, key_head, key_fmt, key_tag, cell_fmt, widths, repeats, work, out):
    """rows: {(key, metric): {"hyve": [...], "qemu": [...]}}.  Prints the table
    of medians and KEY=VALUE lines (what_TAG_metric=median), writes the table
    to out."""
    kw, mw, cw = widths
    row = "%%-%ds %%-%ds %%%ds %%%ds" % (kw, mw, cw, cw)
    lines = [row % (key_head, "metric", "hyve", "qemu")]
    for (key, k), by in sorted(rows.items()):
        cell = {w: (cell_fmt % statistics.median(by[w])) if w in by else "-"
                for w in ("hyve", "qemu")}
        lines.append(row % (key_fmt % key, k, cell["hyve"], cell["qemu"]))
        for w in by:
            print("%s_%s_%s=%.3f" % (w, key_tag % key, k, statistics.median(by[w])))
    text = "\n".join(lines) + "\n(medians of %d; work files in %s)\n" % (repeats, work)
    print(text, end="")
    os.makedirs(os.path.dirname(out), exist_ok=True)
    with open(out, "w") as f:
        f.write(text)
