# mode=cond held at its entry.  First a probe: does a software breakpoint
# trap on this host at all?  Then, one after the other (n counts up):
#   break cond_target if n == 4096      target-side (hyve evaluates)
#   the same with condition-evaluation host, n == 4300 (gdb evaluates)
#   dprintf cond_target (agent style), stopped by a target-side
#   condition on cond_mark; then the dprintf made conditional
#   break cond_slow if $rdi == 4600     its first instruction (lea) is not
#                                       one hyve executes itself
break cond_target
continue
printf "probe_at=%d\n", $pc == cond_target
printf "probe_n=%d\n", n
delete

break cond_target if n == 4096
continue
printf "t_n=%d\n", n
printf "t_calls=%d\n", cond_calls
printf "t_var=%d\n", cw.var
echo t-conds-begin\n
monitor conds
echo t-conds-end\n
delete

set breakpoint condition-evaluation host
break cond_target if n == 4300
continue
printf "h_n=%d\n", n
printf "h_calls=%d\n", cond_calls
echo h-conds-begin\n
monitor conds
echo h-conds-end\n
delete
set breakpoint condition-evaluation auto

set dprintf-style agent
dprintf cond_target,"dp n=%d\n",n
set $dp = $bpnum
break cond_mark if n == 4400
set $mk = $bpnum
echo d-begin\n
continue
echo d-end\n
printf "d_n=%d\n", n
printf "d_marks=%d\n", cond_marks
echo d-conds-begin\n
monitor conds
echo d-conds-end\n
delete $mk
condition $dp n % 10 == 0
break cond_mark if n == 4500
set $mk = $bpnum
echo cd-begin\n
continue
echo cd-end\n
printf "cd_n=%d\n", n
delete

break cond_slow if $rdi == 4600
continue
printf "s_rdi=%d\n", $rdi
printf "s_at=%d\n", $pc == cond_slow
printf "s_slow=%d\n", cond_slow_calls
printf "s_target=%d\n", cond_calls
echo s-conds-begin\n
monitor conds
echo s-conds-end\n
delete

# a dprintf that outlives the debugger (persist; gdb leaves it inserted
# only with always-inserted on): hyve keeps running it after the detach
set breakpoint always-inserted on
dprintf cond_target,"left n=%d\n",n
break cond_mark if n == 4700
continue
printf "p_n=%d\n", n
delete $bpnum
detach
