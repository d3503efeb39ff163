# A few steps from the entry, then detach: the guest must run on by itself.
stepi
stepi
stepi
printf "rip=0x%lx\n", $rip
detach
