# mode=cond held at its entry: `watch cw.var if cw.var == 300`.  gdb 13
# evaluates a watchpoint's condition on its side (its Z2 carries none):
# every write of cw.var is reported, gdb reads it and resumes until it is
# 300; hyve's `monitor conds` shows it evaluated nothing itself.
watch cw.var if cw.var == 300
continue
printf "w_var=%d\n", cw.var
printf "w_calls=%d\n", cond_calls
echo conds-begin\n
monitor conds
echo conds-end\n
info breakpoints
delete
detach
