# mode=irq, attached while a 1 µs-ish LAPIC timer interrupts it: 200 stepi
# with step-irq off, then 200 with step-irq on, then 200 each with QEMU's
# Qqemu.sstep=0x3 (ENABLE|NOIRQ) and Qqemu.sstep=0x1 (ENABLE).  Where a step that lets the
# timer interrupt in stops depends on the host: where KVM emulates ring 0
# it ends inside that vector's 16-byte IDT stub (the handler's first
# instruction ran); where the CPU runs the guest the delivery clears TF and
# the step ends at the first instruction KVM emulates in the handler (the
# local APIC EOI write, without APIC virtualization) or after the next
# instruction of the loop.  Counted: stops in the stub, stops anywhere
# outside irq_spin (in the interrupt path).
set $stub = (long) &isr_stubs + 0x40 * 16
# a step that let the interrupt in left the interrupted frame on the guest's
# stack with TF set (KVM steps with RFLAGS.TF): leaving a handler after
# stepping ends would give the guest a stray #DB at its iret, so step (no
# interrupts now) back into irq_spin before going on
define toloop
  set $n = 0
  while ($pc < (long) &irq_spin || $pc >= (long) &irq_spin_end) && $n < 1000
    stepi
    set $n = $n + 1
  end
end
# start from the main loop, not from inside a handler: stepped there with
# interrupts held off (no breakpoint: where the host's debug registers never
# fire, an hbreak would not stop it)
toloop
printf "at_loop=%d\n", $pc >= (long) &irq_spin && $pc < (long) &irq_spin_end
define steps
  set $hits = 0
  set $away = 0
  set $t0 = ticks
  set $i = 0
  while $i < 200
    stepi
    if $pc >= $stub && $pc < $stub + 16
      set $hits = $hits + 1
    end
    if $pc < (long) &irq_spin || $pc >= (long) &irq_spin_end
      set $away = $away + 1
    end
    set $i = $i + 1
  end
  printf "$arg0_stub_hits=%d\n", $hits
  printf "$arg0_handler_stops=%d\n", $away
  printf "$arg0_ticks=%lu\n", ticks - $t0
end
echo off-begin\n
monitor step-irq off
echo off-end\n
steps off
echo on-begin\n
monitor step-irq on
echo on-end\n
steps on
monitor step-irq off
toloop
# the same through QEMU's packet: NOIRQ set (0x3), then clear (0x1)
maint packet Qqemu.sstep=0x3
steps qnoirq
maint packet Qqemu.sstep=0x1
steps qirq
maint packet Qqemu.sstep=0x3
toloop
printf "back_in_loop=%d\n", $pc >= (long) &irq_spin && $pc < (long) &irq_spin_end
set var irq_release = 0x27
detach
