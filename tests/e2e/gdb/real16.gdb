# A real-mode guest (real16.bin at 0x7c00), held at its first instruction.
# Real mode has no paging: an address is cs*16+ip.  gdb 13 refuses
# `set architecture i8086` against an x86-64 target description (as with
# QEMU), so the shell disassembles the dumped bytes with objdump -mi8086.
printf "cs=0x%x\n", $cs
printf "rip=0x%lx\n", $rip
printf "cr0=0x%lx\n", (long) $cr0
echo entry-begin\n
x/16xb $cs*16+$rip
echo entry-end\n
echo loop-begin\n
x/8xb $counter_loop
echo loop-end\n
eval "dump binary memory %s 0x7c00 0x7c40", $dumpfile
# five instructions up to mov %ax,%ss, then one step over it: where the
# CPU runs the guest (VMX, SVM) a MOV to SS holds the single-step trap off
# for one more instruction (Intel SDM vol. 3, 6.8.3 and 18.3.1.4) and the
# step lands after `mov $0x7c00,%sp`; a KVM that emulates ring 0 stops
# right after the mov to SS.  Either way, step on to the far jump
stepi 5
printf "movss_ip=0x%lx\n", $rip
stepi
printf "after_movss_ip=0x%lx\n", $rip
if $rip == $mov_sp
  stepi
end
printf "jmp_ip=0x%lx\n", $rip
echo jmp-begin\n
x/5xb $cs*16+$rip
echo jmp-end\n
stepi
printf "after_cs=0x%x\n", $cs
printf "after_ip=0x%lx\n", $rip
detach
