#!/bin/bash
# gdb_step_hlt.sh -- single steps in the idle loop `sti; hlt` end, and the
# guest goes on (arch/x86/step.c): the demo on one vCPU, attached in its
# idle loop; a stepi of the sti with IF=0 (which used to never end, the
# demo then halted with IF=0 for good) ends at the hlt with IF=1; a stepi
# of the hlt ends after it or in the timer's handler; range steps (vCont;r,
# as `next` sends, repeated while in the range) over mov, sti and hlt end
# there too.  After the detach the heartbeat goes on.
set -u
cd "$(dirname "$0")/../.." || exit 1
. tests/e2e/gdblib.sh
e2e_init gdb_step_hlt
skip_if_no_kvm
need_tool gdb objdump
elf=$GUESTS/demo64.elf
require_files "$HYVE" "$GUESTS/demo.elf" "$elf"

# the last `sti; hlt` of guest_main: the idle loop's
sti=$(objdump -d --no-show-raw-insn "$elf" | awk '/<guest_main>:/ { g = 1 } g && /^$/ { g = 0 } g' |
	awk '/\tsti/ { a = $1 } /\thlt/ && a { s = a } !/\tsti/ { a = "" } END { sub(/:$/, "", s); print "0x" s }')
[ "$sti" != 0x ] || fail "no sti; hlt in guest_main of $elf"

start_debug -c 1 -m 64M --kernel "$GUESTS/demo.elf" -G 0
wait_out '^heartbeat 1$' 60
gdb_try s tests/e2e/gdb/step_hlt.gdb "$elf" -ex "set \$sti = $sti"
if [ "$GDB_RC" = 124 ]; then
	last=$(tr -d '\r' <"$WORK/s.out" | grep -E '^s[0-9]_done=' | tail -n 1)
	fail "a step never ended (last finished: ${last:-none}; s1 = stepi of sti; hlt, s2 = of hlt, s3 = range step)"
fi
expect_val s s1_done 1 "stepi of sti (IF=0) ended"
expect_val s s1_at_hlt 1 "stepi of sti ended at the hlt (pc $(val s s1_pc))"
expect_val s s1_if 1 "the sti set IF"
for k in s2 s3; do
	expect_val s ${k}_done 1 "the step ended"
	expect_val s ${k}_past 1 "$k ended past the hlt or in the timer's handler (pc $(val s ${k}_pc))"
done
expect_out s '^\[Inferior 1 \(Remote target\) detached\]$'
beats=$(tr -d '\r' <"$WORK/out" | grep -c '^heartbeat ')
wait_out "^heartbeat $((beats + 1))\$" 30
echo "ok: the demo goes on after the detach (heartbeat $((beats + 1)))"
pass
