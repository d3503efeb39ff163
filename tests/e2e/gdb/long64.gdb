# A long-mode guest linked in the higher half (0xffffffff80100000), mapped
# by 4-level page tables both there and 1:1 at its physical address.
printf "rip=0x%lx\n", $rip
echo work-begin\n
x/8xb work
echo work-end\n
echo work_phys-begin\n
x/8xb (unsigned long) work - 0xffffffff80000000
echo work_phys-end\n
echo main-begin\n
x/16xb guest_main
echo main-end\n
echo rodata-begin\n
x/16xb $rodata
echo rodata-end\n
# not mapped (beyond the 4 GiB identity map and the higher half): an error
# for gdb (E reply), and the session goes on
python
try:
    gdb.selected_inferior().read_memory(0x400000000000, 1)
    print("unmapped=readable")
except gdb.MemoryError as e:
    print("unmapped=error")
    print("unmapped_msg=" + str(e))
end
printf "still_here=1\n"
# -G w: held until a debugger resumes it (a detach would leave it held)
continue
