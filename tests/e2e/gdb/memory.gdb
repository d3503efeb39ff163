# Guest variables by symbol: read, compare with the ELF file, write, and let
# the guest act on what was written (dbg64 exits with `release`).
printf "magic=0x%lx\n", magic
printf "release=%d\n", release
printf "magic_addr=0x%lx\n", &magic
printf "spin_addr=0x%lx\n", &spin_loop
echo magic-begin\n
x/8xb &magic
echo magic-end\n
echo spin-begin\n
x/16xb &spin_loop
echo spin-end\n
x/2gx &magic
x/3i &spin_loop
set var poke = 0x1234abcd5678
printf "poke=0x%lx\n", poke
set var release = 0x5a
printf "release2=0x%x\n", release
detach
