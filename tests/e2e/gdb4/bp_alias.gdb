# Software breakpoints are kept by physical address (held at the entry):
# one set through the higher half (alias_fn) hits when the guest runs the
# code through the identity mapping, one set through the identity mapping
# (alias_fn2's low alias) hits when the guest runs it through the higher
# half.  Reads through either alias show the original bytes.
set $kvma = 0xffffffff80000000
set $low1 = (unsigned long) &alias_fn - $kvma
set $low2 = (unsigned long) &alias_fn2 - $kvma
break alias_fn
break *$low2
echo bytes-begin\n
x/4xb alias_fn
x/4xb $low1
x/4xb alias_fn2
x/4xb $low2
echo bytes-end\n
continue
printf "s1_pc=0x%lx\n", $pc
printf "s1_at_low1=%d\n", $pc == $low1
printf "s1_thread=%d\n", $_thread
delete 1
continue
printf "s2_pc=0x%lx\n", $pc
printf "s2_at_high2=%d\n", $pc == (unsigned long) &alias_fn2
delete
break alias_check
continue
printf "s3_at_check=%d\n", $pc == (unsigned long) &alias_check
printf "r1=%lu\n", alias_r1
printf "r2=%lu\n", alias_r2
delete
detach
