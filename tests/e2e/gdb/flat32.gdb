# A multiboot guest in flat 32-bit protected mode (paging off), at its entry.
printf "rip=0x%lx\n", $rip
echo entry-begin\n
x/32xb $rip
echo entry-end\n
echo rodata-begin\n
x/16xb $rodata
echo rodata-end\n
stepi 3
printf "rip3=0x%lx\n", $rip
printf "esp=0x%lx\n", $rsp
detach
