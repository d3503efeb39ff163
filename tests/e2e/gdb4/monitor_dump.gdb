# mode=mon, 2 vCPUs, attached while it spins: note what the live machine
# shows, dump it to $core, let it go.
printf "live_pc0=0x%lx\n", $pc
printf "live_laps=%lu\n", mon_laps
thread 2
printf "live_pc1=0x%lx\n", $pc
printf "live_rsp1=0x%lx\n", $rsp
thread 1
eval "monitor dump %s", $core
set var mon_release = 0x44
detach
