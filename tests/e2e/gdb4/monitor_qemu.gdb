# mode=mon, 2 vCPUs, attached while it spins in mon_spin.  QEMU's monitor
# commands and packets, each output between "NAME-begin" and "NAME-end".
set $mv = (long) &mon_value
printf "mv=0x%lx\n", $mv
printf "pc=0x%lx\n", $pc
echo packets-begin\n
maint packet qqemu.Supported
maint packet qqemu.sstepbits
maint packet Qqemu.sstepbits
maint packet qqemu.sstep
maint packet Qqemu.sstep=0x1
maint packet qqemu.sstep
maint packet Qqemu.sstep=0x7
maint packet qqemu.sstep
maint packet qGDBServerVersion
maint packet qOffsets
echo packets-end\n
echo sstep1-begin\n
monitor status
echo sstep1-end\n
maint packet Qqemu.sstep=0x3
echo sstep3-begin\n
monitor status
echo sstep3-end\n
echo gva-begin\n
eval "monitor gva2gpa 0x%lx", $mv
monitor gva2gpa 0xffffffff80100000
monitor gva2gpa 0x400000000000
echo gva-end\n
# hyve's own memory map and threads, while it still runs ($hpid, $maps, $tasks set by the test)
eval "shell cat /proc/%d/maps > %s", $hpid, $maps
eval "shell ls /proc/%d/task > %s", $hpid, $tasks
echo hva-begin\n
monitor gpa2hva 0
monitor gpa2hva 0x100000
monitor gpa2hva 0xd0000000
monitor gpa2hva 0xe0000000
echo hva-end\n
echo xp-begin\n
monitor xp /16xb 0x100000
echo xp-end\n
echo xpgef-begin\n
monitor xp/16xb 0x100000
echo xpgef-end\n
echo xw-begin\n
monitor xp /4xw 0x100000
echo xw-end\n
echo xv-begin\n
monitor x /2xg 0xffffffff80100000
echo xv-end\n
echo xd-begin\n
eval "monitor x /1dg 0x%lx", $mv
eval "monitor x /1ug 0x%lx", $mv
eval "monitor x /1og 0x%lx", $mv
eval "monitor x /2xh 0x%lx", $mv
echo xd-end\n
echo xsticky-begin\n
monitor xp 0x100000
echo xsticky-end\n
echo xc-begin\n
monitor xp /4cb 0x100000
echo xc-end\n
echo xerr-begin\n
monitor xp /16q 0x100000
monitor xp /16xb
monitor xp /4i 0x100000
monitor x /1xg 0x400000000000
echo xerr-end\n
echo cpus-begin\n
monitor info cpus
echo cpus-end\n
thread 2
echo cpus2-begin\n
monitor info cpus
echo cpus2-end\n
thread 1
echo kvm-begin\n
monitor info kvm
echo kvm-end\n
echo version-begin\n
monitor info version
echo version-end\n
echo mtree-begin\n
monitor info mtree -f
echo mtree-end\n
# What the front ends do with these answers, re-done from their sources'
# logic (neither GEF nor pwndbg is packaged for Debian 12): pwndbg takes a
# stub for QEMU when Qqemu.sstepbits answers ENABLE= and for a kernel one
# when qOffsets has no Text=; the kernel's scripts/gdb when monitor info
# version prints anything; GEF's vmmap splits each monitor info mem line
# into range, size and permissions.
python
def out(cmd):
    return gdb.execute(cmd, to_string=True)
print("pwndbg_qemu=%d" % ("ENABLE=" in out("maintenance packet Qqemu.sstepbits")))
print("pwndbg_usermode=%d" % ("Text=" in out("maintenance packet qOffsets")))
print("lx_qemu=%d" % (out("monitor info version") != ""))
sections = []
for line in out("monitor info mem").splitlines():
    try:
        ranges, size, perms = line.split()
        start, end = [int(x, 16) for x in ranges.split("-")]
        int(size, 16)
    except ValueError:
        continue
    sections.append((start, end, perms))
low = (int(gdb.parse_and_eval("(long) &mon_value")) & (2**64 - 1)) - 0xffffffff80000000
print("gef_sections=%d" % len(sections))
print("gef_low_perms=%s" % next((p for s, e, p in sections if s <= low < e), "none"))
gpa = out("monitor gva2gpa 0x%x" % low)
import re
m = re.search(r"gpa: (0x[0-9a-f]+)", gpa)
print("gef_gpa=%s" % (m.group(1) if m else "none"))
end
set var mon_release = 0x5e
detach
