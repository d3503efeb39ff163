#!/bin/bash
# layout.sh -- the source tree keeps its layout (tests/layout/check.py): no x86
# outside src/arch/, the architecture reached only through arch/arch.h, no
# -Isrc/..., no file over 800 lines, no include cycle, arch headers self-
# contained.  Then the checker is shown to catch each kind of violation in a
# copy of the tree.  Needs no KVM.
set -u
cd "$(dirname "$0")/../.." || exit 1
. tests/e2e/lib.sh
e2e_init layout
command -v python3 >/dev/null || fail "python3 is missing (scripts/install-deps.sh installs it)"

out=$(python3 tests/layout/check.py .) || { echo "$out"; fail "the tree breaks its layout rules"; }
echo "ok: $(echo "$out" | tail -n 1)"

# a copy in which each violation is planted in turn
mutate() {	# WHAT EXPECTED-REGEX COMMAND...
	local what=$1 want=$2
	shift 2
	rm -rf "$WORK/t"
	mkdir -p "$WORK/t"
	cp -r src mk Makefile "$WORK/t/"
	(cd "$WORK/t" && eval "$@") || fail "cannot plant: $what"
	local got
	got=$(python3 tests/layout/check.py "$WORK/t")
	[ $? -ne 0 ] || fail "the checker passed a tree with $what"
	echo "$got" | grep -qE -- "$want" || fail "the checker did not name $what (wanted /$want/, got: $got)"
	echo "ok: the checker catches $what"
}
mutate "a register field in the core" 'src/core/vm.c:[0-9]+: an x86 register' \
	"printf 'static unsigned long f(struct vcpu_state *s) { return s->regs.rip; }\n' >> src/core/vm.c"
mutate "an MSR number in the debug target" 'src/debug/state.c:[0-9]+: an MSR number' \
	"printf 'static const unsigned m = 0xc0000102;\n' >> src/debug/state.c"
mutate "the breakpoint byte in gdb/" 'src/gdb/rsp.c:[0-9]+: the int3 byte' \
	"printf 'static const int b = 0xcc;\n' >> src/gdb/rsp.c"
mutate "an x86 ioctl in a device" 'src/dev/rtc.c:[0-9]+: an x86 KVM ioctl' \
	"printf 'static const unsigned long i = KVM_GET_SREGS;\n' >> src/dev/rtc.c"
mutate "an arch header included directly" 'src/core/vm.c: includes arch/x86/regs.h' \
	"sed -i '0,/#include \"core\\/vm.h\"/s//#include \"core\\/vm.h\"\\n#include \"arch\\/x86\\/regs.h\"/' src/core/vm.c"
mutate "-Isrc/arch in the Makefile" 'Makefile:[0-9]+: an include path below src/' \
	"sed -i 's|-Isrc |-Isrc -Isrc/arch/x86 |' Makefile"
mutate "a file over 800 lines" 'src/core/io.c: [0-9]+ lines' \
	"for i in \$(seq 700); do echo '/* pad */' >> src/core/io.c; done"
mutate "an include cycle" 'include cycle: ' \
	"sed -i '0,/#include <stdint.h>/s//#include <stdint.h>\\n#include \"core\\/vm.h\"/' src/core/gmem.h"
mutate "an arch header including the core" 'an arch header includes core/gmem.h' \
	"sed -i '0,/#include <stdint.h>/s//#include <stdint.h>\\n#include \"core\\/gmem.h\"/' src/arch/x86/regs.h"
# comments and strings may say what code may not
rm -rf "$WORK/t"; mkdir -p "$WORK/t"; cp -r src mk Makefile "$WORK/t/"
printf '/* s->regs.rip, 0xcc and KVM_GET_SREGS in a comment */\nstatic const char *layout_c = "0xcc ->rip";\n' >> "$WORK/t/src/core/vm.c"
python3 tests/layout/check.py "$WORK/t" >/dev/null || fail "the checker refused x86 words in a comment and a string"
echo "ok: comments and strings are not code"
pass
