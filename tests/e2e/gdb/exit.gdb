# The guest ends the machine (debug-exit port) while gdb waits in
# `continue`: the machine stays stopped there and gdb gets SIGTERM; the
# guest's state can be read; a second `continue` ends the machine, and gdb
# must learn its exit status (a W stop reply), not just lose the connection.
set var release = 0x3c
continue
printf "pc=0x%lx\n", $pc
printf "in_guest_exit=%d\n", $pc >= &guest_exit && $pc < &guest_exit + 0x100
printf "release=0x%x\n", release
printf "first_done=1\n"
continue
printf "exitcode=%d\n", $_exitcode
