# Attach to the running loop (mode=loop), plant breakpoints, hit them, dump
# the machine with them in ($core), and detach.
break both_hit
break serial_getc
break guest_int3
hbreak alias_fn
continue
printf "s1_at_bp=%d\n", $pc == (long) &both_hit || $pc == (long) &serial_getc
delete 1
continue
printf "s2_func_serial=%d\n", $pc == (long) &serial_getc
echo bytes-begin\n
x/8xb both_hit
x/8xb serial_getc
x/8xb guest_int3
echo bytes-end\n
eval "monitor dump %s", $core
detach
