# mode=snap, attached while it runs rounds: reverse execution over the
# history hyve records at each resume.  Stop at a round's end (watchpoint),
# forget the history, then:
#  - six stepi, then six reverse-stepi: every register and snap_spin back
#    as they were, in reverse order; a seventh finds the history's start;
#  - the same six stepi, a breakpoint at the third pc, reverse-continue:
#    back at it;
#  - a watchpoint, three rounds forward, reverse-continue twice: the rounds
#    go back one by one; without it, reverse-continue goes to the start.
watch snap_pg.round
continue
delete
printf "k0=%lu\n", snap_pg.round
monitor history clear
set $i = 0
while $i <= 6
  eval "set $pc%d = $pc", $i
  eval "set $sp%d = $rsp", $i
  eval "set $ax%d = $rax", $i
  eval "set $spin%d = snap_spin", $i
  printf "f%d pc=0x%lx rax=0x%lx rsp=0x%lx spin=%lu\n", $i, $pc, $rax, $rsp, snap_spin
  if $i < 6
    stepi
  end
  set $i = $i + 1
end
echo hist-begin\n
monitor history
echo hist-end\n
set $i = 5
while $i >= 0
  reverse-stepi
  printf "b%d pc=0x%lx rax=0x%lx rsp=0x%lx spin=%lu\n", $i, $pc, $rax, $rsp, snap_spin
  set $i = $i - 1
end
echo start-begin\n
reverse-stepi
echo start-end\n
printf "s pc=0x%lx\n", $pc
set $i = 0
while $i < 6
  stepi
  set $i = $i + 1
end
printf "again pc=0x%lx\n", $pc
break *$pc3
reverse-continue
printf "rc_bp pc=0x%lx at3=%d\n", $pc, $pc == $pc3
delete
watch snap_pg.round
set $r = 0
while $r < 3
  continue
  printf "fwd round=%lu\n", snap_pg.round
  set $r = $r + 1
end
reverse-continue
printf "rc1 round=%lu\n", snap_pg.round
reverse-continue
printf "rc2 round=%lu\n", snap_pg.round
delete
echo end-begin\n
reverse-continue
echo end-end\n
printf "rc3 pc=0x%lx at0=%d round=%lu\n", $pc, $pc == $pc0, snap_pg.round
monitor history limit 8K
set $i = 0
while $i < 8
  stepi
  set $i = $i + 1
end
echo lim-begin\n
monitor history
echo lim-end\n
monitor history off
stepi
echo off-begin\n
monitor history
reverse-stepi
echo off-end\n
kill
