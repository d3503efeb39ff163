# The Debian kernel, continued from its PVH entry, stopped by Ctrl-C some
# seconds later: paging is on, and linux_banner (address from System.map, or
# found in the vmlinux file) reads "Linux version ...".  Then detach.
python
import os, signal, threading
threading.Timer(float(gdb.convenience_variable("ctrlc_after")), lambda: os.kill(os.getpid(), signal.SIGINT)).start()
end
continue
printf "cr0=0x%lx\n", $cr0
printf "efer=0x%lx\n", $efer
printf "rip=0x%lx\n", $rip
printf "banner=%s\n", (char *)$banner
detach
