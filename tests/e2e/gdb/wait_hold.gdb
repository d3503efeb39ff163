# A held guest (-G w) after a port scan and two gdbs that left before any
# continue: still at its entry, with the FPU/SSE control words at their
# reset values on every vCPU; then this gdb lets it run.
printf "rip=0x%lx\n", $rip
printf "mxcsr=0x%x\n", (unsigned) $mxcsr
printf "fctrl=0x%x\n", (unsigned) $fctrl
thread 2
printf "mxcsr2=0x%x\n", (unsigned) $mxcsr
thread 1
set var release = 0x2a
continue
