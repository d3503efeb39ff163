# mode=mon, 2 vCPUs, attached while it spins in mon_spin.  Every monitor
# command, each output between "NAME-begin" and "NAME-end" lines.
set code-cache off
set stack-cache off
# try_x KEY ADDR: prints KEY=<the 8 bytes at ADDR as a number> or KEY=error
python
class TryX(gdb.Command):
    def __init__(self):
        super().__init__("try_x", gdb.COMMAND_DATA)
    def invoke(self, arg, from_tty):
        key, addr = arg.split(None, 1)
        try:
            v = int(gdb.parse_and_eval("*(unsigned long *) (%s)" % addr))
            print("%s=0x%x" % (key, v))
        except gdb.error as e:
            print("%s=error" % key)
            print("%s_msg=%s" % (key, e))
TryX()
end
printf "pc=0x%lx\n", $pc
printf "alt_cr3=0x%lx\n", alt_cr3
printf "cr3=0x%lx\n", $cr3
set $alt = alt_cr3
set $mv = (long) &mon_value
echo help-begin\n
monitor help
echo help-end\n
echo status-begin\n
monitor status
echo status-end\n
echo regs-begin\n
monitor info state
echo regs-end\n
echo mem-begin\n
monitor info mappings
echo mem-end\n
echo qregs-begin\n
monitor info registers
echo qregs-end\n
echo qregsall-begin\n
monitor info registers -a
echo qregsall-end\n
echo qmem-begin\n
monitor info mem
echo qmem-end\n
# physical addresses: the image's first bytes at 1 MiB; the higher half is
# no physical address at all
monitor phys on
echo phys-begin\n
x/16xb 0x100000
echo phys-end\n
try_x phys_high 0xffffffff80100000
monitor phys off
try_x virt_high 0xffffffff80100000
# the same through QEMU's packet
maint packet Qqemu.PhyMemMode:1
maint packet qqemu.PhyMemMode
try_x qphys_high 0xffffffff80100000
eval "try_x qphys_value 0x%lx", (long) &mon_value - 0xffffffff80000000
maint packet Qqemu.PhyMemMode:0
maint packet qqemu.PhyMemMode
# another address space
eval "monitor cr3 0x%lx", $alt
try_x alt_secret 0x400000000000
try_x alt_secret2 0x400000000008
eval "try_x alt_mon_value 0x%lx", $mv
echo altmem-begin\n
monitor info mappings
echo altmem-end\n
echo altqmem-begin\n
monitor info mem
echo altqmem-end\n
monitor cr3 off
try_x own_secret 0x400000000000
printf "own_mon_value=0x%lx\n", mon_value
# step-irq
echo irq-begin\n
monitor step-irq on
monitor status
monitor step-irq off
monitor status
echo irq-end\n
echo unknown-begin\n
monitor no-such-command
echo unknown-end\n
# bad arguments: a usage line each, never gdb's "Protocol error"
echo badargs-begin\n
monitor cr3 zzz
monitor step-irq maybe
monitor phys
monitor info mem extra
monitor xlate
monitor gva2gpa nothex
echo badargs-end\n
set var mon_release = 0x5d
detach
