# hyve's tiny kernel told to run an init that does not exist: it panics,
# its pvpanic driver writes port 0x505, and hyve stops the machine for the
# attached debugger (SIGABRT) instead of ending.  The kernel's scripts then
# read the log with the panic in it; detach lets hyve end (status 5).
continue
printf "p_thread=%d\n", $_thread
echo dmesg-begin\n
lx-dmesg
echo dmesg-end\n
echo bt-begin\n
bt 8
echo bt-end\n
detach
