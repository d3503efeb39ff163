# stepi on each vCPU of a 2-vCPU dbg64: thread 1 (vCPU 0) spins in
# spin_loop, thread 2 (vCPU 1) in ap_loop (R12 counts its laps).
# "KEY=" lines: the shell compares each step with objdump's disassembly.
# $pause_exact: a step over pause stops right after it on this host.
define state
  thread 1
  printf "$arg0_t1=0x%lx\n", $rip
  thread 2
  printf "$arg0_t2=0x%lx\n", $rip
  printf "$arg0_r12=0x%lx\n", $r12
  printf "$arg0_rbx2=0x%lx\n", $rbx
end
define step_thread
  thread $arg1
  # where a step over pause runs on ($pause_exact 0), step around it
  if !$pause_exact && *(unsigned short *) $pc == 0x90f3
    set $pc = $pc + 2
    printf "$arg0_around=1\n"
  end
  printf "$arg0_from=0x%lx\n", $pc
  stepi
  printf "$arg0_cur=%d\n", $_thread
  state $arg0
end

state s0
# plain stepi (other vCPUs may run meanwhile: only the stepped one is checked)
step_thread s1 1
# from here on only the stepped vCPU moves
set scheduler-locking step
step_thread s2 2
step_thread s3 2
step_thread s4 2
step_thread s5 1
step_thread s6 1
step_thread s7 2
set var release = 0x33
detach
