# The Debian kernel's vmlinux, held at its PVH entry (32-bit protected
# mode, paging off, EBX = the hvm_start_info), then caught by a hardware
# breakpoint where it enters long mode (startup_64 = e_entry, run through
# the identity mapping the kernel's PVH code sets up).
printf "rip=0x%lx\n", $rip
printf "cr0=0x%lx\n", (long) $cr0
printf "start_info_magic=0x%x\n", *(unsigned int *) $rbx
echo pvh-begin\n
x/16xb $rip
echo pvh-end\n
# where the host fires hardware breakpoints ($hw)
if $hw
  eval "hbreak *%lu", $startup_64
  continue
  printf "rip64=0x%lx\n", $rip
  printf "cr0_64=0x%lx\n", (long) $cr0
  printf "efer64=0x%lx\n", (long) $efer
  echo s64-begin\n
  x/16xb $rip
  echo s64-end\n
  echo s64v-begin\n
  eval "x/16xb %lu", $text_virt
  echo s64v-end\n
  delete
end
detach
