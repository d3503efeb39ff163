# Plant breakpoints, stop at one (both_hit or serial_getc, whichever the
# loop reaches first), then `kill`.
break both_hit
break serial_getc
continue
printf "stopped_at_bp=%d\n", $pc == (long) &both_hit || $pc == (long) &serial_getc
kill
