# At the first instruction of a guest held by -G w: where it is, what the
# loader put in the registers.  Then continue: the guest runs to its end,
# which stops it for gdb; gdb's detach at the end of the batch ends hyve.
# (A detach before any continue would leave it held: gdb_wait_hold.sh.)
printf "rip=0x%lx\n", $rip
printf "rax=0x%lx\n", $rax
printf "rbx=0x%lx\n", $rbx
printf "rsi=0x%lx\n", $rsi
printf "cr0=0x%lx\n", (long) $cr0
printf "efer=0x%lx\n", (long) $efer
printf "threads=%d\n", $_inferior_thread_count
x/i $pc
continue
