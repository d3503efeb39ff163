#!/bin/bash
# gdb_linux_prepaging.sh -- the Debian kernel's vmlinux (PVH) held at its entry
# with -G w: paging is off, so its virtual addresses are no addresses for the
# vCPU yet, but hyve loaded the ELF segments and knows where they went:
#  - `x/s` of linux_banner's virtual address reads "Linux version ..." (found
#    in the file: the kernel is linked where it runs with nokaslr);
#  - 16 bytes at _text (0xffffffff81000000) are the file's bytes there;
#  - a software breakpoint (Z0) at _text is accepted and removed (it used to
#    answer E14: no such address);
#  - an address above 4 GiB in no segment still cannot be read.
set -u
cd "$(dirname "$0")/../.." || exit 1
. tests/e2e/bplib.sh
E2E_TIMEOUT=120
e2e_init gdb_linux_prepaging
skip_if_no_kvm
need_tool gdb python3
dir=${LINUX_GUEST:-$B/linux}
vmlinux=$dir/vmlinux
[ -f "$vmlinux" ] || fail "$vmlinux is missing (make test builds it: scripts/build-linux-guest.sh)"
require_files "$HYVE"

banner=$(elf_string_va "$vmlinux" "Linux version ")
[ -n "$banner" ] || fail "no 'Linux version ' in a PT_LOAD of $vmlinux"
text=0xffffffff81000000
want=$(elf_bytes "$vmlinux" "$text" 16) || fail "cannot read $vmlinux at $text"

start_debug -m 256M --kernel "$vmlinux" --append "console=ttyS0 nokaslr" -G w0
cat >"$WORK/pre.gdb" <<GDB
printf "pg=%d\n", (\$cr0 >> 31) & 1
printf "banner=%s\n", (char *)$banner
echo bytes-begin\n
x/16xb $text
echo bytes-end\n
echo z0-begin\n
maint packet Z0,ffffffff81000000,1
maint packet z0,ffffffff81000000,1
echo z0-end\n
echo far-begin\n
x/1xb 0xffffffff00000000
echo far-end\n
detach
GDB
gdb_run pre "$WORK/pre.gdb"
expect_val pre pg 0 "paging is off at the PVH entry"
expect_out pre '^banner=Linux version ' "linux_banner's virtual address reads the banner before paging"
got=$(gdb_bytes pre bytes)
[ "$got" = "$want" ] || fail "x/16xb _text reads '$got', the file has '$want'"
echo "ok: _text's bytes are the file's"
[ "$(between pre z0-begin z0-end | grep -c '^received: "OK"$')" = 2 ] ||
	fail "Z0/z0 at _text before paging: $(between pre z0-begin z0-end | tr '\n' ' ')"
echo "ok: Z0 and z0 at _text accepted before paging"
between pre far-begin far-end | grep -q 'Cannot access memory at address 0xffffffff00000000' ||
	fail "an address in no segment read as: $(between pre far-begin far-end | tr '\n' ' ')"
echo "ok: an address in no segment is still no address"
pass
