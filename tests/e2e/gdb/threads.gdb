# Every vCPU is a thread named "vCPU n".
info threads
printf "threads=%d\n", $_inferior_thread_count
thread 1
printf "t1rip=0x%lx\n", $rip
# -G w: held until a debugger resumes it (a detach would leave it held)
continue
