# gdb bpg.elf CORE: the dump as a post-mortem.
bt
info threads
printf "core_pc0=0x%lx\n", $pc
printf "core_laps=%lu\n", mon_laps
printf "core_value=0x%lx\n", mon_value
printf "core_alt_cr3=0x%lx\n", alt_cr3
thread 2
printf "core_pc1=0x%lx\n", $pc
printf "core_rsp1=0x%lx\n", $rsp
thread 1
# FP/SSE state from NT_PRFPREG, as the live session set it
printf "core_xmm0_lo=0x%lx\n", $xmm0.v2_int64[0]
printf "core_xmm0_hi=0x%lx\n", $xmm0.v2_int64[1]
printf "core_mxcsr=0x%x\n", $mxcsr
printf "core_fctrl=0x%x\n", $fctrl
echo float-begin\n
info float
echo float-end\n
# memory by virtual address: the identity map and the higher half
printf "core_low=0x%lx\n", *(long *) 0x100000
printf "core_high=0x%lx\n", *(long *) 0xffffffff80100000
