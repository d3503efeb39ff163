# tinylib.sh -- what the tests of hyve's own small kernel (make linux-kernel)
# share; sourced after gdblib.sh and e2e_init.
#   LINUX_TINY   the kernel's cache directory (default $B/linux-tiny)
#   LINUX_GUEST  the initramfs's (default $B/linux)

# tiny_prepare: the kernel and the initramfs, built or from the cache
# (scripts/build-linux-kernel.sh: a cold build takes about 15 minutes on 2
# CPUs); skipped, loudly, when either cannot be built.  Sets TINY, vmlinux,
# initrd.
tiny_prepare() {
	local b
	TINY=${LINUX_TINY:-$B/linux-tiny}
	LINUX_GUEST=${LINUX_GUEST:-$B/linux}
	for b in "scripts/build-linux-kernel.sh $TINY" "scripts/build-linux-guest.sh $LINUX_GUEST"; do
		# shellcheck disable=SC2086 # a command and its argument
		$b >"$WORK/build.log" 2>&1 || { tail -n 15 "$WORK/build.log"; skip "$b failed"; }
	done
	vmlinux=$TINY/vmlinux initrd=$LINUX_GUEST/initramfs.cpio.gz
	require_files "$vmlinux" "$TINY/vmlinux-gdb.py" "$initrd"
}

# tiny_start CPUS [APPEND]: hyve on the kernel and the initramfs with CPUS
# vCPUs and 256 MiB, held at the first instruction for gdb (-G w), the
# kernel's command line the tests' own plus APPEND.
tiny_start() {
	start_debug -c "$1" -m 256M --kernel "$vmlinux" --initrd "$initrd" \
		--append "console=ttyS0 nokaslr noxsave lpj=1000000 ${2:-}" -G w0
}

# tiny_gdb NAME SECONDS SCRIPT [GDB-ARG]...: the real gdb with the kernel's
# symbols and its own scripts, attached to the hyve start_debug started,
# running SCRIPT (the GDB-ARGs before it); its output in $WORK/NAME.out.
tiny_gdb() {
	local name=$1 secs=$2 script=$3 rc
	shift 3
	GDB_LOGS="$GDB_LOGS $name.out"
	timeout -k 5 "$secs" "$GDB" -batch -nx -ex 'set pagination off' \
		-ex 'set confirm off' -ex 'set width 0' -ex 'set height 0' \
		-ex "add-auto-load-safe-path $TINY" -ex "file $vmlinux" -ex "source $TINY/vmlinux-gdb.py" \
		-ex "target remote $GDB_ADDR" "$@" -x "$script" </dev/null >"$WORK/$name.out" 2>&1
	rc=$?
	[ "$rc" != 124 ] || fail "gdb ($name) timed out after ${secs}s"
}

# tiny_block NAME TAG: the lines of $WORK/NAME.out between "TAG-begin" and "TAG-end".
tiny_block() {
	tr -d '\r' <"$WORK/$1.out" | sed -n "/^$2-begin\$/,/^$2-end\$/p" | sed '1d;$d'
}
