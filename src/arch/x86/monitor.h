/*
 * monitor.h (x86) -- the x86 monitor commands, one file per subject, listed
 * together in monitor.c's table:
 *   monitor.c       the table; info mem (QEMU's), info mappings, cr3
 *   monitor_regs.c  info registers (QEMU's), info state (hyve's), info events
 *   monitor_desc.c  info idt, info gdt, xlate
 *   monitor_apic.c  info lapic, info ioapic (QEMU's formats); KVM's own devices
 */
#ifndef HYVE_X86_MONITOR_H
#define HYVE_X86_MONITOR_H

struct dtarget;
struct rsp_buf;

int x86_mon_info_registers(struct dtarget *t, const char *args, struct rsp_buf *o);
int x86_mon_info_state(struct dtarget *t, const char *args, struct rsp_buf *o);
int x86_mon_info_events(struct dtarget *t, const char *args, struct rsp_buf *o);
int x86_mon_info_idt(struct dtarget *t, const char *args, struct rsp_buf *o);
int x86_mon_info_gdt(struct dtarget *t, const char *args, struct rsp_buf *o);
int x86_mon_xlate(struct dtarget *t, const char *args, struct rsp_buf *o);
int x86_mon_info_lapic(struct dtarget *t, const char *args, struct rsp_buf *o);
int x86_mon_info_ioapic(struct dtarget *t, const char *args, struct rsp_buf *o);
int x86_mon_info_pic(struct dtarget *t, const char *args, struct rsp_buf *o);

#endif
