# dbg64 spins in spin_loop with known values in its registers
# (tests/e2e/guests/dbg64_spin.S).
printf "rip=0x%lx\n", $rip
printf "in_spin=%d\n", $rip >= &spin_loop && $rip < &spin_end
printf "rbx=0x%lx\n", $rbx
printf "r12=0x%lx\n", $r12
printf "r15=0x%lx\n", $r15
printf "fs_base=0x%lx\n", $fs_base
printf "gs_base=0x%lx\n", $gs_base
printf "k_gs_base=0x%lx\n", $k_gs_base
printf "cr0=0x%lx\n", (long) $cr0
printf "cr3=0x%lx\n", $cr3
printf "cr4=0x%lx\n", (long) $cr4
printf "efer=0x%lx\n", (long) $efer
printf "xmm0lo=0x%lx\n", $xmm0.v2_int64[0]
printf "xmm0hi=0x%lx\n", $xmm0.v2_int64[1]
printf "cs=0x%x\n", $cs
p $xmm0
p/x $xmm0.v16_int8
p/x $cr3
p/x $fs_base
p $cr0
p $efer
info registers
set var release = 0x11
detach
