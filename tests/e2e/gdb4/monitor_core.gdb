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
