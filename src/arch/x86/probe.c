/* probe.c -- running the host's KVM to learn what it does; see probe.h. */
#include <errno.h>
#include <linux/kvm.h>
#include <signal.h>
#include <stdint.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <sys/time.h>
#include <unistd.h>

#include "arch/x86/probe.h"
#include "arch/x86/regs.h"
#include "util.h"

#define PROBE_PORT	0xe0	/* the probe guest reports here */
#define KVM_ENOSYS_VAL	1000	/* include/uapi/linux/kvm_para.h */

/* Real mode at 0: eax = 0xfffe (no such hypercall); vmcall; out PROBE_PORT; hlt. */
static const uint8_t probe_code[] = {
	0x66, 0xb8, 0xfe, 0xff, 0x00, 0x00,	/* mov eax, 0xfffe */
	0x0f, 0x01, 0xc1,			/* vmcall */
	0xe6, PROBE_PORT,			/* out PROBE_PORT, al */
	0xf4,					/* hlt */
};

static void on_alarm(int sig)
{
	(void)sig;
}

/* Run the probe vCPU until its report; -ETIMEDOUT if it never comes. */
static int run_probe(int vcpu, struct kvm_run *run, struct kvm_regs *out)
{
	struct sigaction sa = { .sa_handler = on_alarm }, old;
	struct itimerval t = { .it_value = { .tv_usec = 200000 } }, off = { 0 };
	sigset_t alrm, saved;
	int r = -EIO;

	sigemptyset(&alrm);
	sigaddset(&alrm, SIGALRM);
	sigaction(SIGALRM, &sa, &old);			/* no SA_RESTART: KVM_RUN returns EINTR */
	pthread_sigmask(SIG_UNBLOCK, &alrm, &saved);
	setitimer(ITIMER_REAL, &t, NULL);
	for (int i = 0; i < 16; i++) {
		if (ioctl(vcpu, KVM_RUN, 0) < 0) {
			r = errno == EINTR ? -ETIMEDOUT : -errno;
			break;
		}
		if (run->exit_reason == KVM_EXIT_IO && run->io.port == PROBE_PORT) {
			r = ioctl(vcpu, KVM_GET_REGS, out) < 0 ? -errno : 0;
			break;
		}
		if (run->exit_reason != KVM_EXIT_INTR)
			break;			/* anything else: the probe failed, not hypercalls */
	}
	setitimer(ITIMER_REAL, &off, NULL);
	pthread_sigmask(SIG_SETMASK, &saved, NULL);
	sigaction(SIGALRM, &old, NULL);
	return r;
}

bool x86_probe_hypercalls(int kvm_fd)
{
	struct kvm_userspace_memory_region mr = { .slot = 0, .memory_size = 4096 };
	struct kvm_sregs s;
	struct kvm_regs regs;
	struct kvm_run *run = MAP_FAILED;
	int vm = -1, vcpu = -1, size, r = 0;
	bool ok = true;
	void *mem;

	mem = mmap(NULL, 4096, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	if (mem == MAP_FAILED)
		return true;
	memcpy(mem, probe_code, sizeof(probe_code));
	mr.userspace_addr = (uint64_t)(uintptr_t)mem;
	size = ioctl(kvm_fd, KVM_GET_VCPU_MMAP_SIZE, 0);
	vm = ioctl(kvm_fd, KVM_CREATE_VM, 0);
	if (size <= 0 || vm < 0 || ioctl(vm, KVM_SET_TSS_ADDR, 0xfffbd000UL) < 0 ||
	    ioctl(vm, KVM_SET_USER_MEMORY_REGION, &mr) < 0)
		goto out;
	vcpu = ioctl(vm, KVM_CREATE_VCPU, 0);
	if (vcpu < 0)
		goto out;
	run = mmap(NULL, (size_t)size, PROT_READ | PROT_WRITE, MAP_SHARED, vcpu, 0);
	if (run == MAP_FAILED || ioctl(vcpu, KVM_GET_SREGS, &s) < 0)
		goto out;
	s.cs.selector = 0;
	s.cs.base = 0;
	memset(&regs, 0, sizeof(regs));
	regs.rflags = 2;
	if (ioctl(vcpu, KVM_SET_SREGS, &s) < 0 || ioctl(vcpu, KVM_SET_REGS, &regs) < 0)
		goto out;
	r = run_probe(vcpu, run, &regs);
	if (r == -ETIMEDOUT || (r == 0 && (uint32_t)regs.rax != (uint32_t)-KVM_ENOSYS_VAL)) {
		ok = false;
		log_debug("probe: the host's KVM does not complete hypercalls (%s, eax=0x%x)",
			  r ? "no progress" : "wrong answer", (unsigned)regs.rax);
	} else {
		log_debug("probe: hypercalls %s", r ? "not probed" : "complete");
	}
out:
	if (run != MAP_FAILED)
		munmap(run, (size_t)size);
	if (vcpu >= 0)
		close(vcpu);
	if (vm >= 0)
		close(vm);
	munmap(mem, 4096);
	return ok;
}

/*
 * The debug probe's guest, at 0x100 in flat 32-bit protected mode with no
 * IDT (any exception it takes itself ends in a triple fault):
 */
#define DP_SW		0x100	/* int3 */
#define DP_HW		0x103	/* nop, with DR0 on it */
#define DP_DATA		0x106	/* mov [DP_VAR], eax, with DR1 on DP_VAR */
#define DP_VAR		0x800
static const uint8_t debug_code[] = {
	0xcc,				/* 0x100: int3 */
	0xe6, 0xe0,			/* 0x101: out 0xe0, al */
	0x90,				/* 0x103: nop */
	0xe6, 0xe1,			/* 0x104: out 0xe1, al */
	0xa3, 0x00, 0x08, 0x00, 0x00,	/* 0x106: mov [0x800], eax */
	0xe6, 0xe2,			/* 0x10b: out 0xe2, al */
	0xf4,				/* 0x10d: hlt */
};

static void flat_seg(struct kvm_segment *s, uint8_t type)
{
	memset(s, 0, sizeof(*s));
	s->limit = 0xffffffff;
	s->type = type;
	s->present = 1;
	s->s = 1;
	s->db = 1;
	s->g = 1;
}

/* One run from rip under dbg: the exit it ends with (-1: none in time). */
static int debug_run(int vcpu, struct kvm_run *run, uint64_t rip, struct kvm_guest_debug *dbg)
{
	struct sigaction sa = { .sa_handler = on_alarm }, old;
	struct itimerval t = { .it_value = { .tv_usec = 200000 } }, off = { 0 };
	struct kvm_regs regs = { .rip = rip, .rflags = 2 };
	sigset_t alrm, saved;
	int exit = -1;

	if (ioctl(vcpu, KVM_SET_REGS, &regs) < 0 || ioctl(vcpu, KVM_SET_GUEST_DEBUG, dbg) < 0)
		return -1;
	sigemptyset(&alrm);
	sigaddset(&alrm, SIGALRM);
	sigaction(SIGALRM, &sa, &old);
	pthread_sigmask(SIG_UNBLOCK, &alrm, &saved);
	setitimer(ITIMER_REAL, &t, NULL);
	for (int i = 0; i < 16; i++) {
		if (ioctl(vcpu, KVM_RUN, 0) < 0)
			break;
		if (run->exit_reason != KVM_EXIT_INTR) {
			exit = (int)run->exit_reason;
			break;
		}
	}
	setitimer(ITIMER_REAL, &off, NULL);
	pthread_sigmask(SIG_SETMASK, &saved, NULL);
	sigaction(SIGALRM, &old, NULL);
	return exit;
}

void x86_probe_debug(int kvm_fd, struct x86_debug_probe *out)
{
	struct kvm_userspace_memory_region mr = { .slot = 0, .memory_size = 4096 };
	struct kvm_guest_debug dbg;
	struct kvm_sregs s;
	struct kvm_run *run = MAP_FAILED;
	int vm = -1, vcpu = -1, size, e;
	void *mem;

	*out = (struct x86_debug_probe){ false, true, true, true };
	mem = mmap(NULL, 4096, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	if (mem == MAP_FAILED)
		return;
	memcpy((uint8_t *)mem + DP_SW, debug_code, sizeof(debug_code));
	mr.userspace_addr = (uint64_t)(uintptr_t)mem;
	size = ioctl(kvm_fd, KVM_GET_VCPU_MMAP_SIZE, 0);
	vm = ioctl(kvm_fd, KVM_CREATE_VM, 0);
	if (size <= 0 || vm < 0 || ioctl(vm, KVM_SET_TSS_ADDR, 0xfffbd000UL) < 0 ||
	    ioctl(vm, KVM_SET_USER_MEMORY_REGION, &mr) < 0)
		goto out;
	vcpu = ioctl(vm, KVM_CREATE_VCPU, 0);
	if (vcpu < 0)
		goto out;
	run = mmap(NULL, (size_t)size, PROT_READ | PROT_WRITE, MAP_SHARED, vcpu, 0);
	if (run == MAP_FAILED || ioctl(vcpu, KVM_GET_SREGS, &s) < 0)
		goto out;
	flat_seg(&s.cs, 0xb);
	flat_seg(&s.ds, 0x3);
	s.es = s.fs = s.gs = s.ss = s.ds;
	s.cr0 = X86_CR0_PE | X86_CR0_ET;
	s.idt.base = 0;
	s.idt.limit = 0;		/* an exception the guest takes: triple fault */
	if (ioctl(vcpu, KVM_SET_SREGS, &s) < 0)
		goto out;

	memset(&dbg, 0, sizeof(dbg));
	dbg.control = KVM_GUESTDBG_ENABLE | KVM_GUESTDBG_USE_SW_BP;
	e = debug_run(vcpu, run, DP_SW, &dbg);
	out->swbp_traps = e == KVM_EXIT_DEBUG || e == KVM_EXIT_INTERNAL_ERROR;

	memset(&dbg, 0, sizeof(dbg));
	dbg.control = KVM_GUESTDBG_ENABLE | KVM_GUESTDBG_USE_HW_BP;
	dbg.arch.debugreg[0] = DP_HW;
	dbg.arch.debugreg[7] = X86_DR7_L(0) | X86_DR7_GE | X86_DR7_FIXED;
	e = debug_run(vcpu, run, DP_HW, &dbg);
	out->hwbp_fires = e == KVM_EXIT_DEBUG && (run->debug.arch.dr6 & X86_DR6_B(0));

	memset(&dbg, 0, sizeof(dbg));
	dbg.control = KVM_GUESTDBG_ENABLE | KVM_GUESTDBG_USE_HW_BP;
	dbg.arch.debugreg[1] = DP_VAR;
	dbg.arch.debugreg[7] = X86_DR7_L(1) | X86_DR7_GE | X86_DR7_FIXED |
			       (X86_DR7_RW_WRITE << X86_DR7_RW_SHIFT(1)) | (3ULL << X86_DR7_LEN_SHIFT(1));
	e = debug_run(vcpu, run, DP_DATA, &dbg);
	out->dbp_fires = e == KVM_EXIT_DEBUG && (run->debug.arch.dr6 & X86_DR6_B(1));
	out->probed = true;
	log_debug("probe: software breakpoints %s, hardware breakpoints %s, data breakpoints %s",
		  out->swbp_traps ? "trap" : "reach the guest",
		  out->hwbp_fires ? "fire" : "do not fire", out->dbp_fires ? "fire" : "do not fire");
out:
	if (run != MAP_FAILED)
		munmap(run, (size_t)size);
	if (vcpu >= 0)
		close(vcpu);
	if (vm >= 0)
		close(vm);
	munmap(mem, 4096);
}
