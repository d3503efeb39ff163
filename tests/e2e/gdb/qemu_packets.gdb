# QEMU's packets, as front ends send them (maintenance packet): GEF and
# pwndbg take a stub for qemu-system when Qqemu.sstepbits answers with
# "ENABLE=" and qOffsets is empty (pwndbg: no "Text="); pwndbg also sends
# qGDBServerVersion.  Then Qqemu.sstep=N selects whether steps let
# interrupts in (NOIRQ, bit 2): bpg mode=irq with its fast LAPIC timer.
python
def pkt(p):
    r = gdb.execute("maintenance packet " + p, to_string=True)
    return r.split("received: ", 1)[1].strip() if "received: " in r else "<no reply>"
for name, p in (("sstepbits", "qqemu.sstepbits"), ("Sstepbits", "Qqemu.sstepbits"),
                ("sstep", "qqemu.sstep"), ("supported", "qqemu.Supported"),
                ("version", "qGDBServerVersion"), ("offsets", "qOffsets")):
    print("%s=%s" % (name, pkt(p)))
# the tools' own tests, as their sources write them
r = gdb.execute("maintenance packet Qqemu.sstepbits", to_string=True)
print("gef_is_qemu=%d" % ("ENABLE=" in r))
r = gdb.execute("maintenance packet qOffsets", to_string=True)
print("gef_is_qemu_system=%d" % ('received: ""' in r))
print("pwndbg_is_usermode=%d" % ("Text=" in r))
end
set $stub = (long) &isr_stubs + 0x40 * 16
define to_loop
  set $i = 0
  while $i < 400 && !($pc >= (long) &irq_loop && $pc < (long) &irq_loop + 16)
    stepi
    set $i = $i + 1
  end
  printf "at_loop=%d\n", $pc >= (long) &irq_loop && $pc < (long) &irq_loop + 16
end
define steps
  set $hits = 0
  set $t0 = ticks
  set $i = 0
  while $i < 100
    stepi
    if $pc >= $stub && $pc < $stub + 16
      set $hits = $hits + 1
    end
    set $i = $i + 1
  end
  printf "$arg0_stub_hits=%d\n", $hits
  printf "$arg0_ticks=%lu\n", ticks - $t0
end
to_loop
steps noirq
python print("set1=" + gdb.execute("maintenance packet Qqemu.sstep=1", to_string=True).split("received: ", 1)[1].strip())
python print("sstep1=" + gdb.execute("maintenance packet qqemu.sstep", to_string=True).split("received: ", 1)[1].strip())
echo status-begin\n
monitor status
echo status-end\n
steps irq
python print("set3=" + gdb.execute("maintenance packet Qqemu.sstep=3", to_string=True).split("received: ", 1)[1].strip())
python print("bad=" + gdb.execute("maintenance packet Qqemu.sstep=8", to_string=True).split("received: ", 1)[1].strip())
python print("notimer=" + gdb.execute("maintenance packet Qqemu.sstep=7", to_string=True).split("received: ", 1)[1].strip())
python print("sstep3=" + gdb.execute("maintenance packet qqemu.sstep", to_string=True).split("received: ", 1)[1].strip())
# Steps that took interrupts leave the frames they pushed with the step's
# trap flag (KVM's, TF-based): the guest would take a debug trap of its own
# when those handlers return.  So no release: kill.
kill
