# While this gdb is attached, a second client connects to the same server
# (address in $GDB_ADDR) and sends what gdb sends first; hyve must hang up
# on it without answering.  Then this session must still work.
printf "rip1=0x%lx\n", $rip
python
import os, socket, time
addr = os.environ["GDB_ADDR"]
if addr.startswith("/"):
    s = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
    s.connect(addr)
else:
    host, port = addr.rsplit(":", 1)
    s = socket.create_connection((host, int(port)), timeout=5)
s.settimeout(5)
got = b""
try:
    s.sendall(b"+$qSupported#37")
    s.sendall(b"$?#3f")
    deadline = time.time() + 5
    while time.time() < deadline:
        d = s.recv(4096)
        if not d:
            break
        got += d
    else:
        got += b"<still open after 5 s>"
except (ConnectionResetError, BrokenPipeError):
    pass
except socket.timeout:
    got += b"<still open after 5 s>"
print("second=" + ("refused" if not got else "answered:" + repr(got)))
s.close()
end
# the first session goes on: fresh register reads, memory, a step
maint flush register-cache
printf "rip2=0x%lx\n", $rip
printf "magic=0x%lx\n", magic
stepi
printf "rip3=0x%lx\n", $rip
set var release = 0x22
detach
