# mode=lock held at the entry, on two vCPUs: a watchpoint on lk.guard traps
# the page of the two counters the vCPUs increment with lock xadd and lock
# cmpxchg, and wpage_var, on the page of the code of wpage_fn, which both
# call.  $kind: 0 `watch`, 1 `awatch` (on two vCPUs either traps every
# access).  The first stop is the boot vCPU's write of 0x600d to lk.guard
# after both finished; then the counters are read.
if $kind == 0
  watch lk.guard
  watch wpage_var
end
if $kind == 1
  awatch lk.guard
  awatch wpage_var
end
continue
printf "s1_guard=0x%lx\n", lk.guard
printf "s1_done=%d\n", lock_done
printf "s1_xadd=%lu\n", lk.xadd_ctr
printf "s1_cas=%lu\n", lk.cas_ctr
printf "s1_n=%lu\n", lock_n
delete
detach
