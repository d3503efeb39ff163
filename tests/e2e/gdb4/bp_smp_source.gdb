# bpg mode=smp, 2 vCPUs, held at the entry.  $l_call is the line of
# `int c = ap_calc((int)n);` in ap_work (vCPU 1 only).
define where
  printf "$arg0_thread=%d\n", $_thread
  python print("$arg0_line=%d" % gdb.selected_frame().find_sal().line)
  python print("$arg0_func=%s" % gdb.selected_frame().name())
end
# the breakpoints, next and finish where a breakpoint fires ($brk)
if $brk
  break ap_work
  continue
  where byname
  printf "byname_index=%d\n", index
  delete
  eval "break bpg_src.c:%d", $l_call
  continue
  where byline
  next
  where next
  printf "next_iter_eq_n=%d\n", ap_iter + 1 == n
  delete
  break ap_calc
  continue
  where calc
  printf "calc_v=%d\n", v
  finish
  printf "finish_value=%d\n", $
  where fin
  delete
end
watch both_w
set $i = 0
while $i < 6
  continue
  printf "both=%d 0x%lx\n", $_thread, both_w
  set $i = $i + 1
end
delete
rwatch ap_r
continue
where rw1
continue
where rw2
delete
set $i = 0
while $i < 10
  eval "watch tenv[%d]", $i
  set $i = $i + 1
end
set $i = 0
while $i < 10
  continue
  printf "ten=%d %lu %lu\n", $_thread, ap_iter, tenv[ap_iter % 10]
  set $i = $i + 1
end
delete
set var smp_release = 0x62
detach
