# mode=snap, attached while it runs rounds.  Stop at a round's end (the
# watchpoint on snap_pg.round: page trapping, works on every host), keep a
# snapshot, run three rounds, then ten times: load it, run the same three
# rounds again.  The shell compares the rounds, their hashes, the dumps of
# snap_buf and the console lines.  $work: where the files go.
watch snap_pg.round
continue
printf "k0=%lu\n", snap_pg.round
eval "monitor savevm s1 %s/s1.snap", $work
printf "saved_pc=0x%lx\n", $pc
set $r = 0
while $r < 3
  continue
  printf "span0 round=%lu hash=0x%lx\n", snap_pg.round, snap_hash
  set $r = $r + 1
end
eval "dump binary memory %s/m0.bin &snap_buf ((char *)&snap_buf) + sizeof(snap_buf)", $work
echo info-begin\n
monitor info snapshots
echo info-end\n
set $i = 1
while $i <= 10
  monitor loadvm s1
  maintenance flush register-cache
  printf "load%d round=%lu pc=0x%lx\n", $i, snap_pg.round, $pc
  set $r = 0
  while $r < 3
    continue
    printf "span%d round=%lu hash=0x%lx\n", $i, snap_pg.round, snap_hash
    set $r = $r + 1
  end
  eval "dump binary memory %s/m%d.bin &snap_buf ((char *)&snap_buf) + sizeof(snap_buf)", $work, $i
  set $i = $i + 1
end
echo errors-begin\n
monitor loadvm nosuch
monitor delvm s1
monitor loadvm s1
echo errors-end\n
echo info2-begin\n
monitor info snapshots
echo info2-end\n
delete
kill
