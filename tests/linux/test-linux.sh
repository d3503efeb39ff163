#!/usr/bin/env bash
# test-linux.sh -- boot the Debian kernel to a shell under hyve (`make test-linux`).
#
# For each boot path in LINUX_BOOT (default "bzimage pvh": build/linux/vmlinuz through
# the bzImage loader, build/linux/vmlinux through its PVH entry), with the busybox
# initramfs (scripts/build-linux-guest.sh builds both if needed):
#   hyve -c 2 -m 512M --kernel K --initrd initramfs.cpio.gz --append "console=ttyS0 ..."
# and asserts that
#   - /init reports "GUEST-INFO cpus=2 ..." with the command line hyve gave, then
#     "GUEST-READY", and the shell prompt "hyve-guest# " appears;
#   - the shell, driven through hyve's standard input (a FIFO), answers `nproc` with 2;
#   - `poweroff -f` makes hyve exit with status 0.
#
# Hosts whose /dev/kvm emulates guest ring 0 (the kvm_pvm module, or a CPU without
# vmx/svm) would need hours for this boot: there the script says so and exits 0 at
# once.  TEST_LINUX_FORCE=1 runs it anyway (e.g. with HYVE pointing at something else).
#
# Environment: B (build dir, default build), HYVE (default $B/hyve), LINUX_GUEST
# (default build/linux), LINUX_BOOT, LINUX_BOOT_WAIT (seconds to GUEST-READY per boot,
# default 180), LINUX_CPUS (vCPUs, default 2), TEST_LINUX_FORCE.
# Exit: 0 pass (or emulating host), 1 fail, 77 skip (no usable /dev/kvm).
cd "$(dirname "$0")/../.." || exit 1

# Decide before anything slow (building the guest) whether this host can do it at all.
emulated_ring0() {
	[ -d /sys/module/kvm_pvm ] && return 0
	! grep -qwE 'vmx|svm' /proc/cpuinfo
}
if [ "${TEST_LINUX_FORCE:-0}" != 1 ] && emulated_ring0; then
	echo "test-linux: this host's KVM emulates guest ring 0 (kvm_pvm, no VMX/SVM): a full" \
		"Linux boot would take hours here; run this on a host with hardware virtualization."
	exit 0
fi

. tests/e2e/lib.sh || { echo "FAIL test-linux: cannot source tests/e2e/lib.sh"; exit 1; }
e2e_init test-linux
[ "${TEST_LINUX_FORCE:-0}" = 1 ] || skip_if_no_kvm
require_files "$HYVE"

LINUX_GUEST=${LINUX_GUEST:-build/linux}
WAIT=${LINUX_BOOT_WAIT:-180}
CPUS=${LINUX_CPUS:-2}
E2E_TIMEOUT=$((WAIT + 120))	# the whole run of one boot, under `timeout`

echo "test-linux: building the guest in $LINUX_GUEST (a no-op when up to date)"
if ! scripts/build-linux-guest.sh "$LINUX_GUEST" >"$WORK/build.log" 2>&1; then
	tail -n 20 "$WORK/build.log"
	fail "could not build the Linux guest (scripts/build-linux-guest.sh failed; see above)"
fi
require_files "$LINUX_GUEST/vmlinuz" "$LINUX_GUEST/vmlinux" "$LINUX_GUEST/initramfs.cpio.gz"

now_ms() { echo $((${EPOCHREALTIME/[.,]/} / 1000)); }

# boot NAME KERNEL: one boot to the shell and back; fails (exits) on the first problem.
boot() {
	local name=$1 kernel=$2 mark="run$$x$RANDOM" t0 cpus n
	local cmdline="console=ttyS0 nokaslr panic=-1 hyvetest=$mark"

	echo "test-linux: [$name] hyve -c $CPUS -m 512M --kernel $kernel --initrd ... --append \"$cmdline\""
	t0=$(now_ms)
	start_hyve_bg -c "$CPUS" -m 512M --kernel "$kernel" --initrd "$LINUX_GUEST/initramfs.cpio.gz" \
		--append "$cmdline"
	TEST_NAME="test-linux [$name]"

	wait_for_line "$WORK/out" '^GUEST-READY' "$WAIT"
	echo "test-linux: [$name] GUEST-READY after $((($(now_ms) - t0) / 1000)) s"
	has_line "$WORK/out" "^GUEST-INFO .*cmdline=.*hyvetest=$mark" ||
		fail "GUEST-INFO missing or without the command line hyve gave (hyvetest=$mark)"
	cpus=$(tr -d '\r' <"$WORK/out" | sed -n 's/^GUEST-INFO cpus=\([0-9]*\).*/\1/p' | head -n 1)
	[ "$cpus" = "$CPUS" ] || fail "/init counted ${cpus:-no} CPUs, want $CPUS"

	# The prompt ends without a newline; grep still sees that last partial line.
	wait_for_line "$WORK/out" 'hyve-guest# ' 60
	# The shell evaluates $(nproc); the echoed command line itself holds no digit
	# after "NPROC=", so only the answer matches.
	# shellcheck disable=SC2016 # expanded by the guest's shell
	send_input 'echo "NPROC=$(nproc) ONLINE=$(cat /sys/devices/system/cpu/online)"'$'\n'
	wait_for_line "$WORK/out" '^NPROC=[0-9]+ ' 60
	n=$(tr -d '\r' <"$WORK/out" | sed -n 's/^NPROC=\([0-9]*\) .*/\1/p' | head -n 1)
	[ "$n" = "$CPUS" ] || fail "nproc in the guest says ${n:-nothing}, want $CPUS"
	echo "test-linux: [$name] shell answered: $(tr -d '\r' <"$WORK/out" | grep -m1 '^NPROC=')"

	send_input $'poweroff -f\n'
	wait_bg 60
	[ "$RC" != 124 ] || fail "hyve still running 60 s after 'poweroff -f'"
	expect_rc 0
	echo "test-linux: [$name] powered off, hyve exit status 0, $((($(now_ms) - t0) / 1000)) s in all"
	exec 8>&-	# start_hyve_bg opens it anew for the next boot
}

for b in ${LINUX_BOOT:-bzimage pvh}; do
	case $b in
	bzimage) boot bzimage "$LINUX_GUEST/vmlinuz" ;;
	pvh) boot pvh "$LINUX_GUEST/vmlinux" ;;
	*) fail "unknown boot path '$b' in LINUX_BOOT (bzimage, pvh)" ;;
	esac
done
TEST_NAME=test-linux
pass "booted ${LINUX_BOOT:-bzimage pvh} to a shell on $CPUS vCPUs and powered off"
