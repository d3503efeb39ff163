# mode=cond held at its entry.  A probe first: does a hardware breakpoint
# fire on this host?  Then `hbreak cond_target if n == 4096` (hyve
# evaluates, and goes on past each false hit with RF), the same with gdb
# evaluating (condition-evaluation host, n == 4300), and `hbreak cond_slow`
# (any first instruction: RF needs no emulation) with a condition on $rdi.
hbreak cond_target
continue
printf "probe_at=%d\n", $pc == cond_target
printf "probe_n=%d\n", n
delete

hbreak cond_target if n == 4096
continue
printf "t_n=%d\n", n
printf "t_calls=%d\n", cond_calls
echo t-conds-begin\n
monitor conds
echo t-conds-end\n
delete

set breakpoint condition-evaluation host
hbreak cond_target if n == 4300
continue
printf "h_n=%d\n", n
printf "h_calls=%d\n", cond_calls
echo h-conds-begin\n
monitor conds
echo h-conds-end\n
delete
set breakpoint condition-evaluation auto

hbreak cond_slow if $rdi == 4600
continue
printf "s_rdi=%d\n", $rdi
printf "s_at=%d\n", $pc == cond_slow
printf "s_slow=%d\n", cond_slow_calls
echo s-conds-begin\n
monitor conds
echo s-conds-end\n
delete
continue
detach
