# Plant breakpoints, stop at one (both_hit or serial_getc, whichever the
# loop reaches first), then wait to be killed (kill -9): the
# connection drops with breakpoints in and the machine stopped.
break both_hit
break serial_getc
break guest_int3
continue
printf "stopped_at_bp=%d\n", $pc == (long) &both_hit || $pc == (long) &serial_getc
eval "shell echo $PPID > %s", $pidfile
shell sleep 60
