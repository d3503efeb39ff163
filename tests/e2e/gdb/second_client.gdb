# While this gdb is attached, a second client connects to the same server
# (address in $GDB_ADDR) and sends what gdb sends first; hyve must answer
# that packet with an error reply that says why (E.text), then close its
# side cleanly: an end of file, no reset, although the client sent more.
# Then a real second gdb connects and must print the reason.  This session
# must still work afterwards.
printf "rip1=0x%lx\n", $rip
python
import os, socket, subprocess, time
addr = os.environ["GDB_ADDR"]
if addr.startswith("/"):
    s = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
    s.connect(addr)
else:
    host, port = addr.rsplit(":", 1)
    s = socket.create_connection((host, int(port)), timeout=5)
s.settimeout(5)
got, end = b"", "open"
try:
    s.sendall(b"+$qSupported#37")
    s.sendall(b"$?#3f")
    deadline = time.time() + 5
    while time.time() < deadline:
        d = s.recv(4096)
        if not d:
            end = "eof"
            break
        got += d
except (ConnectionResetError, BrokenPipeError):
    end = "reset"
except socket.timeout:
    end = "open"
s.close()
msg = got.decode("ascii", "replace")
told = msg.startswith("+$E.") and msg.count("#") == 1 and msg.index("#") == len(msg) - 3
print("second=" + ("told" if told and end == "eof" else "%s:%r" % (end, got)))
if told:
    print("second_msg=" + msg[4:-3])
# a real gdb as the second debugger: it prints hyve's reason
p = subprocess.run([os.environ.get("GDB", "gdb"), "-batch", "-nx", "-ex", "target remote " + addr],
                   stdin=subprocess.DEVNULL, capture_output=True, text=True, timeout=60)
for line in (p.stdout + p.stderr).splitlines():
    print("gdb2: " + line)
end
# the first session goes on: fresh register reads, memory, a step
maint flush register-cache
printf "rip2=0x%lx\n", $rip
printf "magic=0x%lx\n", magic
stepi
printf "rip3=0x%lx\n", $rip
set var release = 0x22
detach
