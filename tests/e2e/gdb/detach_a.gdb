# First session on a running dbg64: note vCPU 1's lap counter, detach.
thread 2
printf "r12=0x%lx\n", $r12
detach
