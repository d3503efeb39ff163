/*
 * bpg -- the guest of the breakpoint, watchpoint, monitor and guest-failure
 * end-to-end tests.  Every boot prints "BPG BOOT mode=NAME ncpus=N"; the
 * kernel command line (--append "mode=NAME") picks what it does:
 *
 *   alias     calls alias_fn through the identity mapping and alias_fn2
 *             through the higher half, then alias_check(); exit 0 if both
 *             returned the right values ("ALIAS OK")
 *   int3      counts its own #BP exceptions: runs guest_int3 five times, then
 *             int3_check(); exit 0 if the handler ran five times with RIP
 *             past the int3 ("INT3 COUNT 5")
 *   loop      prints "LOOP READY hash 0x.." (FNV-1a of its .text), then
 *             every vCPU calls both_hit(cpu) for ever (hits[cpu] counts);
 *             COM1 input 'h' prints "HASH 0x.. BP n HITS a b", 'q' exits 0x42
 *   mon       builds a second address space (alt_cr3 maps ALT_VA to a page
 *             starting with ALT_SECRET), sets DR1/DR7, prints "MON gdtr ..",
 *             then spins in mon_spin
 *             until mon_release is set, prints "MON RELEASED v dr0 x" (its
 *             own DR0, which a debugger may have written): exit status
 *             mon_release & 0xff
 *   x86       mon, and first makes gate 0x80 a DPL-3 trap gate, sets TPR
 *             0x50, lets a one-shot LAPIC timer (vector 0x42, count 1000)
 *             fire below the TPR with interrupts off (it stays in the IRR;
 *             nor does KVM wait for an interrupt window), routes I/O APIC
 *             pin 10 to vector 0x47 on APIC 1 (for the inspection commands)
 *   triple, reset, poweroff, panic
 *             set fail_marker, then end the machine that way (panic: the
 *             pvpanic port 0x505, after checking that it reads PANICKED |
 *             CRASH_LOADED)
 *   irq       a local APIC timer interrupts it every few microseconds
 *             (irq_tick counts in ticks) while it spins in irq_spin with
 *             interrupts on; prints "IRQ READY" once ticks run; exit status
 *             irq_release & 0xff once that is set
 *   watch     see bpg_watch.c;  step, smp: see bpg_src.c;  cond: bpg_cond.c;
 *   lock      see bpg_lock.c;  snap: see bpg_snap.c
 *   straddle  calls straddle_fn(i) (an instruction across the end of its
 *             page, into straddle_page) and straddle_next(i) (in that page)
 *             for i = 0 .. 999, reading straddle_var at i == 500; exit 0
 *             if every result was right ("STRADDLE DONE 1000")
 *
 * Application processors (-c N) are started in every mode; they run
 * both_hit (loop), smp_ap_main (smp) or idle.
 */
#include "acpi.h"
#include "apic.h"
#include "boot.h"
#include "console.h"
#include "hw.h"
#include "idt.h"
#include "io.h"
#include "report.h"
#include "smp.h"
#include "string.h"

#include "bpg.h"

#define ALT_VA		0x0000400000000000UL
#define ALT_SECRET	0x5ec7e7c0ffee0001UL
#define MON_DR1		0x1234000UL
/*
 * DR1 set up as a 4-byte write watchpoint (R/W1 = 01, LEN1 = 11) but not
 * enabled (L1 = G1 = 0); bit 10 reads as one.  Enabled, it would be the
 * guest's own data breakpoint running in QEMU 7.2's TCG SVM (KVM lets a
 * guest without a debugger use the debug registers directly), which keeps
 * it after #VMEXIT and later frees it as an instruction breakpoint: the
 * emulator segfaults (tools/kvm-probe: dr7_data).
 */
#define MON_DR7		0x00d00400UL
#define MON_TRAP_VEC	0x80
#define MON_TPR		0x50	/* above the timer vector's class: it stays in the IRR, undeliverable */
#define MON_TIMER_VEC	0x42
#define MON_IOAPIC_VEC	0x47

enum mode { M_NONE, M_ALIAS, M_INT3, M_LOOP, M_MON, M_TRIPLE, M_RESET, M_POWEROFF,
	    M_WATCH, M_STEP, M_SMP, M_IRQ, M_PANIC, M_COND, M_X86, M_LOCK, M_SNAP, M_STRADDLE };

static const char *const mode_names[] = {
	[M_NONE] = "none", [M_ALIAS] = "alias", [M_INT3] = "int3", [M_LOOP] = "loop",
	[M_MON] = "mon", [M_TRIPLE] = "triple", [M_RESET] = "reset",
	[M_POWEROFF] = "poweroff", [M_WATCH] = "watch", [M_STEP] = "step", [M_SMP] = "smp",
	[M_IRQ] = "irq", [M_PANIC] = "panic", [M_COND] = "cond", [M_X86] = "x86",
	[M_LOCK] = "lock", [M_SNAP] = "snap", [M_STRADDLE] = "straddle",
};

static enum mode mode;
static uint32_t cpu_ids[SMP_MAX_CPUS];
volatile uint32_t aps_ready;
volatile uint64_t bp_count;
volatile uint64_t bp_last_rip;

/* ---- helpers ---- */

volatile int bpg_cp;

void bpg_checkpoint(int n)
{
	bpg_cp = n;	/* `watch bpg_cp` stops here where no breakpoint fires */
}

static void on_bp(struct iframe *f)
{
	bp_count++;
	bp_last_rip = f->rip;
}

void bp_counter_install(void)
{
	idt_set_handler(3, on_bp);
}

/* "mode=NAME" anywhere in the command line. */
static enum mode parse_mode(const char *c)
{
	for (; *c; c++) {
		if (strncmp(c, "mode=", 5))
			continue;
		for (unsigned m = 1; m < sizeof(mode_names) / sizeof(mode_names[0]); m++) {
			size_t l = strlen(mode_names[m]);

			if (!strncmp(c + 5, mode_names[m], l) && (c[5 + l] == 0 || c[5 + l] == ' '))
				return (enum mode)m;
		}
	}
	return M_NONE;
}

extern char _etext[];

static uint64_t text_hash(void)
{
	uint64_t h = 0xcbf29ce484222325ULL;

	for (const volatile uint8_t *p = (const uint8_t *)_text; p < (const uint8_t *)_etext; p++)
		h = (h ^ *p) * 0x100000001b3ULL;
	return h;
}

/* ---- mode=alias ---- */

volatile uint64_t alias_r1, alias_r2;

NOINLINE void alias_check(void)
{
	__asm__ volatile("" : : : "memory");
}

static int alias_main(void)
{
	uint64_t (*low)(uint64_t) = (uint64_t (*)(uint64_t))((uintptr_t)alias_fn - KERNEL_VMA);

	alias_r1 = low(5);		/* fetched through the identity mapping */
	alias_r2 = alias_fn2(5);	/* through the higher half */
	alias_check();
	CHECK(0x30, alias_r1 == 16 && alias_r2 == 12, "alias_fn(5)=%lu alias_fn2(5)=%lu",
	      (unsigned long)alias_r1, (unsigned long)alias_r2);
	gprintf("ALIAS OK\n");
	return 0;
}

/* ---- mode=int3 ---- */

NOINLINE void int3_check(void)
{
	__asm__ volatile("" : : : "memory");
}

static int int3_main(void)
{
	bp_counter_install();
	for (int i = 0; i < 5; i++)
		guest_int3();
	int3_check();
	gprintf("INT3 COUNT %lu rip %s\n", (unsigned long)bp_count,
		bp_last_rip == (uint64_t)(uintptr_t)int3_after ? "after-int3" : "WRONG");
	CHECK(0x31, bp_count == 5, "#BP handler ran %lu times, want 5", (unsigned long)bp_count);
	CHECK(0x32, bp_last_rip == (uint64_t)(uintptr_t)int3_after,
	      "#BP frame rip 0x%lx, want 0x%lx", (unsigned long)bp_last_rip,
	      (unsigned long)(uintptr_t)int3_after);
	return 0;
}

/* ---- mode=loop ---- */

volatile uint64_t hits[SMP_MAX_CPUS];

NOINLINE void both_hit(int cpu)
{
	hits[cpu]++;
}

static __attribute__((noreturn)) void loop_main(void)
{
	bp_counter_install();
	gprintf("LOOP READY hash 0x%lx\n", (unsigned long)text_hash());
	for (unsigned long n = 0;; n++) {
		both_hit(0);
		if (n & 31)
			continue;
		int c = serial_getc();

		if (c == 'h')
			gprintf("HASH 0x%lx BP %lu HITS %lu %lu\n", (unsigned long)text_hash(),
				(unsigned long)bp_count, (unsigned long)hits[0],
				(unsigned long)hits[1]);
		else if (c == 'q') {
			gprintf("LOOP QUIT\n");
			guest_exit(0x42);
		}
	}
}

/* ---- mode=mon ---- */

static uint64_t alt_pml4[512] __attribute__((aligned(4096)));
static uint64_t alt_pdpt[512] __attribute__((aligned(4096)));
static uint64_t alt_pd[512] __attribute__((aligned(4096)));
static uint64_t alt_pt[512] __attribute__((aligned(4096)));
static volatile uint64_t alt_page[512] __attribute__((aligned(4096)));
volatile uint64_t alt_cr3;
volatile uint32_t mon_release;
volatile uint64_t mon_value = 0xfeedface12345678ULL;
volatile uint64_t mon_laps;

struct dtr {
	uint16_t limit;
	uint64_t base;
} __attribute__((packed));

NOINLINE uint32_t mon_spin(void)
{
	while (!mon_release)
		mon_laps++;
	return mon_release;
}

static int mon_main(void)
{
	struct dtr g, i;
	uint32_t v;
	uint64_t dr0;

	alt_page[0] = ALT_SECRET;
	alt_page[1] = ~ALT_SECRET;
	alt_pml4[(ALT_VA >> 39) & 511] = virt_to_phys(alt_pdpt) | 3;
	alt_pdpt[(ALT_VA >> 30) & 511] = virt_to_phys(alt_pd) | 3;
	alt_pd[(ALT_VA >> 21) & 511] = virt_to_phys(alt_pt) | 3;
	alt_pt[(ALT_VA >> 12) & 511] = virt_to_phys(alt_page) | 3;
	alt_cr3 = virt_to_phys(alt_pml4);
	if (mode == M_X86) {
		cli();		/* the timer's interrupt stays pending: info lapic shows it */
		idt_set_gate_type(MON_TRAP_VEC, 0xef);
		mmio_write32(0xfee00000 + 0x80, MON_TPR);
		lapic_timer_start(MON_TIMER_VEC, 1000, 0);
		for (unsigned long n = 0; lapic_timer_current() && n < 100000000UL; n++)
			cpu_relax();
		ioapic_route(10, MON_IOAPIC_VEC, 1);
	}
	__asm__ volatile("mov %0, %%dr1" : : "r"(MON_DR1));
	__asm__ volatile("mov %0, %%dr7" : : "r"(MON_DR7));
	__asm__ volatile("sgdt %0" : "=m"(g));
	__asm__ volatile("sidt %0" : "=m"(i));
	gprintf("MON gdtr 0x%lx 0x%x idtr 0x%lx 0x%x alt_cr3 0x%lx\n", (unsigned long)g.base,
		g.limit, (unsigned long)i.base, i.limit, (unsigned long)alt_cr3);
	v = mon_spin();
	__asm__ volatile("mov %%dr0, %0" : "=r"(dr0));
	gprintf("MON RELEASED 0x%x dr0 0x%lx\n", v, (unsigned long)dr0);
	guest_exit((int)(v & 0xff));
}

/* ---- mode=straddle ---- */

volatile uint64_t straddle_sink;

static int straddle_main(void)
{
	uint64_t i, ok = 0;

	for (i = 0; i < 1000; i++) {
		ok += straddle_fn(i) == i + 0x12345678 && straddle_next(i) == i + 1;
		if (i == 500)
			straddle_sink = straddle_var;
	}
	gprintf("STRADDLE DONE %lu\n", (unsigned long)ok);
	CHECK(0x50, ok == 1000 && straddle_sink == 0x5ad, "straddle: %lu of 1000 right, var 0x%lx",
	      (unsigned long)ok, (unsigned long)straddle_sink);
	report_pass();
}

/* ---- mode=triple/reset/poweroff ---- */

volatile uint64_t fail_marker;

static __attribute__((noreturn)) void fail_main(void)
{
	fail_marker = 0xfa11ed0000000000ULL | mode;
	gprintf("FAILING %s\n", mode_names[mode]);
	if (mode == M_TRIPLE)
		do_triple();
	if (mode == M_RESET)
		do_reset();
	if (mode == M_PANIC) {
		CHECK(0x3a, inb(0x505) == 3, "pvpanic port 0x505 reads 0x%x, not 3", inb(0x505));
		do_panic();
	}
	do_poweroff();
}

/* ---- mode=irq ---- */

#define IRQ_VECTOR	0x40

volatile uint64_t ticks;
volatile uint32_t irq_release;
volatile uint64_t irq_laps;
uint32_t irq_spin(void);	/* bpg_asm.S: irq_loop until irq_release is set */

NOINLINE void irq_tick(struct iframe *f)
{
	ticks++;
	lapic_eoi();
}

static __attribute__((noreturn)) void irq_main(void)
{
	uint32_t v;

	idt_set_handler(IRQ_VECTOR, irq_tick);
	lapic_enable();
	lapic_timer_start(IRQ_VECTOR, 64, 1);
	sti();
	while (ticks < 10)
		cpu_relax();
	gprintf("IRQ READY\n");
	v = irq_spin();
	cli();
	lapic_timer_stop();
	gprintf("IRQ RELEASED 0x%x ticks %lu\n", v, (unsigned long)ticks);
	guest_exit((int)(v & 0xff));
}

/* ---- start ---- */

static void ap_entry(int index)
{
	__atomic_fetch_add(&aps_ready, 1, __ATOMIC_SEQ_CST);
	if (mode == M_LOOP)
		for (;;)
			both_hit(index);
	if (mode == M_SMP)
		smp_ap_main(index);
	if (mode == M_COND)
		cond_ap();
	if (mode == M_LOCK)
		lock_work();
	for (;;)
		cpu_relax();
}

static int start_aps(void)
{
	uint64_t rsdp = acpi_find_rsdp();
	int ncpus = 1;

	if (rsdp)
		ncpus = acpi_madt_cpus(rsdp, cpu_ids, SMP_MAX_CPUS);
	if (ncpus <= 1)
		return 1;
	lapic_enable();
	CHECK(0x20, smp_start_aps(cpu_ids, ncpus, ap_entry) == ncpus - 1, "INIT/SIPI failed");
	for (unsigned long i = 0; i < 100000000UL && aps_ready < (uint32_t)ncpus - 1; i++)
		cpu_relax();
	CHECK(0x21, aps_ready == (uint32_t)ncpus - 1, "only %u of %d APs started", aps_ready,
	      ncpus - 1);
	return ncpus;
}

int guest_main(const struct boot_info *bi)
{
	int ncpus;

	report_init("bpg");
	mode = parse_mode(bi->cmdline);
	lock_setup(bi->cmdline);
	ncpus = start_aps();
	gprintf("BPG BOOT mode=%s ncpus=%d\n", mode_names[mode], ncpus);
	switch (mode) {
	case M_ALIAS: return alias_main();
	case M_INT3: return int3_main();
	case M_LOOP: loop_main();
	case M_MON:
	case M_X86: return mon_main();
	case M_TRIPLE:
	case M_RESET:
	case M_POWEROFF:
	case M_PANIC: fail_main();
	case M_WATCH: return watch_main();
	case M_STEP: return step_main();
	case M_SMP: return smp_bsp_main();
	case M_IRQ: irq_main();
	case M_COND: return cond_main();
	case M_LOCK: return lock_main(ncpus);
	case M_SNAP: return snap_main();
	case M_STRADDLE: return straddle_main();
	default: break;
	}
	report_fail(0x2f, "no mode=NAME on the command line \"%s\"", bi->cmdline);
}
