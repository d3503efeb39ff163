# bpg mode=smp with 2 vCPUs, held at the entry: a hardware breakpoint on a
# function only vCPU 1 runs, set before the boot vCPU has started it.
hbreak ap_work
continue
printf "s1_thread=%d\n", $_thread
printf "s1_at_ap_work=%d\n", $pc > (long) &ap_work && $pc < (long) &ap_work + 32
printf "s1_index=%d\n", index
continue
printf "s2_thread=%d\n", $_thread
printf "s2_at_ap_work=%d\n", $pc > (long) &ap_work && $pc < (long) &ap_work + 32
delete
set var smp_release = 0x61
detach
