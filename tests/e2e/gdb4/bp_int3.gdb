# The guest's own int3 (mode=int3, held at the entry): its #BP handler runs
# five times while gdb waits in `continue`, and the first stop gdb sees is
# the breakpoint at int3_check, after all five.  A breakpoint on the
# function holding the int3 is taken once per call as usual.
break int3_check
continue
printf "s1_at_check=%d\n", $pc == (long) &int3_check
printf "s1_bp_count=%lu\n", bp_count
printf "s1_last_rip_ok=%d\n", bp_last_rip == (long) &int3_after
delete
detach
