# The Debian kernel held at its PVH entry, gdb on the DWARF vmlinux.  Each
# step prints its wall-clock time (t_NAME=seconds since the epoch).
define now
  python import time; print("t_$arg0=%.1f" % time.time())
end
now attached
hbreak start_kernel
continue
now start_kernel
echo bt1-begin\n
bt
echo bt1-end\n
info line *$pc
p init_task.comm
printf "comm=%s\n", init_task.comm
printf "sk_pc_is_start_kernel=%d\n", $pc == (long) &start_kernel
break setup_arch
continue
now setup_arch
printf "sa_pc_is_setup_arch=%d\n", $pc >= (long) &setup_arch && $pc < (long) &setup_arch + 64
echo bt2-begin\n
bt 3
echo bt2-end\n
printf "max_pfn_before=%lu\n", max_pfn
watch max_pfn
continue
now max_pfn
printf "max_pfn_after=%lu\n", max_pfn
python print("wp_func=%s" % gdb.selected_frame().name())
python print("wp_file=%s" % gdb.selected_frame().find_sal().symtab.filename)
delete
detach
now detached
