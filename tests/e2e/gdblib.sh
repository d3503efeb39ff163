# gdblib.sh -- helpers for the end-to-end tests that drive the real gdb and
# lldb against hyve's debug server (tests/e2e/gdb_*.sh, lldb_*.sh).
# Source it from the repository root after nothing else:
#     . tests/e2e/gdblib.sh
# It sources tests/e2e/lib.sh (e2e_init, skip_if_no_kvm, fail, pass,
# start_hyve_bg, wait_bg, expect_rc, expect_line, ...) and adds:
#
#   need_tool gdb|lldb|...     fail if a tool is missing (install-deps.sh installs them all)
#   build_dbg64                build the tests' own guest ($DBG64)
#   start_debug ARGS...        hyve in the background with ARGS (which hold
#                              the -G option); waits for "debug server
#                              listening on X" and sets $GDB_ADDR to X
#   gdb_run NAME SCRIPT [ELF] [GDB-ARGS...]
#                              gdb -batch connected to $GDB_ADDR, then the
#                              commands of SCRIPT; output in $WORK/NAME.out
#   gdb_try NAME SCRIPT [ELF] [GDB-ARGS...]
#                              the same, a time-out left to the caller
#                              ($GDB_RC 124)
#   lldb_run NAME LLDB-ARGS... lldb --batch; output in $WORK/NAME.out
#   val NAME KEY               the value of the last "KEY=VALUE" line of NAME.out
#   expect_val NAME KEY WANT   fail unless that value equals WANT (numbers
#                              compare as numbers: 0x00ff = 255)
#   expect_out NAME REGEX [WHY]  fail unless a line of NAME.out matches
#   sym ELF NAME               a symbol's address (0x...) from nm (these
#                              helpers print to stdout for $(...): they
#                              return 1 and say why on stderr, never fail)
#   elf_bytes ELF ADDR N [phys]  N bytes of the ELF file at virtual (or
#                              physical) address ADDR, as "0xNN 0xNN ..." (read
#                              from the file through its program headers, not
#                              through hyve)
#
# gdb command files live in tests/e2e/gdb/; they print what the shell checks
# as "KEY=VALUE" lines (printf), so the checks do not depend on gdb's $N
# history numbering.  In batch mode gdb stops at the first failing command:
# a missing KEY line then tells which command failed (the output is shown).

if [ "${BASH_SOURCE[0]}" = "$0" ]; then
	# tests/run.sh runs every tests/e2e/*.sh but lib*.sh: not this one
	echo "SKIP: gdblib.sh is the gdb tests' helper library, not a test"
	exit 77
fi

. tests/e2e/lib.sh

GDB=${GDB:-gdb}
LLDB=${LLDB:-lldb}
GDB_TIMEOUT=${GDB_TIMEOUT:-40}
DBG64_DIR=${DBG64_DIR:-$B/e2e-guests}
DBG64=$DBG64_DIR/dbg64.elf
GDB_ADDR=
GDB_LOGS=

# The captured output of the last runs, for failure reports (replaces lib.sh's).
show_output() {
	local f
	for f in cmd out err debugcon $GDB_LOGS; do
		[ -s "$WORK/$f" ] || continue
		echo "----- $f (last 80 lines) -----"
		tail -n 80 "$WORK/$f" | tr -d '\r'
	done
	echo "-----"
}

# fail REASON: the verdict, the captured output, and the verdict again last
# (tests/run.sh shows only the end of a failing test's output).
fail() {
	echo "FAIL $TEST_NAME: $*"
	[ -n "$WORK" ] && show_output
	echo "FAIL $TEST_NAME: $*"
	exit 1
}

# skip NOTE: exit 77 with a loud line.
skip() {
	echo "**************************************************************"
	echo "SKIP: $* — $TEST_NAME NOT RUN"
	echo "**************************************************************"
	exit 77
}

# Every tool the tests use comes from a package scripts/install-deps.sh
# installs (make test runs it): one that is missing is a failure, not a skip.
need_tool() {
	local t
	for t in "$@"; do
		command -v "$t" >/dev/null 2>&1 ||
			fail "$t is not installed (scripts/install-deps.sh installs it; make test runs it)"
	done
}

# The tests' own guest, built against the project guests' runtime.
build_dbg64() {
	require_files "$GUESTS/libguest64.a" "$GUESTS/lib64/entry_elf64.o"
	make -s -C tests/e2e/guests O="$(realpath -m "$DBG64_DIR")" \
		GUESTS="$(realpath "$GUESTS")" >"$WORK/make.log" 2>&1 ||
		{ GDB_LOGS="$GDB_LOGS make.log"; fail "cannot build $DBG64"; }
	[ -f "$DBG64" ] || fail "$DBG64 was not built"
}

# start_debug HYVE-ARGS...: start hyve in the background, wait until its
# debug server listens; $GDB_ADDR is then "127.0.0.1:PORT" or the socket path.
start_debug() {
	# not the previous run's lines: the background shell truncates them late
	: >"$WORK/out"
	: >"$WORK/err"
	start_hyve_bg "$@"
	wait_for_line "$WORK/err" 'debug server listening on ' 15
	GDB_ADDR=$(tr -d '\r' <"$WORK/err" | sed -n 's/.*debug server listening on \([^ ]*\).*/\1/p' | head -n 1)
	[ -n "$GDB_ADDR" ] || fail "cannot read the debug server's address from hyve's stderr"
}

# gdb_try NAME SCRIPT [ELF|-] [GDB-ARGS...]: gdb in batch mode, connected,
# then SCRIPT.  GDB-ARGS (e.g. -ex 'set $x = 1') come after the connection.
# $GDB_RC is gdb's exit status (124: it timed out, left to the caller).
gdb_try() {
	local name=$1 script=$2 elf=${3:--}
	local pre=(-ex 'set pagination off' -ex 'set confirm off' -ex 'set width 0'
		-ex 'set height 0')
	shift 2
	[ $# -gt 0 ] && shift
	[ "$elf" != - ] && pre+=(-ex "file $elf")
	GDB_LOGS="$GDB_LOGS $name.out"
	echo "+ $GDB -batch -nx ${pre[*]} -ex 'target remote $GDB_ADDR' $* -x $script" \
		>"$WORK/$name.out"
	timeout -k 5 "$GDB_TIMEOUT" "$GDB" -batch -nx "${pre[@]}" \
		-ex "target remote $GDB_ADDR" "$@" -x "$script" \
		</dev/null >>"$WORK/$name.out" 2>&1
	GDB_RC=$?
}

# gdb_run NAME SCRIPT [ELF|-] [GDB-ARGS...]: gdb_try, failing the test if
# gdb timed out.
gdb_run() {
	gdb_try "$@"
	[ "$GDB_RC" != 124 ] || fail "gdb ($1) timed out after ${GDB_TIMEOUT}s"
}

# lldb_run NAME ARGS...: lldb --batch ARGS.  $LLDB_RC is its exit status.
lldb_run() {
	local name=$1
	shift
	GDB_LOGS="$GDB_LOGS $name.out"
	echo "+ $LLDB --batch $*" >"$WORK/$name.out"
	timeout -k 5 "$GDB_TIMEOUT" "$LLDB" --batch "$@" </dev/null >>"$WORK/$name.out" 2>&1
	LLDB_RC=$?
	[ "$LLDB_RC" != 124 ] || fail "lldb ($name) timed out after ${GDB_TIMEOUT}s"
}

val() {
	tr -d '\r' <"$WORK/$1.out" | sed -n "s/^$2=//p" | tail -n 1
}

# same A B: equal as numbers when both look like numbers, else as strings.
same() {
	local num='^(0x[0-9a-fA-F]+|[0-9]+)$'
	if [[ $1 =~ $num && $2 =~ $num ]]; then
		[ $(($1)) = $(($2)) ]
	else
		[ "$1" = "$2" ]
	fi
}

expect_val() {
	local got
	got=$(val "$1" "$2")
	[ -n "$got" ] || fail "$1: gdb printed no '$2=' line (a command before it failed?)"
	same "$got" "$3" || fail "$1: $2 is $got, want $3${4:+ ($4)}"
	echo "ok: $1: $2 = $got"
}

expect_out() {
	has_line "$WORK/$1.out" "$2" || fail "$1: no line matching '$2'${3:+ ($3)}"
	echo "ok: $1: ${3:-$2}"
}

expect_no_out() {
	! has_line "$WORK/$1.out" "$2" || fail "$1: unexpected line matching '$2'${3:+ ($3)}"
}

sym() {
	local a
	a=$(nm "$1" | awk -v s="$2" '$3 == s { print $1; exit }')
	[ -n "$a" ] || { echo "no symbol $2 in $1" >&2; return 1; }
	echo "0x$a"
}

# elf_bytes ELF ADDR N [phys]: the bytes the ELF file's loadable segments put
# at virtual (or physical) address ADDR (an independent source to compare
# memory reads with).
elf_bytes() {
	python3 - "$1" "$2" "$3" "${4:-virt}" <<'EOF'
import struct, sys
path, addr, n = sys.argv[1], int(sys.argv[2], 0), int(sys.argv[3], 0)
phys = sys.argv[4] == 'phys'

d = open(path, 'rb').read()
is64 = d[4] == 2
if is64:
    phoff, = struct.unpack_from('<Q', d, 0x20)
    phentsize, phnum = struct.unpack_from('<HH', d, 0x36)
else:
    phoff, = struct.unpack_from('<I', d, 0x1c)
    phentsize, phnum = struct.unpack_from('<HH', d, 0x2a)
for i in range(phnum):
    o = phoff + i * phentsize
    if is64:
        typ, _, off, vaddr, paddr, filesz, _, _ = struct.unpack_from('<IIQQQQQQ', d, o)
    else:
        typ, off, vaddr, paddr, filesz, _, _, _ = struct.unpack_from('<IIIIIIII', d, o)
    if phys:
        vaddr = paddr
    if typ == 1 and vaddr <= addr and addr + n <= vaddr + filesz:
        s = off + addr - vaddr
        print(' '.join('0x%02x' % b for b in d[s:s + n]))
        sys.exit(0)
sys.exit('address 0x%x (+%d) is in no loadable segment of %s' % (addr, n, path))
EOF
}

# elf_string_va ELF STRING: the virtual address of the first STRING in a loadable
# segment of ELF (a kernel linked where it runs: nokaslr), or nothing.
elf_string_va() {
	python3 - "$1" "$2" <<'EOF'
import struct, sys
d = open(sys.argv[1], 'rb').read()
off = d.find(sys.argv[2].encode())
phoff, = struct.unpack_from('<Q', d, 0x20)
phentsize, phnum = struct.unpack_from('<HH', d, 0x36)
for i in range(phnum):
    typ, flags, o, va, pa, fsz = struct.unpack_from('<IIQQQQ', d, phoff + i * phentsize)
    if off >= 0 and typ == 1 and o <= off < o + fsz:
        print(hex(va + off - o)); break
EOF
}

# gdb_bytes NAME: the bytes of the x/Nxb output lines of NAME.out that follow
# a "KEY-begin" line up to "KEY-end", as "0xNN 0xNN ...".
gdb_bytes() {
	tr -d '\r' <"$WORK/$1.out" | sed -n "/^$2-begin\$/,/^$2-end\$/p" |
		grep -E '^0x[0-9a-f]+' | sed 's/^[^:]*://' | tr -s ' \t' '\n' |
		grep -E '^0x' | tr '\n' ' ' | sed 's/ $//'
}

# elf_entry ELF: e_entry as 0x...
elf_entry() {
	readelf -h "$1" | awk '/Entry point address:/ { print $4 }'
}

# wait_out REGEX SECONDS: wait until hyve's stdout (the guest's COM1) has a line.
wait_out() {
	wait_for_line "$WORK/out" "$1" "$2"
}

# loop_next ELF START-SYM END-SYM ADDR: the address of the instruction that
# follows ADDR in the loop [START-SYM, END-SYM) whose last instruction jumps
# back to START-SYM (taken) -- from objdump's disassembly of the file.
loop_next() {
	local s e
	s=$(sym "$1" "$2") && e=$(sym "$1" "$3") || return 1
	objdump -d --start-address="$s" --stop-address="$e" "$1" |
		awk -v want="$4" -v start="$s" '
		/^ *[0-9a-f]+:\t/ { a = "0x" $1; sub(/:$/, "", a); addrs[n++] = a }
		END {
			w = tolower(want); sub(/^0x0*/, "", w)
			for (i = 0; i < n; i++) {
				x = addrs[i]; sub(/^0x0*/, "", x)
				if (x == w) { print (i + 1 < n ? addrs[i + 1] : start); exit }
			}
			exit 1
		}' || { echo "$4 is not an instruction of $2..$3 in $1" >&2; return 1; }
}

# insn_after ELF ADDR N [OBJDUMP-OPTION...]: the address N instructions
# after ADDR in straight-line code (objdump's disassembly of the file; e.g.
# -mi8086 for 16-bit code).
insn_after() {
	objdump -d "${@:4}" --start-address="$2" "$1" |
		awk -v n="$3" '/^ *[0-9a-f]+:\t/ { if (i++ == n) { a = $1; sub(/:$/, "", a); print "0x" a; exit } }' |
		grep . || { echo "cannot disassemble $1 at $2" >&2; return 1; }
}

# section_addr ELF NAME: a section's address (0x...), from readelf -S.
section_addr() {
	readelf -SW "$1" | sed -n "s/.*\] $2 *[A-Z_]* *\([0-9a-f]*\) .*/0x\1/p" | head -n 1 | grep . ||
		{ echo "no section $2 in $1" >&2; return 1; }
}

# lldb_block NAME N: what lldb printed for the N-th command (1-based) of an
# lldb --batch run: the lines after its N-th "(lldb) " echo, up to the next.
lldb_block() {
	tr -d '\r' <"$WORK/$1.out" |
		awk -v n="$2" '/^\(lldb\) / { i++; next } i == n { print }'
}

# lldb_reg NAME N REG: a register's value in the output of command N.
lldb_reg() {
	lldb_block "$1" "$2" | sed -n "s/^ *$3 = \(0x[0-9a-f]*\).*/\1/p" | head -n 1
}
