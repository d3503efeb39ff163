# Under target extended-remote: dbg64 held at its entry; continue until it
# is up (its "DBG64 READY" line in hyve's output, $HYVE_OUT), change a
# variable, then `run`: gdb kills (the machine stays), sends vRun (a reset,
# a stop at the entry) and continues the new boot; interrupted once the
# guest is up again, the registers gdb shows are the new ones and RAM was
# loaded afresh.  `monitor reset` says how to get fresh registers.
python
import os, signal, threading, time
def ctrl_c_when_ready(n):
    def wait():
        for _ in range(1200):
            with open(os.environ["HYVE_OUT"], errors="replace") as f:
                if sum(1 for l in f if l.startswith("DBG64 READY")) >= n:
                    break
            time.sleep(0.1)
        time.sleep(0.5)
        os.kill(os.getpid(), signal.SIGINT)
    threading.Thread(target=wait, daemon=True).start()
end
printf "e_pc=0x%lx\n", $pc
python ctrl_c_when_ready(1)
continue
printf "a_in_spin=%d\n", $pc >= (long) &spin_loop && $pc < (long) &spin_end
set var poke = 0x77
printf "a_poke=0x%lx\n", poke
python ctrl_c_when_ready(2)
echo run-begin\n
run
echo run-end\n
printf "b_in_spin=%d\n", $pc >= (long) &spin_loop && $pc < (long) &spin_end
printf "b_r15=0x%lx\n", $r15
printf "b_poke=0x%lx\n", poke
printf "b_thread=%d\n", $_thread
echo reset-begin\n
monitor reset
echo reset-end\n
set var release = 0x2b
detach
