/*
 * bpg.h -- the breakpoint test guest's parts (bpg.c: boot, modes and
 * helpers; bpg_watch.c: mode=watch; bpg_lock.c: mode=lock; bpg_src.c: mode=step and mode=smp,
 * built without optimisation; bpg_asm.S: code whose bytes and addresses
 * the tests need exactly).
 */
#ifndef BPG_H
#define BPG_H

#include <stdint.h>

#define NOINLINE __attribute__((noinline, noipa))

/* bpg.c */
extern volatile uint64_t bp_count;	/* #BP exceptions the guest's own handler saw */
extern volatile uint64_t bp_last_rip;	/* the RIP the last #BP pushed */
void bp_counter_install(void);
NOINLINE void bpg_checkpoint(int n);	/* a place for `break`: sets bpg_cp = n */
extern volatile int bpg_cp;

/* bpg_watch.c */
int watch_main(void);
extern uint64_t nbuf[512];

/* bpg_cond.c */
int cond_main(void);
__attribute__((noreturn)) void cond_ap(void);

/* bpg_lock.c */
void lock_setup(const char *cmdline);
void lock_work(void);
int lock_main(int ncpus);

/* bpg_snap.c */
int snap_main(void);

/* bpg_src.c */
int step_main(void);
int smp_bsp_main(void);
void smp_ap_main(int index);

/* bpg_asm.S */
uint64_t alias_fn(uint64_t x);		/* 3x + 1, runs under any alias */
uint64_t alias_fn2(uint64_t x);		/* x + 7 */
void guest_int3(void);			/* executes int3 at int3_site */
extern char int3_site[], int3_after[];
uint64_t wpage_fn(uint64_t x);		/* x + 0x100: code in the same page as wpage_var */
extern volatile uint64_t wpage_var;
extern char wpage[];
uint64_t straddle_fn(uint64_t x);	/* x + 0x12345678: its mov spans the end of its page */
uint64_t straddle_next(uint64_t x);	/* x + 1, in the page after straddle_fn's */
extern volatile uint64_t straddle_var;	/* 0x5ad, in that page too */
extern char straddle_page[];
__attribute__((noreturn)) void do_triple(void);
__attribute__((noreturn)) void do_reset(void);
__attribute__((noreturn)) void do_poweroff(void);
__attribute__((noreturn)) void do_panic(void);
extern char triple_at[], reset_after[], poweroff_after[];

#endif
