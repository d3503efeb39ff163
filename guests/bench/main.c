/*
 * bench -- the project's benchmark guest for the GDB stub: a multiboot v1
 * ELF32 (boots under hyve and under `qemu-system-x86_64 -enable-kvm -kernel`)
 * that prints where its symbols are, "BENCH-READY", and then calls the
 * non-inlined bench_hot(i) forever (and bench_tick(i) every so often).  bench64.elf is the same image with
 * symbols, for gdb.
 *
 * Everything the guest writes (data, bss, stack, IDT, GDT) lies below
 * _text, so bulk reads from _text upward return the same bytes every time.
 * Interrupts stay off; the steady state makes no VM exits.
 */
#include "boot.h"
#include "console.h"
#include "io.h"
#include "report.h"

#define BENCH_SLOTS	64

volatile unsigned long bench_counter;
unsigned long bench_array[BENCH_SLOTS];
void bench_hot(unsigned long i);

/*
 * bench_tick(i) runs once every bench_tick_mask + 1 calls of bench_hot (a
 * power of two; a client sets the mask with `M` so that it runs about 1000
 * times a second: a place for a dprintf at a chosen rate).  bench_ticks sits
 * in a page of its own, so that a watchpoint on it traps nothing else.
 */
volatile unsigned long bench_tick_mask = ~0UL;
struct { volatile unsigned long n; unsigned long pad[511]; } bench_ticks
	__attribute__((aligned(4096), section(".data.bench_ticks")));
void bench_tick(unsigned long i);

/*
 * noipa: the symbol is exactly the code that runs (breakpoint target).  Each
 * of the two in a page of its own, away from the loop that calls them: where
 * breakpoints are trapped pages (hyve --probe: breakpoints: page-trap) a hit
 * then costs the function's own instructions, not every one of the loop's.
 */
#define BENCH_FN(name) __attribute__((noipa, aligned(4096), section(".text.page." #name)))

BENCH_FN(bench_hot) void bench_hot(unsigned long i)
{
	bench_counter++;
	bench_array[i % BENCH_SLOTS] += i;
}

BENCH_FN(bench_tick) void bench_tick(unsigned long i)
{
	bench_ticks.n++;
	__asm__ volatile("" : : "r"(i) : "memory");
}

int guest_main(const struct boot_info *bi)
{
	report_init("bench");
	gprintf("BENCH-INFO magic=0x%x _text=%p _end=%p bench_hot=%p bench_counter=%p cr3=0x%lx\n",
		bi->magic, (void *)_text, (void *)_end, (void *)bench_hot,
		(void *)&bench_counter, read_cr3());
	gprintf("BENCH-READY\n");
	for (unsigned long i = 0;; i++) {
		bench_hot(i);
		if (!(i & bench_tick_mask))
			bench_tick(i);
	}
}
