# bpg mode=triple|reset|poweroff held at the entry: run into the failure,
# look at the stopped machine, dump it to $core, then end it with
# `continue` ($how 0) or `detach` ($how 1).
continue
printf "f_thread=%d\n", $_thread
printf "f_pc=0x%lx\n", $pc
# (through python: where the vCPU lost its state -- AMD SVM INITs it at a
# triple fault -- these fail, and the rest of the script must still run)
python
for name, expr in (("f_marker", "fail_marker"),
                   ("f_rsp_in_stack", "$rsp > (long) &_text && $rsp < (long) &_end")):
    try:
        v = int(gdb.parse_and_eval(expr))
        print("%s=%s" % (name, hex(v) if name == "f_marker" else v))
    except gdb.error as e:
        print("%s=error (%s)" % (name, e))
end
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
