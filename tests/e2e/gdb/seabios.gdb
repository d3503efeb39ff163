# SeaBIOS held at the reset vector: cs 0xf000, ip 0xfff0, a far jump there.
printf "cs=0x%x\n", $cs
printf "rip=0x%lx\n", $rip
printf "cr0=0x%lx\n", (long) $cr0
echo reset-begin\n
x/5xb $cs*16+$rip
echo reset-end\n
echo top-begin\n
x/16xb 0xfffffff0
echo top-end\n
eval "dump binary memory %s 0xffff0 0x100000", $dumpfile
stepi
printf "after_cs=0x%x\n", $cs
printf "after_ip=0x%lx\n", $rip
# run until the banner is in the debug console log ($SEABIOS_LOG), then
# stop as Ctrl-C would (at most 30 s)
python
import os, signal, threading, time
def watch():
    log = os.environ["SEABIOS_LOG"]
    end = time.time() + 30
    while time.time() < end:
        try:
            if b"SeaBIOS (version" in open(log, "rb").read():
                break
        except OSError:
            pass
        time.sleep(0.1)
    os.kill(os.getpid(), signal.SIGINT)
threading.Thread(target=watch, daemon=True).start()
end
continue
printf "stopped_cs=0x%x\n", $cs
kill
