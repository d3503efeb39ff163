# hyve's tiny kernel on 2 vCPUs, held at its first instruction (-G w):
# conditions and dprintf that hyve evaluates itself, on the function every
# initcall goes through (do_one_initcall(fn), fn in %rdi at its entry), and
# a watchpoint condition gdb evaluates.  The initcall table (PREL32 entries
# from __initcall_start) says exactly which hits come when.
#   t  break do_one_initcall if fn == param_sysfs_init    (target-side)
#   d  dprintf do_one_initcall,"ic %lx\n",fn (agent) up to an hbreak on
#      kswapd_init
#   h  hbreak do_one_initcall if fn == reboot_ksysfs_init (target-side)
#   w  watch jiffies if jiffies >= $j0 + 3                (gdb evaluates)
set $tab = (int *) &__initcall_start
set $tend = (int *) &__initcall_end
set $e = $tab
while $e < $tend && (long) $e + *$e != (long) &param_sysfs_init
	set $e = $e + 1
end
printf "idx_param=%d\n", $e - $tab
set $e = $tab
while $e < $tend && (long) $e + *$e != (long) &kswapd_init
	set $e = $e + 1
end
printf "idx_kswapd=%d\n", $e - $tab
set $e = $tab
while $e < $tend && (long) $e + *$e != (long) &reboot_ksysfs_init
	set $e = $e + 1
end
printf "idx_reboot=%d\n", $e - $tab
printf "n_tab=%d\n", $tend - $tab

break do_one_initcall if fn == param_sysfs_init
echo t-begin\n
continue
echo t-end\n
printf "t_at=%d\n", $pc == (long) &do_one_initcall
printf "t_fn=%d\n", (long) fn == (long) &param_sysfs_init
echo t-conds-begin\n
monitor conds
echo t-conds-end\n
delete

set dprintf-style agent
dprintf do_one_initcall,"ic %lx\n",fn
hbreak kswapd_init
echo d-begin\n
continue
echo d-end\n
printf "d_at=%d\n", $pc == (long) &kswapd_init
echo d-conds-begin\n
monitor conds
echo d-conds-end\n
delete
# the table's functions the dprintf should have printed, in order
echo tab-begin\n
set $i = 0
while $i < $tend - $tab
	set $e = $tab + $i
	printf "tab %d %lx\n", $i, (long) $e + *$e
	set $i = $i + 1
end
echo tab-end\n

hbreak do_one_initcall if fn == reboot_ksysfs_init
echo h-begin\n
continue
echo h-end\n
printf "h_at=%d\n", $pc == (long) &do_one_initcall
printf "h_fn=%d\n", (long) fn == (long) &reboot_ksysfs_init
echo h-conds-begin\n
monitor conds
echo h-conds-end\n
delete

set $j0 = jiffies
watch jiffies if jiffies >= $j0 + 3
echo w-begin\n
continue
echo w-end\n
printf "w_d=%ld\n", (long) (jiffies - $j0)
delete
detach
