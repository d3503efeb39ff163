# smp-mb.elf (multiboot: 32-bit, paging off at the entry), 2 vCPUs, held at
# the entry.  Two hardware breakpoints set now: one on the instruction that
# turns paging on (it runs with paging off), one on the AP's C entry (vCPU
# 1 is still waiting for INIT/SIPI).  $pg_insn is that instruction's address;
# $ap = 0 leaves the AP's out (where hbreak traps pages: no page holds it yet).
printf "e_pg=%d\n", ($cr0 >> 31) & 1
hbreak *$pg_insn
if $ap
	hbreak smp_ap_entry
end
continue
printf "s1_thread=%d\n", $_thread
printf "s1_at_pg_insn=%d\n", $pc == $pg_insn
printf "s1_pg=%d\n", ($cr0 >> 31) & 1
if $ap
	continue
	printf "s2_thread=%d\n", $_thread
	printf "s2_at_ap_entry=%d\n", $pc == (long) &smp_ap_entry
	printf "s2_pg=%d\n", ($cr0 >> 31) & 1
end
delete
detach
