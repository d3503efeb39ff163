/*
 * bpg_cond.c -- mode=cond: the guest of the condition and dprintf tests
 * (tests/e2e/cond_*.sh).  vCPU 0 counts n = 1 .. COND_N and for each n
 *   cw.var = n            a write to a page of its own (the watchpoint)
 *   cond_target(n)        C (-O2): `break cond_target if n == ...`; its first
 *                         instruction is push %rbp (hyve executes it itself)
 *   cond_slow(n)          its first instruction is one hyve does not execute
 *                         itself (lea): going on past it needs a step
 *   cond_mark(n)          a stop after a dprintf run
 * then prints "COND DONE n calls slow marks" and exits 0 if every function
 * ran COND_N times.  Application processors (-c N) count in cond_ap_spins
 * meanwhile, so a stop of the world shows as the machine stopping.
 */
#include "console.h"
#include "report.h"

#include "bpg.h"

#define COND_N	8192

/* Each in a page of its own, so that watching cw.var traps nothing else. */
struct cond_page {
	volatile uint64_t var;
	uint64_t pad[511];
} __attribute__((aligned(4096)));
struct cond_page cw __attribute__((section(".data.cw")));

volatile uint64_t cond_calls, cond_slow_calls, cond_marks;
volatile uint64_t cond_ap_spins;

NOINLINE void cond_target(uint64_t n)
{
	bpg_checkpoint((int)n);		/* not a leaf: it gets a frame, push %rbp first */
	cond_calls++;
}

NOINLINE void cond_mark(uint64_t n)
{
	__asm__ volatile("" : : "r"(n) : "memory");
	cond_marks++;
}

/* cond_slow(n): lea first -- not one of the instructions hyve runs itself. */
void cond_slow(uint64_t n);
__asm__(".text\n"
	".globl cond_slow\n"
	".type cond_slow, @function\n"
	".balign 16\n"
	"cond_slow:\n"
	"	lea 1(%rdi), %rax\n"
	"	incq cond_slow_calls(%rip)\n"
	"	ret\n"
	".size cond_slow, . - cond_slow\n");

NOINLINE void cond_end(void)
{
	__asm__ volatile("" : : : "memory");
}

void cond_ap(void)
{
	for (;;)
		__atomic_fetch_add(&cond_ap_spins, 1, __ATOMIC_RELAXED);
}

int cond_main(void)
{
	uint64_t n;

	for (n = 1; n <= COND_N; n++) {
		cw.var = n;
		cond_target(n);
		cond_slow(n);
		cond_mark(n);
	}
	cond_end();
	gprintf("COND DONE %lu %lu %lu %lu\n", (unsigned long)(n - 1),
		(unsigned long)cond_calls, (unsigned long)cond_slow_calls,
		(unsigned long)cond_marks);
	CHECK(0x40, cond_calls == COND_N && cond_slow_calls == COND_N && cond_marks == COND_N,
	      "calls %lu slow %lu marks %lu, want %d each", (unsigned long)cond_calls,
	      (unsigned long)cond_slow_calls, (unsigned long)cond_marks, COND_N);
	return 0;
}
