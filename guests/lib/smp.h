/*
 * smp.h -- start the application processors (INIT + SIPI + SIPI) through a
 * real-mode trampoline and run a C function on each, on its own stack.
 */
#ifndef GUEST_SMP_H
#define GUEST_SMP_H

/*
 * Where the trampoline is copied: page aligned, below 1 MiB, and clear of
 * hyve's boot structures (0x7000..0x10000 and 0x20000..0x30000) and of the
 * image at 1 MiB.
 */
#define TRAMPOLINE_PA	0x11000
#define SMP_MAX_CPUS	64	/* hyve's limit too */
#define AP_STACK_SIZE	8192

#ifndef __ASSEMBLER__
#include <stdint.h>

/* Runs on each started AP with a unique index 1..n-1 (0 is the boot CPU). */
typedef void (*ap_main_fn)(int index);

/*
 * Start every CPU of ids[0..n-1] except this one, each running fn.  Returns
 * the number of CPUs an INIT/SIPI sequence was sent to, or -1 if an IPI was
 * never delivered or n is larger than SMP_MAX_CPUS.  Does not wait for them.
 */
int smp_start_aps(const uint32_t *ids, int n, ap_main_fn fn);

/* Called by the trampoline. */
__attribute__((noreturn)) void smp_ap_entry(int ticket);
#endif

#endif
