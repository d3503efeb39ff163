# bpg mode=triple|reset|poweroff held at the entry: run into the failure,
# look at the stopped machine, dump it to $core, then end it with
# `continue` ($how 0) or `detach` ($how 1).
continue
printf "f_thread=%d\n", $_thread
printf "f_pc=0x%lx\n", $pc
printf "f_marker=0x%lx\n", fail_marker
printf "f_rsp_in_stack=%d\n", $rsp > (long) &_text && $rsp < (long) &_end
echo regs-begin\n
info registers rip cr0 efer
echo regs-end\n
echo status-begin\n
monitor status
echo status-end\n
eval "monitor dump %s", $core
if $how == 0
  continue
  printf "exitcode=%d\n", $_exitcode
else
  detach
end
