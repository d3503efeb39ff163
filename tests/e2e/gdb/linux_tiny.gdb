# hyve's tiny kernel (scripts/build-linux-kernel.sh) on 2 vCPUs, attached to once
# its console has shown "Run /init": the kernel's own gdb scripts (vmlinux-gdb.py,
# sourced before the connection) read the stopped kernel.  Each command's output
# sits between "NAME-begin" and "NAME-end" lines, with its time as "t_NAME=SECONDS";
# linux_tiny.sh compares the text with the console and the command line.  Then a
# watchpoint on jiffies, which the next timer tick writes.
python
import time
def hyve_timed(name, cmd):
    print("%s-begin" % name)
    t = time.monotonic()
    gdb.execute(cmd)
    print("%s-end" % name)
    print("t_%s=%.3f" % (name, time.monotonic() - t))
end
python hyve_timed("version", "lx-version")
python hyve_timed("cmdline", "lx-cmdline")
python hyve_timed("cpus", "lx-cpus")
python hyve_timed("ps", "lx-ps")
python hyve_timed("dmesg", "lx-dmesg")
python hyve_timed("threads", "info threads")
printf "jiffies=%lu\n", jiffies
# a watchpoint (hyve traps the page) on the tick counter: the next tick stops it
echo watch-begin\n
watch jiffies
continue
echo watch-end\n
printf "watch_thread=%d\n", $_thread
delete
detach
