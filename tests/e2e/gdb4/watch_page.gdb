# mode=watch held at the entry.  $kind selects how wpage_var (in the page
# of the code of wpage_fn) is watched: 0 `watch` (writes trapped: the page
# stays readable), 1 `awatch` (every access to the page trapped, instruction
# fetches included).  nbuf[100], [200], [300] are watched all three ways;
# the guest's accesses to the rest of nbuf must not stop.
watch nbuf[100]
rwatch nbuf[200]
awatch nbuf[300]
if $kind == 0
  watch wpage_var
else
  awatch wpage_var
end
printf "addr_wpage_var=%lx\n", &wpage_var
printf "same_page=%d\n", ((long) &wpage_var >> 12) == ((long) &wpage_fn >> 12)
continue
printf "s1_phase=%d\n", wphase
printf "s1_fetched=0x%lx\n", fetched
printf "s1_wpage_var=0x%lx\n", wpage_var
printf "s1_nb_ok=%d\n", nb_ok
# the end of the sequence: a stop by a watchpoint, not a breakpoint (it works
# where no breakpoint fires: QEMU's emulated AMD-V)
watch wphase if wphase == 12
continue
printf "end_at=%d\n", wphase == 12
printf "end_nb_ok=%d\n", nb_ok
delete
detach
