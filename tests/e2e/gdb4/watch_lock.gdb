# mode=lock held at the entry, on two vCPUs: a watchpoint on lk.guard traps
# the page of the two counters the vCPUs increment with lock xadd and lock
# cmpxchg.  $kind: 0 `watch` (writes trapped), 1 `awatch` (every access).
# The first stop is the boot vCPU's write of
# 0x600d to lk.guard after both finished; then the counters are read.
if $kind == 0
  watch lk.guard
end
if $kind == 1
  awatch lk.guard
end
continue
printf "s1_guard=0x%lx\n", lk.guard
printf "s1_done=%d\n", lock_done
printf "s1_xadd=%lu\n", lk.xadd_ctr
printf "s1_cas=%lu\n", lk.cas_ctr
printf "s1_n=%lu\n", lock_n
delete
detach
