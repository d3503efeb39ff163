# bplib.sh -- helpers of the breakpoint, watchpoint, monitor, guest-failure
# and kernel-workflow end-to-end tests (tests/e2e/bp_*.sh, watch_*.sh,
# monitor_*.sh, failure_*.sh, kernel_workflow.sh).  Source it from the
# repository root:
#     . tests/e2e/bplib.sh
# It sources tests/e2e/gdblib.sh (start_debug, gdb_run, val, expect_val,
# expect_out, sym, elf_bytes, gdb_bytes, ...) and adds:
#
#   build_bpg                 build the tests' guest ($BPG, tests/e2e/guests2)
#   src_line MARK             the line of bpg_src.c holding "MARK name"
#   count_out NAME REGEX      how many lines of NAME.out match
#   between NAME BEGIN END    the lines of NAME.out between a line BEGIN and a
#                             line END (both exact lines, e.g. gdb echo output)
#   expect_count NAME REGEX N [WHY]   fail unless exactly N lines match
#   vals NAME KEY             every value of KEY=... lines of NAME.out, in
#                             order, space-separated
#   gdb_start_bg NAME SCRIPT ELF [GDB-ARGS...]  gdb on SCRIPT in the background ($GDB_PID);
#                             the script ends by waiting, to be killed
#   hash_text ELF CORE        FNV-1a (as the guest computes it) of the .text
#                             of ELF as stored in the core file CORE
#   infrun_probe NAME ELF SECONDS CMD...  a short gdb run with infrun and
#                             remote debugging on, for failure diagnoses
#   failure_case MODE SIGNAL STATUS PC-SYMBOL  the guest-failure checks
#                             (failure_*.sh)

if [ "${BASH_SOURCE[0]}" = "$0" ]; then
	echo "SKIP: bplib.sh is the breakpoint tests' helper library, not a test"
	exit 77
fi

. tests/e2e/gdblib.sh

BPG_DIR=${BPG_DIR:-$B/e2e-guests2}
BPG=$BPG_DIR/bpg.elf
BPG_SRC=tests/e2e/guests2/bpg_src.c
GDB_PID=

build_bpg() {
	require_files "$GUESTS/libguest64.a" "$GUESTS/lib64/entry_elf64.o"
	make -s -C tests/e2e/guests2 O="$(realpath -m "$BPG_DIR")" \
		GUESTS="$(realpath "$GUESTS")" >"$WORK/make2.log" 2>&1 ||
		{ GDB_LOGS="$GDB_LOGS make2.log"; fail "cannot build $BPG"; }
	[ -f "$BPG" ] || fail "$BPG was not built"
}

src_line() {
	local n
	n=$(grep -nE "MARK $1( |\$)" "$BPG_SRC" | head -n 1 | cut -d: -f1)
	[ -n "$n" ] || { echo "no MARK $1 in $BPG_SRC" >&2; return 1; }
	echo "$n"
}

count_out() {
	tr -d '\r' <"$WORK/$1.out" | grep -cE -- "$2"
}

between() {
	tr -d '\r' <"$WORK/$1.out" | sed -n "/^$2\$/,/^$3\$/p"
}

# conds NAME PHASE REGEX WHY: a line of the `monitor conds` output that the
# gdb script NAME printed between PHASE-conds-begin and PHASE-conds-end matches.
conds() {
	between "$1" "$2-conds-begin" "$2-conds-end" | grep -qE -- "$3" ||
		fail "$1: monitor conds ($2) has no line matching '$3' ($4)"
	echo "ok: $1: $4"
}

expect_count() {
	local n
	n=$(count_out "$1" "$2")
	[ "$n" = "$3" ] || fail "$1: $n lines match '$2', want $3${4:+ ($4)}"
	echo "ok: $1: $3 x '$2'${4:+ ($4)}"
}

vals() {
	tr -d '\r' <"$WORK/$1.out" | sed -n "s/^$2=//p" | tr '\n' ' ' | sed 's/ $//'
}

gdb_start_bg() {
	local name=$1 script=$2 elf=$3
	shift 3
	GDB_LOGS="$GDB_LOGS $name.out"
	echo "+ $GDB -batch -nx $elf $* -x $script (background)" >"$WORK/$name.out"
	timeout -k 5 "$GDB_TIMEOUT" "$GDB" -batch -nx -ex 'set pagination off' \
		-ex 'set confirm off' -ex "file $elf" -ex "target remote $GDB_ADDR" \
		"$@" -x "$script" </dev/null >>"$WORK/$name.out" 2>&1 &
	GDB_PID=$!
}

# The guest's own hash of its code (bpg.c text_hash), over the bytes of
# [_text, _etext) as the core file holds them at their physical addresses.
hash_text() {
	python3 - "$1" "$2" <<'PY'
import struct, subprocess, sys
elf, core = sys.argv[1], sys.argv[2]
syms = {}
for line in subprocess.run(['nm', elf], capture_output=True, text=True).stdout.split('\n'):
    f = line.split()
    if len(f) == 3:
        syms[f[2]] = int(f[0], 16)
lo, hi = syms['_text'] - 0xffffffff80000000, syms['_etext'] - 0xffffffff80000000
d = open(core, 'rb').read()
phoff, = struct.unpack_from('<Q', d, 0x20)
phentsize, phnum = struct.unpack_from('<HH', d, 0x36)
for i in range(phnum):
    typ, _, off, vaddr, paddr, filesz, _, _ = struct.unpack_from('<IIQQQQQQ', d, phoff + i * phentsize)
    if typ == 1 and vaddr == paddr and paddr <= lo and hi <= paddr + filesz:
        h = 0xcbf29ce484222325
        for b in d[off + lo - paddr: off + hi - paddr]:
            h = ((h ^ b) * 0x100000001b3) & 0xffffffffffffffff
        print('0x%x' % h)
        sys.exit(0)
sys.exit('no physical segment of %s holds 0x%x..0x%x' % (core, lo, hi))
PY
}

# infrun_probe NAME ELF SECONDS GDB-COMMANDS...: gdb with `set debug infrun
# 1` for a few seconds against the running $GDB_ADDR; prints the first
# lines that say why gdb kept resuming (for a failure report), bounded.
infrun_probe() {
	local name=$1 elf=$2 secs=$3 args=()
	shift 3
	for c in "$@"; do args+=(-ex "$c"); done
	timeout -k 2 "$secs" "$GDB" -batch -nx -ex "file $elf" -ex "target remote $GDB_ADDR" \
		-ex 'set debug infrun 1' -ex 'set debug remote 1' "${args[@]}" </dev/null 2>&1 |
		grep -m 12 -E 'Packet received: T|handle_signal_stop|ignoring|Sending packet: \$m' |
		cut -c1-160 >"$WORK/$name.out"
	GDB_LOGS="$GDB_LOGS $name.out"
}

# failure_case MODE SIGNAL-NAME STATUS PC-SYMBOL: bpg (mode=MODE) ends the
# machine; with gdb attached that is a stop with SIGNAL-NAME at PC-SYMBOL
# (fail_marker readable, registers, `monitor status` naming the pending exit
# status, `monitor dump` a core gdb reads); `continue` then ends hyve with
# STATUS and gdb learns it, and so does `detach` in a second run; without a
# debugger hyve exits with STATUS.
failure_case() {
	local mode=$1 sig=$2 status=$3 at=$4 how n want
	need_tool gdb
	require_files "$HYVE"
	build_bpg
	want=$(sym "$BPG" "$at") || fail "no $at in $BPG"
	for how in 0 1; do
		n=f$how
		start_debug -m 64M --kernel "$BPG" --append "mode=$mode" -G w0
		gdb_run $n tests/e2e/gdb4/failure.gdb "$BPG" -ex "set \$how = $how" \
			-ex "set \$core = \"$WORK/$n.core\""
		expect_out $n "^Program received signal $sig, " "gdb is told $sig"
		expect_val $n f_thread 1
		# KVM on AMD (SVM) INITs a vCPU at a shutdown (svm.c
		# shutdown_interception): the state at a triple fault is gone, and
		# hyve must say so rather than pass the INIT state off as it
		local want_pc=$want lost=
		if [ "$mode" = triple ] &&
		   grep -q 'INIT state, not the state at the triple fault' "$WORK/err"; then
			echo "note: $n: this host's KVM resets a vCPU at a shutdown (AMD SVM): registers at the fault are lost, hyve says so"
			want_pc=0xfff0 lost=1
		fi
		expect_val $n f_pc "$want_pc" "stopped at ${lost:+the INIT state, not }$at"
		if [ -z "$lost" ]; then
			expect_val $n f_marker "$(printf "0x%x" $((0xfa11ed0000000000 | $(mode_number "$mode"))))" "guest memory readable"
			expect_val $n f_rsp_in_stack 1 "registers readable"
		fi
		expect_out $n '^rip +0x[0-9a-f]+ ' "info registers"
		between $n status-begin status-end |
			grep -qE "^the guest ended the machine \(exit status $status on detach\)\$" ||
			fail "$n: monitor status does not name the pending exit status $status"
		echo "ok: $n: monitor status names exit status $status"
		expect_out $n "^wrote $WORK/$n.core\$" "monitor dump"
		timeout -k 5 "$GDB_TIMEOUT" "$GDB" -batch -nx "$BPG" "$WORK/$n.core" \
			-ex 'printf "core_marker=0x%lx\n", fail_marker' -ex 'printf "core_pc=0x%lx\n", $pc' \
			</dev/null >"$WORK/${n}core.out" 2>&1
		GDB_LOGS="$GDB_LOGS ${n}core.out"
		[ -n "$lost" ] ||
			expect_val ${n}core core_marker "$(val $n f_marker)" "the dump holds guest memory"
		expect_val ${n}core core_pc "$want_pc" "the dump holds the stopped registers"
		wait_bg 20
		expect_rc "$status"
		if [ "$how" = 0 ]; then
			expect_no_out $n '^Remote connection closed' "a W reply, not a hang-up"
			if [ "$status" = 0 ]; then
				expect_out $n '^\[Inferior 1 \(.*\) exited normally\]$' "continue: gdb learns the exit"
			else
				expect_out $n "^\\[Inferior 1 \\(.*\\) exited with code 0*$(printf '%o' "$status")\\]\$" "continue: gdb learns the exit code"
			fi
			expect_val $n exitcode "$status"
		else
			expect_out $n '^\[Inferior 1 \(.*\) detached\]$' "detach"
		fi
		echo "ok: $n: hyve exit status $status after $( [ $how = 0 ] && echo continue || echo detach)"
	done
	run_hyve -m 64M --kernel "$BPG" --append "mode=$mode"
	expect_rc "$status"
	expect_line "$WORK/out" "^FAILING $mode\$"
	echo "ok: without a debugger: exit status $status"
}

# mode_number MODE: bpg.c's enum mode value (fail_marker's low byte)
mode_number() {
	case $1 in
	triple) echo 5 ;;
	reset) echo 6 ;;
	poweroff) echo 7 ;;
	panic) echo 12 ;;
	*) echo 0 ;;
	esac
}
