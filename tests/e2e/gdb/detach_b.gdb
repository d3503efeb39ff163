# Second session: vCPU 1 ran on meanwhile; release the boot vCPU, detach.
thread 2
printf "r12=0x%lx\n", $r12
thread 1
printf "in_spin=%d\n", $rip >= &spin_loop && $rip < &spin_end
set var release = 0x21
detach
