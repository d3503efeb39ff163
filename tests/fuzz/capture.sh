#!/bin/bash
# capture.sh -- (re)record the fuzz seed corpus: real gdb and lldb sessions
# against hyve, through the logging proxy capture.py, what the debugger sent
# stored byte for byte as tests/fuzz/corpus/{session,rsp}/<name>.bin.
#
#   tests/fuzz/capture.sh          (after make, make -C guests)
#
# The sessions are the end-to-end tests' own gdb scripts (tests/e2e/gdb/) on
# the guests they were written for, plus an lldb session: registers, memory,
# breakpoints, watchpoints, stepping, threads, interrupt, detach, exit.
set -u
cd "$(dirname "$0")/../.." || exit 1
. tests/e2e/gdblib.sh
e2e_init capture
skip_if_no_kvm
need_tool gdb lldb python3
require_files "$HYVE"
build_dbg64
OUT=tests/fuzz/corpus
mkdir -p "$OUT/session" "$OUT/rsp"
PROXY_PID=

proxy_start() {	# NAME: proxy to $GDB_ADDR, GDB_ADDR becomes the proxy's
	python3 tests/fuzz/capture.py "$GDB_ADDR" "$WORK/$1" >"$WORK/$1.proxy" 2>&1 &
	PROXY_PID=$!
	for _ in $(seq 50); do
		grep -q 'listening on' "$WORK/$1.proxy" && break
		sleep 0.1
	done
	GDB_ADDR=$(sed -n 's/.*listening on //p' "$WORK/$1.proxy")
	[ -n "$GDB_ADDR" ] || fail "capture proxy did not start"
}

proxy_stop() {	# NAME: keep every connection's bytes
	local f i=0
	sleep 0.5
	kill "$PROXY_PID" 2>/dev/null
	wait "$PROXY_PID" 2>/dev/null
	for f in "$WORK/$1"-*.bin; do
		[ -s "$f" ] || continue
		i=$((i + 1))
		cp "$f" "$OUT/session/$1-$i.bin"
		cp "$f" "$OUT/rsp/$1-$i.bin"
		echo "captured $1-$i.bin ($(stat -c %s "$f") bytes)"
	done
	stop_bg
}

gdb_case() {	# NAME SCRIPT ELF|- HYVE-ARGS...
	local name=$1 script=$2 elf=$3
	shift 3
	start_debug "$@"
	sleep 1
	proxy_start "$name"
	gdb_run "$name" "$script" "$elf"
	proxy_stop "$name"
}

L64=$GUESTS/long64.elf
gdb_case gdb-registers tests/e2e/gdb/registers.gdb "$DBG64" -m 64M --kernel "$DBG64" -G 0
gdb_case gdb-memory tests/e2e/gdb/memory.gdb "$DBG64" -m 64M --kernel "$DBG64" -G 0
gdb_case gdb-stepi tests/e2e/gdb/stepi.gdb "$DBG64" -c 2 -m 64M --kernel "$DBG64" -G 0
gdb_case gdb-threads tests/e2e/gdb/threads.gdb - -c 3 -m 64M --kernel "$DBG64" -G w0
gdb_case gdb-breakpoints tests/e2e/gdb/breakpoints.gdb "$L64" -m 64M --kernel "$L64" -G w0
gdb_case gdb-bp-smp tests/e2e/gdb/breakpoints_smp.gdb "$DBG64" -c 2 -m 64M --kernel "$DBG64" -G 0
gdb_case gdb-interrupt tests/e2e/gdb/interrupt.gdb "$DBG64" -c 2 -m 64M --kernel "$DBG64" -G w0
gdb_case gdb-detach tests/e2e/gdb/detach_steps.gdb "$L64" -m 64M --kernel "$L64" -G w0
gdb_case gdb-exit tests/e2e/gdb/exit.gdb "$DBG64" -m 64M --kernel "$DBG64" -G w0

# lldb: connect, threads, registers, memory, step on two vCPUs, detach
start_debug -c 2 -m 64M --kernel "$DBG64" -G 0
sleep 1
proxy_start lldb-session
magic=$(sym "$DBG64" magic)
lldb_run lldb-session -o "target create $DBG64" -o "gdb-remote $GDB_ADDR" \
	-o "thread list" -o "register read rip rbx cr3 xmm0" \
	-o "memory read --size 8 --format x --count 1 $magic" -o "si" \
	-o "thread select 2" -o "si" -o "breakpoint set --name spin_loop" \
	-o "watchpoint set expression -w write -s 4 -- (long)&release" \
	-o "process detach"
proxy_stop lldb-session
pass
