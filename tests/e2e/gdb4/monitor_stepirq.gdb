# mode=irq, attached while a 1 µs-ish LAPIC timer interrupts it: 200 stepi
# with step-irq off, then 200 with step-irq on, then 200 each with QEMU's
# Qqemu.sstep=0x3 (NOIRQ) and Qqemu.sstep=0x1.  A step that delivers the
# timer interrupt ends inside that vector's 16-byte IDT stub (KVM runs the
# handler's first instruction before the step trap).
set $stub = (long) &isr_stubs + 0x40 * 16
# start from the main loop, not from inside a handler
hbreak *irq_loop
continue
printf "at_loop=%d\n", $pc == (long) &irq_loop
delete
define steps
  set $hits = 0
  set $t0 = ticks
  set $i = 0
  while $i < 200
    stepi
    if $pc >= $stub && $pc < $stub + 16
      set $hits = $hits + 1
    end
    set $i = $i + 1
  end
  printf "$arg0_stub_hits=%d\n", $hits
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
# the same through QEMU's packet: NOIRQ set (0x3), then clear (0x1)
maint packet Qqemu.sstep=0x3
steps qnoirq
maint packet Qqemu.sstep=0x1
steps qirq
maint packet Qqemu.sstep=0x3
monitor step-irq off
set var irq_release = 0x27
detach
