# mode=x86 (mon plus x86 set-up), 2 vCPUs, attached while it spins in mon_spin: the x86
# inspection commands and the system registers as gdb registers, each
# output between "NAME-begin" and "NAME-end".
set $mv = (long) &mon_value
printf "mv=0x%lx\n", $mv
printf "cr3=0x%lx\n", $cr3
printf "isr=0x%lx\n", (long) &isr_stubs
printf "gdt8=0x%lx\n", *(long *) ((char *) &gdt64 + 8)
printf "gdt16=0x%lx\n", *(long *) ((char *) &gdt64 + 16)
printf "gdt24=0x%lx\n", *(long *) ((char *) &gdt64 + 24)
echo idt-begin\n
monitor info idt
echo idt-end\n
echo gdt-begin\n
monitor info gdt
echo gdt-end\n
echo lapic-begin\n
monitor info lapic
echo lapic-end\n
echo pic-begin\n
monitor info pic
echo pic-end\n
echo ioapic-begin\n
monitor info ioapic
echo ioapic-end\n
echo events-begin\n
monitor info events
echo events-end\n
echo state-begin\n
monitor info state
echo state-end\n
echo xlate-begin\n
eval "monitor xlate 0x%lx", $mv
echo xlate-end\n
echo xlate2-begin\n
monitor xlate 0x400000000000
echo xlate2-end\n
# every entry xlate names, read back from guest-physical memory
python
import re
n = bad = 0
for l in gdb.execute("monitor xlate 0x%x" % (int(gdb.parse_and_eval("$mv")) & (2**64 - 1)), to_string=True).splitlines():
    m = re.match(r"  \S+ *\[ *\d+\] at ([0-9a-f]{16}): ([0-9a-f]{16})", l)
    if not m:
        continue
    x = gdb.execute("monitor xp /1xg 0x%s" % m.group(1), to_string=True).split()
    n += 1
    if int(x[1], 16) != int(m.group(2), 16):
        bad += 1
        print("xlate_mismatch=%s %s %s" % (m.group(1), m.group(2), x[1]))
print("xlate_entries=%d" % n)
print("xlate_bad=%d" % bad)
end
# the system registers as gdb registers
printf "dr1=0x%lx\n", $dr1
printf "dr7=0x%lx\n", $dr7
printf "gdtr_base=0x%lx\n", $gdtr_base
printf "gdtr_limit=0x%x\n", $gdtr_limit
printf "idtr_base=0x%lx\n", $idtr_base
printf "idtr_limit=0x%x\n", $idtr_limit
printf "cs_base=0x%lx\n", $cs_base
printf "cs_limit=0x%x\n", $cs_limit
printf "ds_limit=0x%x\n", $ds_limit
printf "tr=0x%x\n", $tr
printf "tr_base=0x%lx\n", $tr_base
printf "tr_limit=0x%x\n", $tr_limit
echo regdr7-begin\n
info registers dr7 gdtr_base
echo regdr7-end\n
echo regall-begin\n
info registers
echo regall-end\n
echo regsys-begin\n
info registers system
echo regsys-end\n
python
try:
    gdb.execute("set $tr = 0x28")
    print("tr_write=ok")
except gdb.error as e:
    print("tr_write=error")
end
set $dr0 = 0x5000
printf "dr0_after=0x%lx\n", $dr0
set var mon_release = 0x5f
detach
