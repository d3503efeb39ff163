# The Debian kernel, continued from its PVH entry, stopped by Ctrl-C as soon
# as its first console line ("Linux version") is out: paging is on, and
# linux_banner (address from System.map, or found in the vmlinux file) reads
# "Linux version ...".  Then detach: the boot goes on printing.  (Not a fixed
# delay: on a fast host the kernel, with no root file system, has panicked
# and gone quiet within seconds.)
python
import os, signal, threading, time
console = gdb.convenience_variable("console").string()
def ctrlc_at_first_line():
    for _ in range(12000):
        try:
            with open(console, errors="replace") as f:
                if "Linux version" in f.read():
                    break
        except OSError:
            pass
        time.sleep(0.05)
    os.kill(os.getpid(), signal.SIGINT)
threading.Thread(target=ctrlc_at_first_line, daemon=True).start()
end
continue
printf "cr0=0x%lx\n", $cr0
printf "efer=0x%lx\n", $efer
printf "rip=0x%lx\n", $rip
printf "banner=%s\n", (char *)$banner
detach
