/*
 * probe.c -- what this host's KVM does with guest debugging, independent of
 * hyve: a tiny 64-bit guest (identity map of 16 MiB, plus the same RAM at
 * 0xffffffff80000000) and one experiment per case, each from a fresh
 * register state.  Build: gcc -O2 -Wall -o probe tools/kvm-probe/probe.c
 * Run: ./probe [NAME...] (default: all).  Prints one "RESULT name: ..." line
 * per experiment with what happened and what real hardware is expected to do.
 *
 * Guest layout (guest-physical = low virtual):
 *   0x1000 GDT, 0x2000 IDT, 0x4000.. page tables, 0x10000 code,
 *   0x20000 data (var), 0x20100 #BP handler's saved return RIP,
 *   0x20200 IRQ counter, 0x20300 #DB handler's saved RIP, 0x80000 stack top.
 * Exits: out to port 0xf0 = "reached the end of the experiment's code",
 * 0xf3 = the guest's own #BP handler ran, 0xf1 = its #DB handler ran,
 * 0xfe = some other exception vector ran (vector in the handler's AL).
 */
#include <errno.h>
#include <fcntl.h>
#include <linux/kvm.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <unistd.h>

#define MEM_SIZE	(16u << 20)
#define CODE		0x10000ULL
#define VAR		0x20000ULL
#define BP_RIP		0x20100ULL
#define IRQ_COUNT	0x20200ULL
#define DB_RIP		0x20300ULL
#define HIGH		0xffffffff80000000ULL
#define IRQ_VEC		0x40

/* The guest's code, copied to CODE; only relative branches and absolute data addresses. */
__asm__(
	".pushsection .rodata\n"
	".globl g_code, g_end\n"
	".globl L_nops, L_nops_bp, L_cr4, L_cr4_bp, L_write, L_write_end, L_read, L_read_end\n"
	".globl L_step, L_int3, L_int3_next, L_triple, L_sti, L_movss, L_dr7, H_bp, H_db, H_irq, H_other\n"
	".code64\n"
	"g_code:\n"
	"L_nops: nop; nop\n"
	"L_nops_bp: nop; nop\n"
	"  out %al, $0xf0\n"
	"  jmp .\n"
	"L_cr4: mov %cr4, %rax\n"
	"L_cr4_bp: mov %rax, %cr4\n"
	"  nop\n"
	"  out %al, $0xf0\n"
	"  jmp .\n"
	"L_write: nop\n"
	"  movq $0x1234, 0x20000\n"
	"L_write_end: nop\n"
	"  out %al, $0xf0\n"
	"  jmp .\n"
	"L_read: nop\n"
	"  mov 0x20000, %rax\n"
	"L_read_end: nop\n"
	"  out %al, $0xf0\n"
	"  jmp .\n"
	/* single-step: nop(1) pause(2) nop(1) inc %rax(3) nop(1) jmp(2) back */
	"L_step: nop\n"
	"  pause\n"
	"  nop\n"
	"  inc %rax\n"
	"  nop\n"
	"  out %al, $0xf0\n"
	"  jmp .\n"
	"L_int3: int3\n"
	"L_int3_next: mov $0x11223344, %eax\n"
	"  out %al, $0xf0\n"
	"  jmp .\n"
	/* an empty IDT, then #UD: #UD -> #GP (limit) -> #DF -> #GP -> shutdown */
	"L_triple: mov $0x4242, %rbx\n"
	"  pushq $0; pushq $0\n"
	"  lidt (%rsp)\n"
	"  ud2\n"
	/* sti; then a few nops with an interrupt pending */
	"L_sti: nop\n"
	"  sti\n"
	"  nop; nop; nop; nop\n"
	"  out %al, $0xf0\n"
	"  jmp .\n"
	/* mov to SS: the step after it is held off by one instruction on hardware */
	"L_movss: mov %ss, %eax\n"
	"  mov %eax, %ss\n"
	"  nop\n"
	"  nop\n"
	"  out %al, $0xf0\n"
	"  jmp .\n"
	/* the guest's own DR1/DR7 writes: DR1 = 0x1234000, DR7 = rbx (set by the host) */
	"L_dr7: mov $0x1234000, %rax\n"
	"  mov %rax, %dr1\n"
	"  mov %rbx, %dr7\n"
	"  nop\n"
	"  out %al, $0xf0\n"
	"  jmp .\n"
	"H_bp: mov (%rsp), %rax\n"
	"  mov %rax, 0x20100\n"
	"  out %al, $0xf3\n"
	"  jmp .\n"
	"H_db: mov (%rsp), %rax\n"
	"  mov %rax, 0x20300\n"
	"  out %al, $0xf1\n"
	"  jmp .\n"
	"H_irq: incq 0x20200\n"
	"  iretq\n"
	"H_other: out %al, $0xfe\n"
	"  jmp .\n"
	"g_end:\n"
	".popsection\n");

extern const uint8_t g_code[], g_end[], L_nops[], L_nops_bp[], L_cr4[], L_cr4_bp[], L_write[],
	L_write_end[], L_read[], L_read_end[], L_step[], L_int3[], L_int3_next[], L_triple[],
	L_sti[], L_movss[], L_dr7[], H_bp[], H_db[], H_irq[], H_other[];

#define OFF(l)	((uint64_t)((l) - g_code))

static int kvm, vmfd, vcpufd;
static uint8_t *mem;
static struct kvm_run *run;
static uint64_t base = CODE;	/* CODE or HIGH + CODE: where the code runs */
static int split_irqchip;	/* next VM: split irqchip, local APIC disabled (KVM_INTERRUPT = ExtINT) */
static int failures;

static void die(const char *what)
{
	perror(what);
	exit(2);
}

static void *gpa(uint64_t a)
{
	return mem + a;
}

static void set_idt_entry(int vec, uint64_t handler)
{
	uint64_t *e = gpa(0x2000 + 16 * (uint64_t)vec);

	e[0] = (handler & 0xffff) | (0x8ULL << 16) | (0x8eULL << 40) |
	       ((handler >> 16 & 0xffff) << 48);
	e[1] = handler >> 32;
}

static void setup_memory(void)
{
	uint64_t *gdt = gpa(0x1000), *pml4 = gpa(0x4000), *pdpt = gpa(0x5000),
		 *pdpt_hi = gpa(0x7000), *pd = gpa(0x6000);

	memset(mem, 0, MEM_SIZE);
	gdt[1] = 0x00af9a000000ffffULL;		/* 0x08: 64-bit code */
	gdt[2] = 0x00cf92000000ffffULL;		/* 0x10: data */
	pml4[0] = 0x5000 | 3;
	pml4[511] = 0x7000 | 3;
	pdpt[0] = 0x6000 | 3;
	pdpt_hi[510] = 0x6000 | 3;
	for (int i = 0; i < 8; i++)
		pd[i] = ((uint64_t)i << 21) | 0x83;	/* 2 MiB pages */
	memcpy(gpa(CODE), g_code, (size_t)(g_end - g_code));
	for (int v = 0; v < 256; v++)
		set_idt_entry(v, base + OFF(H_other));
	set_idt_entry(1, base + OFF(H_db));
	set_idt_entry(3, base + OFF(H_bp));
	set_idt_entry(IRQ_VEC, base + OFF(H_irq));
}

static void new_vcpu(void)
{
	int sz;

	if (vcpufd > 0) {
		munmap(run, (size_t)ioctl(kvm, KVM_GET_VCPU_MMAP_SIZE, 0));
		close(vcpufd);
		close(vmfd);
	}
	vmfd = ioctl(kvm, KVM_CREATE_VM, 0);
	if (vmfd < 0)
		die("KVM_CREATE_VM");
	struct kvm_userspace_memory_region r = { .slot = 0, .guest_phys_addr = 0,
		.memory_size = MEM_SIZE, .userspace_addr = (uint64_t)(uintptr_t)mem };
	if (ioctl(vmfd, KVM_SET_USER_MEMORY_REGION, &r) < 0)
		die("KVM_SET_USER_MEMORY_REGION");
	if (split_irqchip) {
		struct kvm_enable_cap cap = { .cap = KVM_CAP_SPLIT_IRQCHIP, .args[0] = 24 };

		if (ioctl(vmfd, KVM_ENABLE_CAP, &cap) < 0)
			die("KVM_ENABLE_CAP(KVM_CAP_SPLIT_IRQCHIP)");
	}
	vcpufd = ioctl(vmfd, KVM_CREATE_VCPU, 0);
	if (vcpufd < 0)
		die("KVM_CREATE_VCPU");
	sz = ioctl(kvm, KVM_GET_VCPU_MMAP_SIZE, 0);
	run = mmap(NULL, (size_t)sz, PROT_READ | PROT_WRITE, MAP_SHARED, vcpufd, 0);
	if (run == MAP_FAILED)
		die("mmap run");
	/* CPUID as KVM offers it (long mode needs LM in the guest's CPUID) */
	struct { struct kvm_cpuid2 c; struct kvm_cpuid_entry2 e[100]; } cpuid = { .c.nent = 100 };
	if (ioctl(kvm, KVM_GET_SUPPORTED_CPUID, &cpuid) < 0)
		die("KVM_GET_SUPPORTED_CPUID");
	if (ioctl(vcpufd, KVM_SET_CPUID2, &cpuid) < 0)
		die("KVM_SET_CPUID2");
}

/* A fresh VM and vCPU in long mode at `off` into the code, rflags 0x2. */
static void start_at(uint64_t off)
{
	struct kvm_sregs s;
	struct kvm_regs r;
	struct kvm_segment cs = { .base = 0, .limit = 0xffffffff, .selector = 8, .type = 11,
				  .present = 1, .s = 1, .l = 1, .g = 1 };
	struct kvm_segment ds = { .base = 0, .limit = 0xffffffff, .selector = 0x10, .type = 3,
				  .present = 1, .s = 1, .db = 1, .g = 1 };

	setup_memory();
	new_vcpu();
	if (ioctl(vcpufd, KVM_GET_SREGS, &s) < 0)
		die("KVM_GET_SREGS");
	s.cs = cs;
	s.ds = s.es = s.fs = s.gs = s.ss = ds;
	s.gdt.base = 0x1000;
	s.gdt.limit = 0x17;
	s.idt.base = 0x2000;
	s.idt.limit = 0xfff;
	s.cr3 = 0x4000;
	s.cr4 = 0x20;				/* PAE */
	s.cr0 = 0x80000011;			/* PG ET PE */
	s.efer = 0x500;				/* LME LMA */
	if (split_irqchip)
		s.apic_base = 0xfee00000;	/* APIC disabled: it accepts ExtINT */
	if (ioctl(vcpufd, KVM_SET_SREGS, &s) < 0)
		die("KVM_SET_SREGS");
	memset(&r, 0, sizeof(r));
	r.rip = base + off;
	r.rsp = (base == CODE ? 0 : HIGH) + 0x80000;
	r.rflags = 2;
	if (ioctl(vcpufd, KVM_SET_REGS, &r) < 0)
		die("KVM_SET_REGS");
}

static uint64_t rip_now(void)
{
	struct kvm_regs r;

	if (ioctl(vcpufd, KVM_GET_REGS, &r) < 0)
		die("KVM_GET_REGS");
	return r.rip;
}

static const char *reason_name(uint32_t r)
{
	switch (r) {
	case KVM_EXIT_IO: return "IO";
	case KVM_EXIT_DEBUG: return "DEBUG";
	case KVM_EXIT_HLT: return "HLT";
	case KVM_EXIT_SHUTDOWN: return "SHUTDOWN";
	case KVM_EXIT_INTERNAL_ERROR: return "INTERNAL_ERROR";
	case KVM_EXIT_FAIL_ENTRY: return "FAIL_ENTRY";
	case KVM_EXIT_IRQ_WINDOW_OPEN: return "IRQ_WINDOW_OPEN";
	case KVM_EXIT_INTR: return "INTR";
	default: return "?";
	}
}

/* One KVM_RUN; describes the exit in buf.  Returns the exit reason. */
static uint32_t run_once(char *buf, size_t n)
{
	if (ioctl(vcpufd, KVM_RUN, 0) < 0)
		die("KVM_RUN");
	uint32_t r = run->exit_reason;

	if (r == KVM_EXIT_IO)
		snprintf(buf, n, "IO port 0x%x rip=+0x%llx", run->io.port,
			 (unsigned long long)(rip_now() - base));
	else if (r == KVM_EXIT_DEBUG)
		snprintf(buf, n, "DEBUG exception=%u pc=+0x%llx dr6=0x%llx dr7=0x%llx",
			 run->debug.arch.exception,
			 (unsigned long long)(run->debug.arch.pc - base),
			 (unsigned long long)run->debug.arch.dr6,
			 (unsigned long long)run->debug.arch.dr7);
	else if (r == KVM_EXIT_INTERNAL_ERROR)
		snprintf(buf, n, "INTERNAL_ERROR suberror %u", run->internal.suberror);
	else
		snprintf(buf, n, "%s (%u) rip=0x%llx", reason_name(r), r,
			 (unsigned long long)rip_now());
	return r;
}

static void set_debug(uint32_t control, uint64_t dr0, uint64_t dr7)
{
	struct kvm_guest_debug d;

	memset(&d, 0, sizeof(d));
	d.control = control;
	d.arch.debugreg[0] = dr0;
	d.arch.debugreg[7] = dr7;
	if (ioctl(vcpufd, KVM_SET_GUEST_DEBUG, &d) < 0)
		die("KVM_SET_GUEST_DEBUG");
}

static void result(const char *name, int ok, const char *fmt, const char *got)
{
	printf("RESULT %-22s %s: %s%s%s\n", name, ok ? "as on hardware" : "DIFFERS", got,
	       fmt ? " -- " : "", fmt ? fmt : "");
	if (!ok)
		failures++;
}

/* An instruction breakpoint (DR0, R/W=00) at `bp`, code from `start`. */
static void exp_hwbp(const char *name, uint64_t start, uint64_t bp, const char *note)
{
	char buf[200];
	uint32_t r;

	start_at(start);
	set_debug(KVM_GUESTDBG_ENABLE | KVM_GUESTDBG_USE_HW_BP, base + bp, 0x601);
	r = run_once(buf, sizeof(buf));
	result(name, r == KVM_EXIT_DEBUG && run->debug.arch.exception == 1 &&
		     run->debug.arch.pc == base + bp && (run->debug.arch.dr6 & 1), note, buf);
}

/* A data breakpoint (DR0 = VAR, LEN=8) of R/W type rw (1 = write, 3 = read/write). */
static void exp_data(const char *name, uint64_t start, uint64_t after, int rw)
{
	char buf[200];
	uint32_t r;
	uint64_t dr7 = 0x600 | 1 | ((uint64_t)rw << 16) | (2ULL << 18);	/* L0, RW0, LEN0=8 */

	start_at(start);
	set_debug(KVM_GUESTDBG_ENABLE | KVM_GUESTDBG_USE_HW_BP, VAR, dr7);
	r = run_once(buf, sizeof(buf));
	result(name, r == KVM_EXIT_DEBUG && run->debug.arch.exception == 1 &&
		     (run->debug.arch.dr6 & 1) && run->debug.arch.pc == base + after,
	       "want DEBUG exception=1 dr6 bit 0, pc after the access", buf);
}

/*
 * Single steps from `start`: the rip after each of n steps, compared with
 * the expected offsets.  With irq: an interrupt is queued (KVM_INTERRUPT)
 * once the guest has IF set.
 */
static void exp_step(const char *name, uint64_t start, const uint64_t *want, int n,
		     uint32_t extra, int irq, int want_count)
{
	char buf[600], one[200];
	size_t len = 0;
	int ok = 1, bs = 0;

	start_at(start);
	set_debug(KVM_GUESTDBG_ENABLE | KVM_GUESTDBG_SINGLESTEP | extra, 0, 0);
	for (int i = 0; i < n; i++) {
		if (irq && i == irq) {
			struct kvm_interrupt intr = { .irq = IRQ_VEC };

			if (ioctl(vcpufd, KVM_INTERRUPT, &intr) < 0)
				die("KVM_INTERRUPT");
		}
		uint32_t r = run_once(one, sizeof(one));
		uint64_t at = r == KVM_EXIT_DEBUG ? run->debug.arch.pc - base : ~0ULL;

		len += (size_t)snprintf(buf + len, sizeof(buf) - len, "%s+0x%llx",
					i ? " " : "", (unsigned long long)at);
		if (r != KVM_EXIT_DEBUG) {
			len += (size_t)snprintf(buf + len, sizeof(buf) - len, " [%s]", one);
			ok = 0;
			break;
		}
		if (at != want[i])
			ok = 0;
		if (run->debug.arch.dr6 & (1u << 14))
			bs++;
	}
	uint64_t cnt;

	memcpy(&cnt, gpa(IRQ_COUNT), 8);
	len += (size_t)snprintf(buf + len, sizeof(buf) - len,
				"; DR6.BS in %d of the step exits; irq handler ran %llu times", bs,
				(unsigned long long)cnt);
	if (want_count >= 0 && cnt != (uint64_t)want_count)
		ok = 0;
	char w[300];
	size_t wl = (size_t)snprintf(w, sizeof(w), "want");

	for (int i = 0; i < n; i++)
		wl += (size_t)snprintf(w + wl, sizeof(w) - wl, " +0x%llx",
				       (unsigned long long)want[i]);
	if (want_count >= 0)
		snprintf(w + wl, sizeof(w) - wl, ", irq handler %d times", want_count);
	result(name, ok, w, buf);
}

static void exp_int3_swbp(void)
{
	char buf[200];
	uint32_t r;

	start_at(OFF(L_int3));
	set_debug(KVM_GUESTDBG_ENABLE | KVM_GUESTDBG_USE_SW_BP, 0, 0);
	r = run_once(buf, sizeof(buf));
	if (r == KVM_EXIT_IO && run->io.port == 0xf3) {
		uint64_t ret;

		memcpy(&ret, gpa(BP_RIP), 8);
		snprintf(buf + strlen(buf), sizeof(buf) - strlen(buf),
			 " (the guest's own #BP handler ran, return rip +0x%llx)",
			 (unsigned long long)(ret - base));
	}
	result("int3_swbp", r == KVM_EXIT_DEBUG && run->debug.arch.exception == 3 &&
			    run->debug.arch.pc == base + OFF(L_int3),
	       "want DEBUG exception=3 pc=int3 (USE_SW_BP intercepts #BP)", buf);
}

/*
 * Userspace re-injects #BP (KVM_SET_VCPU_EVENTS exception.injected, nr 3),
 * with rip at the int3 (QEMU's way) or past it (hyve's handle_int3 up to
 * now): the return address the guest's handler sees.
 */
static void exp_reinject(const char *name, uint64_t rip_off)
{
	char buf[200];
	struct kvm_vcpu_events ev;
	struct kvm_regs rg;
	uint32_t r;
	uint64_t ret = 0;

	start_at(OFF(L_int3));
	if (ioctl(vcpufd, KVM_GET_REGS, &rg) < 0)
		die("KVM_GET_REGS");
	rg.rip = base + rip_off;
	if (ioctl(vcpufd, KVM_SET_REGS, &rg) < 0)
		die("KVM_SET_REGS");
	if (ioctl(vcpufd, KVM_GET_VCPU_EVENTS, &ev) < 0)
		die("KVM_GET_VCPU_EVENTS");
	ev.exception.injected = 1;
	ev.exception.nr = 3;
	ev.exception.has_error_code = 0;
	ev.flags = 0;
	if (ioctl(vcpufd, KVM_SET_VCPU_EVENTS, &ev) < 0)
		die("KVM_SET_VCPU_EVENTS");
	r = run_once(buf, sizeof(buf));
	memcpy(&ret, gpa(BP_RIP), 8);
	snprintf(buf + strlen(buf), sizeof(buf) - strlen(buf),
		 "; handler's return rip +0x%llx", (unsigned long long)(ret - base));
	result(name, r == KVM_EXIT_IO && run->io.port == 0xf3 && ret == base + OFF(L_int3_next),
	       "want the return rip just past the int3", buf);
	printf("       (int3 at +0x%llx, the instruction after it at +0x%llx, 5 bytes long)\n",
	       (unsigned long long)OFF(L_int3), (unsigned long long)OFF(L_int3_next));
}

static void exp_triple(void)
{
	char buf[200];
	struct kvm_regs rg;
	struct kvm_sregs s;
	uint32_t r;

	start_at(OFF(L_triple));
	r = run_once(buf, sizeof(buf));
	if (ioctl(vcpufd, KVM_GET_REGS, &rg) < 0 || ioctl(vcpufd, KVM_GET_SREGS, &s) < 0)
		die("GET_REGS/SREGS");
	snprintf(buf + strlen(buf), sizeof(buf) - strlen(buf),
		 "; after it: rip=0x%llx rbx=0x%llx cs=%04x base=0x%llx cr0=0x%llx efer=0x%llx rdx=0x%llx",
		 (unsigned long long)rg.rip, (unsigned long long)rg.rbx, s.cs.selector,
		 (unsigned long long)s.cs.base, (unsigned long long)s.cr0,
		 (unsigned long long)s.efer, (unsigned long long)rg.rdx);
	/* VMX and kvm_pvm keep the state at the fault; SVM KVM INITs the vCPU */
	printf("RESULT %-22s %s: %s\n", "triple_state",
	       r != KVM_EXIT_SHUTDOWN ? "NO SHUTDOWN" :
	       rg.rbx == 0x4242 ? "state kept (VMX-like)" : "state LOST (INIT state, svm.c shutdown_interception)",
	       buf);
}

/*
 * The guest writes DR1 and DR7 itself, in `runs` fresh VMs one after the
 * other on this thread (pin it with taskset to keep it on one host CPU).
 * Without guest debugging KVM stops intercepting DR accesses after the
 * first one (KVM_DEBUGREG_WONT_EXIT), so the guest's mov to DR7 runs
 * natively -- in QEMU TCG through helper_set_dr.
 */
static void exp_guest_dr7(const char *name, uint64_t dr7, int runs, uint32_t control)
{
	char buf[200];

	for (int i = 0; i < runs; i++) {
		struct kvm_regs rg;
		struct kvm_debugregs d;
		uint32_t r;

		start_at(OFF(L_dr7));
		if (control)
			set_debug(control, 0, 0);
		if (ioctl(vcpufd, KVM_GET_REGS, &rg) < 0)
			die("KVM_GET_REGS");
		rg.rbx = dr7;
		if (ioctl(vcpufd, KVM_SET_REGS, &rg) < 0)
			die("KVM_SET_REGS");
		r = run_once(buf, sizeof(buf));
		if (ioctl(vcpufd, KVM_GET_DEBUGREGS, &d) < 0)
			die("KVM_GET_DEBUGREGS");
		printf("RESULT %-22s run %d: %s; guest dr1=0x%llx dr7=0x%llx\n", name, i + 1, buf,
		       (unsigned long long)d.db[1], (unsigned long long)d.dr7);
		fflush(stdout);
		if (r != KVM_EXIT_IO)
			failures++;
	}
}

static int want(int argc, char **argv, const char *name)
{
	if (argc < 2)
		return 1;
	for (int i = 1; i < argc; i++)
		if (!strcmp(argv[i], name))
			return 1;
	return 0;
}

int main(int argc, char **argv)
{
	kvm = open("/dev/kvm", O_RDWR | O_CLOEXEC);
	if (kvm < 0)
		die("/dev/kvm");
	mem = mmap(NULL, MEM_SIZE, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	if (mem == MAP_FAILED)
		die("mmap");
	int dbg2 = ioctl(kvm, KVM_CHECK_EXTENSION, KVM_CAP_SET_GUEST_DEBUG2);

	printf("KVM_CAP_SET_GUEST_DEBUG  = %d\n", ioctl(kvm, KVM_CHECK_EXTENSION, KVM_CAP_SET_GUEST_DEBUG));
	printf("KVM_CAP_SET_GUEST_DEBUG2 = 0x%x (ENABLE %d SINGLESTEP %d USE_SW_BP %d USE_HW_BP %d "
	       "INJECT_DB %d INJECT_BP %d BLOCKIRQ %d)\n", dbg2, !!(dbg2 & KVM_GUESTDBG_ENABLE),
	       !!(dbg2 & KVM_GUESTDBG_SINGLESTEP), !!(dbg2 & KVM_GUESTDBG_USE_SW_BP),
	       !!(dbg2 & KVM_GUESTDBG_USE_HW_BP), !!(dbg2 & KVM_GUESTDBG_INJECT_DB),
	       !!(dbg2 & KVM_GUESTDBG_INJECT_BP), !!(dbg2 & KVM_GUESTDBG_BLOCKIRQ));
	for (int hi = 0; hi < 2; hi++) {
		base = hi ? HIGH + CODE : CODE;
		const char *sfx = hi ? "_high" : "_low";
		char n[64];

#define NAME(s) (snprintf(n, sizeof(n), "%s%s", s, sfx), n)
		if (want(argc, argv, "hwbp"))
			exp_hwbp(NAME("hwbp_plain"), OFF(L_nops), OFF(L_nops_bp),
				 "want DEBUG exception=1 at the nop (an instruction KVM does not emulate)");
		if (want(argc, argv, "hwbp"))
			exp_hwbp(NAME("hwbp_emulated"), OFF(L_cr4), OFF(L_cr4_bp),
				 "want DEBUG exception=1 at mov %rax,%cr4 (intercepted, run by KVM's emulator)");
		if (want(argc, argv, "data")) {
			exp_data(NAME("data_write_rw01"), OFF(L_write), OFF(L_write_end), 1);
			exp_data(NAME("data_write_rw11"), OFF(L_write), OFF(L_write_end), 3);
			exp_data(NAME("data_read_rw11"), OFF(L_read), OFF(L_read_end), 3);
		}
	}
	base = CODE;
	if (want(argc, argv, "step")) {
		/* nop(1) pause(2) nop(1) inc(3) nop(1): +0 -> +1 -> +3 -> +4 -> +7 -> +8 */
		uint64_t s = OFF(L_step);
		uint64_t w[] = { s + 1, s + 3, s + 4, s + 7, s + 8 };

		exp_step("step_pause", s, w, 5, 0, 0, -1);
		exp_step("step_pause_blockirq", s, w, 5, KVM_GUESTDBG_BLOCKIRQ, 0, -1);
		/* nop sti nop nop nop nop: an ExtINT queued after the sti (split irqchip) */
		uint64_t t = OFF(L_sti);
		uint64_t w2[] = { t + 1, t + 2, t + 3, t + 4, t + 5 };

		exp_step("step_sti", t, w2, 5, 0, 0, 0);
		split_irqchip = 1;
		exp_step("step_irq_blockirq", t, w2, 5, KVM_GUESTDBG_BLOCKIRQ, 2, 0);
		/* without BLOCKIRQ the interrupt comes in (where the steps land is printed) */
		exp_step("step_irq_noblock", t, w2, 5, 0, 2, 1);
		split_irqchip = 0;
		/* mov %ss,%eax (2) ; mov %eax,%ss (2) ; nop ; nop: hardware: +2 -> +5 (shadow) -> +6 */
		uint64_t m = OFF(L_movss);
		uint64_t w4[] = { m + 2, m + 5, m + 6 };

		exp_step("step_movss", m, w4, 3, 0, 0, -1);
	}
	if (want(argc, argv, "int3"))
		exp_int3_swbp();
	if (want(argc, argv, "reinject")) {
		exp_reinject("reinject_rip_at_int3", OFF(L_int3));
		exp_reinject("reinject_rip_past_int3", OFF(L_int3) + 1);
	}
	if (want(argc, argv, "triple"))
		exp_triple();
	/* not in the default set: the last one can kill QEMU 7.2 (the whole L1) */
	if (argc > 1 && want(argc, argv, "dr7_disabled"))
		exp_guest_dr7("dr7_disabled", 0xd00400, 4, 0);
	if (argc > 1 && want(argc, argv, "dr7_exec"))
		exp_guest_dr7("dr7_exec", 0x000404, 4, 0);
	if (argc > 1 && want(argc, argv, "dr7_debugged"))
		exp_guest_dr7("dr7_debugged", 0xd00404, 4, KVM_GUESTDBG_ENABLE);
	if (argc > 1 && want(argc, argv, "dr7_data"))
		exp_guest_dr7("dr7_data", 0xd00404, 4, 0);
	printf("%d experiment(s) differ from hardware behaviour\n", failures);
	return failures ? 1 : 0;
}
