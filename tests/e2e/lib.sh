# lib.sh -- helpers shared by the end-to-end scripts (tests/e2e/*.sh).
# Source it from the repository root:  . tests/e2e/lib.sh
#
# Environment:
#   B            build directory (default: build); hyve is $B/hyve
#   HYVE         the hyve binary (default: $B/hyve)
#   GUESTS       the built guests (default: guests/build)
#   E2E_TIMEOUT  seconds one hyve run may take (default: 60)
#   E2E_KEEP=1   keep the scratch directory (its path is printed)
#   KVM_DEV      the KVM device to require (default: /dev/kvm; tests of the
#                skip path point it elsewhere)
#
# Conventions: exit 0 = pass, 1 = fail, 77 = skipped (no usable /dev/kvm, or
# a facility the host lacks: need_host); a part skipped for such a reason
# prints a "SKIP: ..." line (part_needs) and the test passes on the rest.
# Every run of hyve goes through `timeout`, so nothing hangs.

: "${B:=build}"
HYVE=${HYVE:-$B/hyve}
GUESTS=${GUESTS:-guests/build}
E2E_TIMEOUT=${E2E_TIMEOUT:-60}
TEST_NAME=${TEST_NAME:-e2e}
WORK=
RC=
BG_PID=

# e2e_init NAME: name the test, make a scratch directory ($WORK).
e2e_init() {
	TEST_NAME=$1
	WORK=$(mktemp -d "${TMPDIR:-/tmp}/hyve-e2e-$1.XXXXXX")
	trap e2e_cleanup EXIT
}

e2e_cleanup() {
	stop_bg
	if [ -n "$WORK" ] && [ -d "$WORK" ]; then
		if [ "${E2E_KEEP:-0}" = 1 ]; then
			echo "($TEST_NAME: scratch files kept in $WORK)"
		else
			rm -rf "$WORK"
		fi
	fi
}

# skip_if_no_kvm: exit 77, loudly, unless $KVM_DEV exists and opens read-write.
skip_if_no_kvm() {
	local why= dev=${KVM_DEV:-/dev/kvm}
	if [ ! -e "$dev" ]; then
		why="$dev missing"
	elif ! (exec 9<>"$dev") 2>/dev/null; then
		why="$dev not usable (cannot open it read-write)"
	fi
	if [ -n "$why" ]; then
		echo "**************************************************************"
		echo "SKIP: $why — $TEST_NAME NOT RUN"
		echo "**************************************************************"
		exit 77
	fi
}

# What this host's KVM does with the debug facilities, as `hyve --probe` found
# out (once per run: tests/run.sh exports HYVE_PROBE_OUT; a test run alone
# probes itself).  Facilities:
#   sw-breakpoints    int3 comes to hyve (not to the guest)
#   hw-breakpoints    debug-register instruction breakpoints fire
#   data-breakpoints  debug-register data breakpoints fire
#   breakpoints       a `break` works at all: either of the first two, or
#                     hyve traps the breakpoint's page (breakpoints: page-trap,
#                     where neither int3 nor the debug registers stop a guest)
#   soft-breakpoints  a `break` stops the guest without a debug register (so
#                     any number of them): int3 traps, or the page is trapped
#   hbreak            an `hbreak` (Z1) stops the guest: the debug registers
#                     fire, or hyve traps the breakpoint's page
#   step-over-pause   a single step over `pause` stops right after it
# A probe that could not run answers yes: nothing is skipped on a guess.
host_probe() {
	if [ -z "${HYVE_PROBE_OUT+x}" ]; then
		HYVE_PROBE_OUT=$("$HYVE" --probe 2>/dev/null)
		export HYVE_PROBE_OUT
	fi
}

# host_value KEY: the probe's answer for KEY ("" if it has none).
host_value() {
	host_probe
	printf '%s\n' "$HYVE_PROBE_OUT" | sed -n "s/^$1: //p" | head -n 1
}

# host_has FACILITY: true unless the probe found the facility missing.
host_has() {
	case $1 in
	sw-breakpoints) [ "$(host_value sw-breakpoints)" != reach-guest ] ;;
	hw-breakpoints) [ "$(host_value hw-breakpoints)" != do-not-fire ] ;;
	data-breakpoints) [ "$(host_value data-breakpoints)" != do-not-fire ] ;;
	breakpoints) host_has sw-breakpoints || host_has hw-breakpoints ||
		[ "$(host_value breakpoints)" = page-trap ] ;;
	soft-breakpoints) host_has sw-breakpoints || [ "$(host_value breakpoints)" = page-trap ] ;;
	hbreak) host_has hw-breakpoints || [ "$(host_value breakpoints)" = page-trap ] ;;
	step-over-pause) [ "$(host_value step-over-pause)" != runs-on ] ;;
	*) echo "host_has: unknown facility $1" >&2; return 2 ;;
	esac
}

# host_lacks FACILITY: the host limitation in words, for a SKIP line.
host_lacks() {
	local qemu="QEMU 7.2's emulated AMD-V does this, see doc/debugging.md"
	case $1 in
	sw-breakpoints) echo "this host's KVM gives int3 to the guest even when asked to trap it (hyve --probe: sw-breakpoints: reach-guest; $qemu)" ;;
	hw-breakpoints) echo "debug-register instruction breakpoints never fire on this host (hyve --probe: hw-breakpoints: do-not-fire; $qemu)" ;;
	data-breakpoints) echo "debug-register data breakpoints never fire on this host (hyve --probe: data-breakpoints: do-not-fire; KVM emulating ring 0 and $qemu)" ;;
	breakpoints) echo "no breakpoint can fire on this host: int3 reaches the guest, debug registers never fire and hyve does not trap pages for them (hyve --probe: sw-breakpoints: reach-guest, hw-breakpoints: do-not-fire, breakpoints: $(host_value breakpoints))" ;;
	hbreak) echo "no hbreak can fire on this host: debug registers never fire and hyve does not trap pages for them (hyve --probe: hw-breakpoints: do-not-fire, breakpoints: $(host_value breakpoints))" ;;
	soft-breakpoints) echo "software breakpoints take debug registers on this host: int3 reaches the guest (hyve --probe: sw-breakpoints: reach-guest, breakpoints: $(host_value breakpoints); $qemu)" ;;
	step-over-pause) echo "a single step over pause also runs the next instruction on this host (hyve --probe: step-over-pause: runs-on; $qemu)" ;;
	esac
}

# need_host FACILITY [WHAT]: skip the whole test, loudly, if the host lacks it.
need_host() {
	host_has "$1" && return 0
	echo "**************************************************************"
	echo "SKIP: $(host_lacks "$1"): ${2:-$TEST_NAME} NOT RUN"
	echo "**************************************************************"
	exit 77
}

# part_needs FACILITY WHAT: true if the host has it; else print a loud SKIP
# line for that part of the test (tests/run.sh shows it under the verdict)
# and return false, for the caller to go on with the other parts.
part_needs() {
	host_has "$1" && return 0
	echo "SKIP: $(host_lacks "$1"): $TEST_NAME: $2 NOT RUN"
	return 1
}

# require_files FILE...: fail (not skip) if a build product is missing.
require_files() {
	local f
	for f in "$@"; do
		[ -e "$f" ] || fail "$f is missing (build it: make && make -C guests)"
	done
}

# show_output: the captured output of the last run, for failure reports.
show_output() {
	local f shown=
	for f in cmd out err debugcon; do
		[ -s "$WORK/$f" ] || continue
		echo "----- $f (last 60 lines) -----"
		tail -n 60 "$WORK/$f" | tr -d '\r'
		shown=1
	done
	[ -z "$shown" ] || echo "-----"
}

pass() {
	echo "PASS $TEST_NAME${1:+ ($1)}"
	exit 0
}

# fail REASON: print the verdict and the captured output, exit 1.
fail() {
	echo "FAIL $TEST_NAME: $*"
	[ -n "$WORK" ] && show_output
	exit 1
}

# run_hyve ARGS...: run hyve in the foreground under `timeout`.  stdout goes to
# $WORK/out, stderr to $WORK/err; $RC is its exit status (124: timed out).
# Add "--debugcon file:$WORK/debugcon" to capture the debug console.
run_hyve() {
	echo "+ $HYVE $*" >"$WORK/cmd"
	timeout -k 5 "$E2E_TIMEOUT" "$HYVE" "$@" </dev/null >"$WORK/out" 2>"$WORK/err"
	RC=$?
}

# start_hyve_bg ARGS...: like run_hyve, in the background ($BG_PID); its
# stdin is the FIFO $WORK/in, written with send_input.
start_hyve_bg() {
	echo "+ $HYVE $*" >"$WORK/cmd"
	rm -f "$WORK/in"
	mkfifo "$WORK/in"
	timeout -k 5 "$E2E_TIMEOUT" "$HYVE" "$@" <"$WORK/in" >"$WORK/out" 2>"$WORK/err" &
	BG_PID=$!
	# Hold the FIFO open for writing so hyve never sees end-of-file.
	exec 8>"$WORK/in"
}

# send_input TEXT: bytes for the background hyve's standard input.
send_input() {
	printf '%s' "$1" >&8
}

bg_running() {
	[ -n "$BG_PID" ] && kill -0 "$BG_PID" 2>/dev/null
}

# wait_bg SECONDS: wait for the background hyve to end by itself; $RC gets its
# status, or 124 if it was still running after SECONDS.
wait_bg() {
	local i
	for ((i = 0; i < $1 * 5; i++)); do
		bg_running || break
		sleep 0.2
	done
	if bg_running; then
		RC=124
	else
		wait "$BG_PID"
		RC=$?
		BG_PID=
	fi
}

# stop_bg: end the background hyve (the timeout process passes the signal on).
stop_bg() {
	exec 8>&-
	if bg_running; then
		kill "$BG_PID" 2>/dev/null
		wait "$BG_PID" 2>/dev/null
	fi
	BG_PID=
}

# has_line FILE REGEX: true if a line of FILE (carriage returns dropped)
# matches the extended regular expression.
has_line() {
	[ -f "$1" ] && tr -d '\r' <"$1" | grep -qE -- "$2"
}

# expect_line FILE REGEX [WHAT]: fail unless a line of FILE matches.
expect_line() {
	has_line "$1" "$2" || fail "no line matching '$2' in ${3:-$(basename "$1")}"
}

# expect_rc WANT: fail unless the last run's exit status was WANT.
expect_rc() {
	[ "$RC" = "$1" ] && return 0
	case $RC in
	124) fail "timed out after ${E2E_TIMEOUT}s (exit status 124), want exit status $1" ;;
	*) fail "exit status $RC ($(printf '0x%x' "$RC")), want $1" ;;
	esac
}

# wait_for_line FILE REGEX SECONDS: poll until FILE has a matching line; fail
# if the time runs out or the background hyve ends first.
wait_for_line() {
	local i
	for ((i = 0; i < $3 * 5; i++)); do
		has_line "$1" "$2" && return 0
		if ! bg_running; then
			has_line "$1" "$2" && return 0
			wait "$BG_PID" 2>/dev/null
			RC=$?
			BG_PID=
			fail "hyve ended (exit status $RC) before printing '$2'"
		fi
		sleep 0.2
	done
	fail "no line matching '$2' within $3 s"
}
