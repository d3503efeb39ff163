# mode=watch held at the entry: rwatch, awatch and watch on three words of
# one page; the stop replies are logged (set debug remote 1) for the shell
# to read the reported kind and address.
rwatch wd.rvar
awatch wd.avar
watch wd.wvar
printf "addr_r=%lx\n", &wd.rvar
printf "addr_a=%lx\n", &wd.avar
printf "addr_w=%lx\n", &wd.wvar
set debug remote 1
echo stop1-begin\n
continue
echo stop1-end\n
set debug remote 0
printf "s1_phase=%d\n", wphase
set debug remote 1
echo stop2-begin\n
continue
echo stop2-end\n
set debug remote 0
printf "s2_phase=%d\n", wphase
printf "s2_avar=0x%lx\n", wd.avar
set debug remote 1
echo stop3-begin\n
continue
echo stop3-end\n
set debug remote 0
printf "s3_phase=%d\n", wphase
set debug remote 1
echo stop4-begin\n
continue
echo stop4-end\n
set debug remote 0
printf "s4_phase=%d\n", wphase
printf "s4_wvar=0x%lx\n", wd.wvar
# the end of the sequence: a stop by a watchpoint, not a breakpoint (it works
# where no breakpoint fires: QEMU's emulated AMD-V)
watch wphase if wphase == 12
continue
printf "s5_at_end=%d\n", wphase == 12
printf "s5_phase=%d\n", wphase
delete
detach
