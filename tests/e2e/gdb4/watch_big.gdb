# mode=watch held at the entry: a watchpoint on a 64-byte struct (its last
# and then its first byte change), then ten more, one per word of wd.ten,
# all eleven set at once.
watch wd.big
printf "addr_big=%lx\n", &wd.big
set debug remote 1
echo big1-begin\n
continue
echo big1-end\n
set debug remote 0
printf "b1_phase=%d\n", wphase
printf "b1_last=0x%x\n", wd.big.b[63]
printf "b1_first=0x%x\n", wd.big.b[0]
set debug remote 1
echo big2-begin\n
continue
echo big2-end\n
set debug remote 0
printf "b2_phase=%d\n", wphase
printf "b2_first=0x%x\n", wd.big.b[0]
set $i = 0
while $i < 10
  eval "watch wd.ten[%d]", $i
  set $i = $i + 1
end
info watchpoints
set $i = 0
while $i < 10
  continue
  printf "ten_stop=%d %d 0x%lx 0x%lx\n", $i, wphase, wd.ten[$i], $i < 9 ? wd.ten[$i + 1] : 0
  set $i = $i + 1
end
# the end of the sequence: a stop by a watchpoint, not a breakpoint (it works
# where no breakpoint fires: QEMU's emulated AMD-V)
watch wphase if wphase == 12
continue
printf "end_at=%d\n", wphase == 12
printf "end_phase=%d\n", wphase
delete
detach
