# Attached to a running guest whose APs were never started (they wait for
# INIT/SIPI inside KVM_RUN, and hyve stops the machine without waking them):
# every thread's registers are readable (an AP is fetched when asked for),
# the APs show the reset state, and continue + Ctrl-C stops the guest again.
define ctrl_c_in_1s
  python
import os, signal, threading
threading.Timer(1.0, lambda: os.kill(os.getpid(), signal.SIGINT)).start()
  end
end
define in_text
  printf "$arg0_in_text=%d\n", $rip >= (unsigned long)&_text && $rip < (unsigned long)&_end
end

printf "attach_thread=%d\n", $_thread
in_text a
info threads
thread 3
printf "t3_pc=0x%lx\n", $pc
printf "t3_cs=0x%lx\n", $cs
thread 1
ctrl_c_in_1s
continue
in_text b
thread 4
printf "t4_pc=0x%lx\n", $pc
thread 2
printf "t2_cs=0x%lx\n", $cs
thread 1
printf "c_thread=%d\n", $_thread
detach
