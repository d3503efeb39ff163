# A breakpoint only vCPU 1 reaches (ap_loop, one hit per lap): it is
# reported on thread 2, and between two hits vCPU 1 did exactly one lap.
# $hw, $brk: as in breakpoints.gdb.
define hit
  continue
  printf "$arg0_thread=%d\n", $_thread
  printf "$arg0_at_loop=%d\n", $pc == (long) &ap_loop
  printf "$arg0_r12=%lu\n", $r12
end
if $hw
  hbreak ap_loop
  hit h1
  hit h2
  delete
end
if $brk
  break ap_loop
  hit s1
  hit s2
  delete
end
set var release = 0x55
detach
