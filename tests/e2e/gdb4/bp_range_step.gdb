# mode=step held at the entry; $l_next is the line of `y = x + 19;` in
# step_main (straight-line code), followed by `y = step_add(y, x);`.
define line
  python print("$arg0_line=%d" % gdb.selected_frame().find_sal().line)
  python print("$arg0_func=%s" % gdb.selected_frame().name())
end
eval "break bpg_src.c:%d", $l_next
continue
line s0
delete
set debug remote 1
echo next-begin\n
next
echo next-end\n
set debug remote 0
line n
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
detach
