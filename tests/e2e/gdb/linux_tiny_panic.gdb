# hyve's tiny kernel told to run an init that does not exist: it panics,
# its pvpanic driver writes port 0x505, and hyve stops the machine for the
# attached debugger (SIGABRT) instead of ending.  The kernel's scripts then
# read the log with the panic in it; detach lets hyve end (status 5).
# First a Ctrl-C mid-init (as soon as the banner is on the console) and a
# continue from there.
python
import os, signal, threading, time
console = gdb.convenience_variable("console").string()
def ctrlc_at_banner():
    for _ in range(12000):
        try:
            with open(console, errors="replace") as f:
                if "Linux version" in f.read():
                    break
        except OSError:
            pass
        time.sleep(0.05)
    os.kill(os.getpid(), signal.SIGINT)
threading.Thread(target=ctrlc_at_banner, daemon=True).start()
end
echo int-begin\n
continue
echo int-end\n
printf "i_pc=0x%lx\n", $pc
continue
printf "p_thread=%d\n", $_thread
echo dmesg-begin\n
lx-dmesg
echo dmesg-end\n
echo bt-begin\n
bt 8
echo bt-end\n
detach
