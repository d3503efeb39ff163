# Ctrl-C: gdb continues the spinning guest (2 vCPUs); a second later gdb gets
# a SIGINT (what the terminal sends on Ctrl-C), sends the interrupt to hyve,
# and every vCPU stops inside its spin loop.  Twice: the second `continue`
# must let vCPU 1 run on (its lap counter R12 grows).
define ctrl_c_in_1s
  python
import os, signal, threading
threading.Timer(1.0, lambda: os.kill(os.getpid(), signal.SIGINT)).start()
  end
end
define show
  printf "$arg0_cur=%d\n", $_thread
  thread 1
  printf "$arg0_t1=0x%lx\n", $rip
  printf "$arg0_t1_in_spin=%d\n", $rip >= &spin_loop && $rip < &spin_end
  thread 2
  printf "$arg0_t2=0x%lx\n", $rip
  printf "$arg0_t2_in_loop=%d\n", $rip >= &ap_loop && $rip < &ap_loop_end
  printf "$arg0_r12=0x%lx\n", $r12
end

printf "entry=0x%lx\n", $rip
ctrl_c_in_1s
continue
show i1
# still stopped half a second later (registers read afresh)
shell sleep 0.5
maint flush register-cache
show i1b
ctrl_c_in_1s
continue
show i2
set var release = 0x44
detach
