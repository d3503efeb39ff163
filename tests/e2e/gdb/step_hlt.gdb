# The demo on one vCPU, attached in its idle loop (`cli; ...; sti; hlt`;
# $sti is the address of that sti, set by the caller).  Steps over the
# instructions that wait for an interrupt must end, with interrupts held
# off for every other step: a stepi of `sti; hlt` with IF=0 (the shadow
# carries the step over the hlt), a stepi of `hlt` with IF=1, and a range
# step (vCont;r) that starts before the sti.  Each must end after the hlt
# or in the timer's handler.  Then detach: the demo goes on.
set $hlt = $sti + 1
set $after = $sti + 2
define where
  printf "$arg0_done=1\n"
  printf "$arg0_pc=0x%lx\n", $pc
  printf "$arg0_past=%d\n", $pc == $after || ($pc >= (long) &isr_stubs && $pc < (long) &isr_stubs + 0x1000) || $pc == (long) &isr_common
end
set $pc = $sti
set $eflags = $eflags & ~0x200
stepi
where s1
set $pc = $hlt
set $eflags = $eflags | 0x200
stepi
where s2
set $pc = $sti - 7
set $eflags = $eflags & ~0x200
eval "maint packet vCont;r%lx,%lx:1", $sti - 7, $after
maint flush register-cache
where s3
set $pc = $after
detach
