# The demo on one vCPU, attached in its idle loop (`cli; ...; sti; hlt`;
# $sti is the address of that sti, set by the caller).  Steps there must
# end (arch/x86/step.c): a stepi of the sti with IF=0 (hyve does it itself:
# the step ends at the hlt, IF=1), a stepi of the hlt with IF=1, and range
# steps (vCont;r, as gdb's `next` sends, repeated as gdb does while the pc
# stays in the range) over the mov, sti and hlt.  Then detach: the demo
# goes on.
set $hlt = $sti + 1
set $after = $sti + 2
define where
  printf "$arg0_done=1\n"
  printf "$arg0_pc=0x%lx\n", $pc
  printf "$arg0_if=%d\n", ($eflags >> 9) & 1
  printf "$arg0_past=%d\n", $pc == $after || ($pc >= (long) &isr_stubs && $pc < (long) &isr_stubs + 0x1000) || $pc == (long) &isr_common
end
set $pc = $sti
set $eflags = $eflags & ~0x200
stepi
where s1
printf "s1_at_hlt=%d\n", $pc == $hlt
stepi
where s2
set $pc = $sti - 7
set $eflags = $eflags & ~0x200
set $n = 0
while $n < 6 && $pc >= $sti - 7 && $pc < $after
  eval "maint packet vCont;r%lx,%lx:1", $sti - 7, $after
  maint flush register-cache
  set $n = $n + 1
end
printf "s3_range_steps=%d\n", $n
where s3
set $pc = $after
detach
