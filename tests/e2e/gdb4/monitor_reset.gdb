# mode=mon, 2 vCPUs, attached while it spins.  Change a variable, set a
# breakpoint, reset the machine, and follow it through its second boot.
# $brk: breakpoints fire on this host; else the machine is killed after the
# reset's checks.
set var mon_value = 1
printf "before_laps=%lu\n", mon_laps
if $brk
  break mon_spin
end
echo reset-begin\n
monitor reset
echo reset-end\n
maintenance flush register-cache
printf "r_pc=0x%lx\n", $pc
printf "r_at_entry=%d\n", $pc == (long) &_start
printf "r_value=0x%lx\n", mon_value
printf "r_laps=%lu\n", mon_laps
echo status-begin\n
monitor status
echo status-end\n
if !$brk
  kill
end
continue
printf "c_thread=%d\n", $_thread
printf "c_at_mon_spin=%d\n", $pc >= (long) &mon_spin && $pc < (long) &mon_spin + 16
printf "c_value=0x%lx\n", mon_value
delete
set var mon_release = 0x33
detach
