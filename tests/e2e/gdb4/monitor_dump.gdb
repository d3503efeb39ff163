# mode=mon, 2 vCPUs, attached while it spins: note what the live machine
# shows, dump it to $core, let it go.
printf "live_pc0=0x%lx\n", $pc
printf "live_laps=%lu\n", mon_laps
printf "live_cr3=0x%lx\n", $cr3
printf "live_fctrl=0x%x\n", $fctrl
# FP/SSE values the dump must carry (the guest uses no SSE itself)
set $xmm0.v2_int64[0] = 0x1122334455667788
set $xmm0.v2_int64[1] = 0x0102030405060708
set $mxcsr = 0x1fa0
thread 2
printf "live_pc1=0x%lx\n", $pc
printf "live_rsp1=0x%lx\n", $rsp
thread 1
eval "monitor dump %s", $core
set var mon_release = 0x44
detach
