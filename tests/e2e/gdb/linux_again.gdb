# A second look a little after the first session detached: the kernel ran on.
printf "rip=0x%lx\n", $rip
printf "efer=0x%lx\n", (long) $efer
kill
