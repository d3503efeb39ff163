# mode=step held at the entry; $l_next is the line of `y = x + 19;` in
# step_main (straight-line code), followed by `y = step_add(y, x);`.
# $brk: breakpoints fire on this host.
define line
  python print("$arg0_line=%d" % gdb.selected_frame().find_sal().line)
  python print("$arg0_func=%s" % gdb.selected_frame().name())
end
# to the line: a breakpoint there where one fires ($brk), else a watchpoint
# on the checkpoint just before it and single steps back out of it
if $brk
  eval "break bpg_src.c:%d", $l_next
  continue
else
  watch bpg_cp
  continue
  delete
  python [gdb.execute("stepi", to_string=True) for _ in iter(lambda: gdb.selected_frame().name() != "step_main", False)]
end
line s0
delete
set debug remote 1
echo next-begin\n
next
echo next-end\n
set debug remote 0
line n
# step into a call and finish both end by a breakpoint gdb sets (past the
# callee's prologue, at the return address)
if $brk
  step
  line s
  printf "s_a=%d\n", a
  printf "s_b=%d\n", b
  finish
  printf "finish_value=%d\n", $
  line f
  next
  line n2
  printf "n2_result=%d\n", step_result
end
detach
