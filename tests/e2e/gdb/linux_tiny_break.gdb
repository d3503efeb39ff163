# hyve's tiny kernel on 2 vCPUs, held at its first instruction (-G w): the
# breakpoints a kernel developer sets first.  `hbreak start_secondary` is hit
# by the second vCPU as the boot vCPU brings it up; `break run_init_process`
# (a software breakpoint) by the vCPU PID 1 runs on, "/init" its argument; the
# kernel's own scripts then read the stopped kernel; detach lets it boot on.
hbreak start_secondary
break run_init_process
echo ap-begin\n
continue
echo ap-end\n
printf "ap_thread=%d\n", $_thread
printf "ap_at=%d\n", $pc == (long) &start_secondary
delete 1
echo init-begin\n
continue
echo init-end\n
printf "init_thread=%d\n", $_thread
printf "init_at=%d\n", $pc == (long) &run_init_process
printf "init_arg=%s\n", init_filename
echo dmesg-begin\n
lx-dmesg
echo dmesg-end\n
echo threads-begin\n
info threads
echo threads-end\n
echo ps-begin\n
lx-ps
echo ps-end\n
delete
detach
