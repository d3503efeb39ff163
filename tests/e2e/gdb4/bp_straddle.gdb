# mode=straddle held at its entry.  straddle_fn's mov begins 3 bytes before
# the end of its page and ends in straddle_page, the page of straddle_next
# and straddle_var; straddle_fn and straddle_next run 1000 times.
set $mov = (unsigned long) &straddle_fn + 5
set $pg = (unsigned long) &straddle_page
printf "crosses=%d\n", $pg % 4096 == 0 && $mov < $pg && $mov + 5 > $pg
# a breakpoint in straddle_page: the 101st call of straddle_next (i == 100)
break straddle_next
ignore 1 100
echo b-begin\n
continue
echo b-end\n
printf "b_rdi=%d\n", $rdi
printf "b_at=%d\n", $pc == (long) &straddle_next
delete
# a read watchpoint in it (a trapped page for reads where data breakpoints
# do not fire): the read at i == 500
rwatch straddle_var
echo w-begin\n
continue
echo w-end\n
delete
continue
