#!/usr/bin/env python3
"""capture.py -- a logging TCP proxy for recording real debugger sessions.

    capture.py UPSTREAM OUT-PREFIX

Listens on 127.0.0.1 (a free port, printed as "capture listening on
127.0.0.1:PORT"), relays every connection to UPSTREAM (HOST:PORT, or the path
of a Unix socket) and writes what the debugger sent, byte for byte, to
OUT-PREFIX-N.bin (N = 1, 2, ... per connection): the fuzz corpus format
(tests/fuzz/corpus/).  The stub's replies go to OUT-PREFIX-N.reply for
reference.  Runs until killed.  python3 standard library only.
"""
import os
import socket
import sys
import threading


def connect(upstream):
    if "/" in upstream:
        s = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
        s.connect(upstream)
        return s
    host, port = upstream.rsplit(":", 1)
    return socket.create_connection((host, int(port)))


def pump(src, dst, log):
    try:
        while True:
            data = src.recv(65536)
            if not data:
                break
            log.write(data)
            log.flush()
            dst.sendall(data)
    except OSError:
        pass
    for s in (dst, src):
        try:
            s.shutdown(socket.SHUT_RDWR)
        except OSError:
            pass


def serve(client, upstream, prefix, n):
    try:
        up = connect(upstream)
    except OSError as e:
        print("capture: cannot reach %s: %s" % (upstream, e), file=sys.stderr)
        client.close()
        return
    with open("%s-%d.bin" % (prefix, n), "wb") as sent, \
            open("%s-%d.reply" % (prefix, n), "wb") as got:
        a = threading.Thread(target=pump, args=(client, up, sent))
        b = threading.Thread(target=pump, args=(up, client, got))
        a.start()
        b.start()
        a.join()
        b.join()
    client.close()
    up.close()


def main():
    if len(sys.argv) != 3:
        sys.exit(__doc__)
    upstream, prefix = sys.argv[1], sys.argv[2]
    ls = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    ls.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    ls.bind(("127.0.0.1", 0))
    ls.listen(4)
    print("capture listening on 127.0.0.1:%d" % ls.getsockname()[1], flush=True)
    n = 0
    while True:
        c, _ = ls.accept()
        n += 1
        threading.Thread(target=serve, args=(c, upstream, prefix, n), daemon=True).start()


if __name__ == "__main__":
    main()
