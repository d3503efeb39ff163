/*
 * beat64 -- the fault-injection test's guest (tests/fault/fault.py): a fast
 * heartbeat.  It prints "BEAT <n>" on COM1 several times a second, forever,
 * so the test can tell within a fraction of a second whether the guest
 * still runs after each injected fault.
 *
 * Between beats it calls beat_hot() many times (a breakpoint there is hit at
 * once) and writes `counter` (a write watchpoint there fires at once); the
 * test hashes the code section with the debugger detached to prove no
 * breakpoint byte stays behind.
 */
#include "boot.h"
#include "console.h"
#include "report.h"

/* Loop iterations between beats: about 0.05-0.1 s at ~1M emulated insns/s. */
#define LAPS	5000

volatile uint64_t counter;
volatile uint64_t beats;

__attribute__((noinline)) void beat_hot(uint64_t i);

__attribute__((noinline)) void beat_hot(uint64_t i)
{
	counter += i;
}

int guest_main(const struct boot_info *bi)
{
	report_init("beat64");
	gprintf("BEAT64 READY\n");
	for (;;) {
		for (uint64_t i = 0; i < LAPS; i++)
			beat_hot(i);
		gprintf("BEAT %lu\n", (unsigned long)++beats);
	}
}
