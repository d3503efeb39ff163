# Breakpoints and a watchpoint in long64 (held at its entry): work(i) is
# called for i = 0..9, each call adds i+1 to `counter`.  $hw, $brk: the
# host fires hardware breakpoints, breakpoints at all (else those parts are
# left out and the watchpoint comes first).
if $hw
  hbreak work
  continue
  printf "hb_pc_is_work=%d\n", $pc == (long) &work
  printf "hb_i=%d\n", i
  printf "hb_counter=%lu\n", counter
  bt
  delete
end
if $brk
  break work
  continue
  printf "sb1_i=%d\n", i
  printf "sb1_counter=%lu\n", counter
  continue
  printf "sb2_i=%d\n", i
  printf "sb2_counter=%lu\n", counter
  # the int3 hyve planted is hidden from memory reads
  echo work-begin\n
  x/8xb work
  echo work-end\n
  delete
end
printf "w_before=%lu\n", counter
watch counter
continue
printf "w_counter=%lu\n", counter
delete
detach
