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

#define PROBE_PORT	0xe0	/* the probe guests report here */
#define KVM_ENOSYS_VAL	1000	/* include/uapi/linux/kvm_para.h */
#define PROBE_RUN_US	200000	/* a probe that has not answered by then never will */

/* A throw-away VM: one vCPU, one page of RAM at guest-physical 0. */
struct probe_vm {
	int vm, vcpu, run_size;
	struct kvm_run *run;
	uint8_t *mem;
};

static void probe_close(struct probe_vm *p)
{
	if (p->run && p->run != MAP_FAILED)
		munmap(p->run, (size_t)p->run_size);
	if (p->vcpu >= 0)
		close(p->vcpu);
	if (p->vm >= 0)
		close(p->vm);
	if (p->mem && p->mem != MAP_FAILED)
		munmap(p->mem, 4096);
}

/* The VM with `code` at guest-physical `at`.  0 or -errno (then closed). */
static int probe_open(struct probe_vm *p, int kvm_fd, const uint8_t *code, size_t len,
		      uint64_t at)
{
	struct kvm_userspace_memory_region mr = { .slot = 0, .memory_size = 4096 };

	*p = (struct probe_vm){ .vm = -1, .vcpu = -1 };
	p->mem = mmap(NULL, 4096, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	if (p->mem == MAP_FAILED)
		return -ENOMEM;
	memcpy(p->mem + at, code, len);
	mr.userspace_addr = (uint64_t)(uintptr_t)p->mem;
	p->run_size = ioctl(kvm_fd, KVM_GET_VCPU_MMAP_SIZE, 0);
	p->vm = ioctl(kvm_fd, KVM_CREATE_VM, 0);
	if (p->run_size <= 0 || p->vm < 0 || ioctl(p->vm, KVM_SET_TSS_ADDR, 0xfffbd000UL) < 0 ||
	    ioctl(p->vm, KVM_SET_USER_MEMORY_REGION, &mr) < 0 ||
	    (p->vcpu = ioctl(p->vm, KVM_CREATE_VCPU, 0)) < 0)
		goto fail;
	p->run = mmap(NULL, (size_t)p->run_size, PROT_READ | PROT_WRITE, MAP_SHARED, p->vcpu, 0);
	if (p->run == MAP_FAILED)
		goto fail;
	return 0;
fail:
	probe_close(p);
	return -EIO;
}

static void on_alarm(int sig)
{
	(void)sig;
}

/*
 * KVM_RUN from rip until an exit other than an interrupted run: its reason,
 * or -ETIMEDOUT if none comes within PROBE_RUN_US (a SIGALRM, without
 * SA_RESTART, ends a KVM_RUN that never returns by itself), or -errno.
 */
static int probe_run(struct probe_vm *p, uint64_t rip)
{
	struct sigaction sa = { .sa_handler = on_alarm }, old;
	struct itimerval t = { .it_value = { .tv_usec = PROBE_RUN_US } }, off = { 0 };
	struct kvm_regs regs = { .rip = rip, .rflags = X86_RFLAGS_FIXED };
	sigset_t alrm, saved;
	int r = -EIO;

	if (ioctl(p->vcpu, KVM_SET_REGS, &regs) < 0)
		return -errno;
	sigemptyset(&alrm);
	sigaddset(&alrm, SIGALRM);
	sigaction(SIGALRM, &sa, &old);
	pthread_sigmask(SIG_UNBLOCK, &alrm, &saved);
	setitimer(ITIMER_REAL, &t, NULL);
	for (int i = 0; i < 16; i++) {
		if (ioctl(p->vcpu, KVM_RUN, 0) < 0) {
			r = errno == EINTR ? -ETIMEDOUT : -errno;
			break;
		}
		if (p->run->exit_reason != KVM_EXIT_INTR) {
			r = (int)p->run->exit_reason;
			break;
		}
	}
	setitimer(ITIMER_REAL, &off, NULL);
	pthread_sigmask(SIG_SETMASK, &saved, NULL);
	sigaction(SIGALRM, &old, NULL);
	return r;
}

/* Real mode at 0: eax = 0xfffe (no such hypercall); vmcall; out PROBE_PORT; hlt. */
static const uint8_t vmcall_code[] = {
	0x66, 0xb8, 0xfe, 0xff, 0x00, 0x00,	/* mov eax, 0xfffe */
	0x0f, 0x01, 0xc1,			/* vmcall */
	0xe6, PROBE_PORT,			/* out PROBE_PORT, al */
	0xf4,					/* hlt */
};

bool x86_probe_hypercalls(int kvm_fd)
{
	struct probe_vm p;
	struct kvm_sregs s;
	struct kvm_regs regs;
	int e;

	if (probe_open(&p, kvm_fd, vmcall_code, sizeof(vmcall_code), 0))
		return true;
	if (ioctl(p.vcpu, KVM_GET_SREGS, &s) < 0)
		goto unknown;
	s.cs.selector = 0;
	s.cs.base = 0;
	if (ioctl(p.vcpu, KVM_SET_SREGS, &s) < 0)
		goto unknown;
	e = probe_run(&p, 0);
	if (e == KVM_EXIT_IO && p.run->io.port == PROBE_PORT &&
	    ioctl(p.vcpu, KVM_GET_REGS, &regs) == 0) {
		probe_close(&p);
		if ((uint32_t)regs.rax == (uint32_t)-KVM_ENOSYS_VAL) {
			log_debug("probe: hypercalls complete");
			return true;
		}
		log_debug("probe: a hypercall answered eax=0x%x, not -KVM_ENOSYS",
			  (unsigned)regs.rax);
		return false;
	}
	if (e == -ETIMEDOUT) {
		probe_close(&p);
		log_debug("probe: the host's KVM does not complete hypercalls (no progress)");
		return false;
	}
unknown:
	probe_close(&p);
	log_debug("probe: hypercalls not probed");
	return true;
}

/*
 * The debug probe's guest, at 0x100 in flat 32-bit protected mode with no
 * IDT (any exception it takes itself ends in a triple fault):
 */
#define DP_SW		0x100	/* int3 */
#define DP_HW		0x103	/* nop, with DR0 on it */
#define DP_DATA		0x106	/* mov [DP_VAR], eax, with DR1 on DP_VAR */
#define DP_PAUSE	0x10e	/* pause, single-stepped: must stop at the nop after it */
#define DP_VAR		0x800
static const uint8_t debug_code[] = {
	0xcc,				/* 0x100: int3 */
	0xe6, 0xe0,			/* 0x101: out 0xe0, al */
	0x90,				/* 0x103: nop */
	0xe6, 0xe1,			/* 0x104: out 0xe1, al */
	0xa3, 0x00, 0x08, 0x00, 0x00,	/* 0x106: mov [0x800], eax */
	0xe6, 0xe2,			/* 0x10b: out 0xe2, al */
	0xf4,				/* 0x10d: hlt */
	0xf3, 0x90,			/* 0x10e: pause */
	0x90,				/* 0x110: nop */
	0xe6, 0xe3,			/* 0x111: out 0xe3, al */
	0xf4,				/* 0x113: hlt */
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

/* One run from rip under dbg: the exit reason it ends with (< 0: none). */
static int debug_run(struct probe_vm *p, uint64_t rip, const struct kvm_guest_debug *dbg)
{
	if (ioctl(p->vcpu, KVM_SET_GUEST_DEBUG, dbg) < 0)
		return -errno;
	return probe_run(p, rip);
}

void x86_probe_debug(int kvm_fd, struct x86_debug_probe *out)
{
	struct kvm_guest_debug dbg;
	struct probe_vm p;
	struct kvm_sregs s;
	int e;

	*out = (struct x86_debug_probe){ false, true, true, true, true };
	if (probe_open(&p, kvm_fd, debug_code, sizeof(debug_code), DP_SW))
		return;
	if (ioctl(p.vcpu, KVM_GET_SREGS, &s) < 0)
		goto out;
	flat_seg(&s.cs, 0xb);
	flat_seg(&s.ds, 0x3);
	s.es = s.fs = s.gs = s.ss = s.ds;
	s.cr0 = X86_CR0_PE | X86_CR0_ET;
	s.idt.base = 0;
	s.idt.limit = 0;		/* an exception the guest takes: triple fault */
	if (ioctl(p.vcpu, KVM_SET_SREGS, &s) < 0)
		goto out;

	memset(&dbg, 0, sizeof(dbg));
	dbg.control = KVM_GUESTDBG_ENABLE | KVM_GUESTDBG_USE_SW_BP;
	e = debug_run(&p, DP_SW, &dbg);
	out->swbp_traps = e == KVM_EXIT_DEBUG || e == KVM_EXIT_INTERNAL_ERROR;

	memset(&dbg, 0, sizeof(dbg));
	dbg.control = KVM_GUESTDBG_ENABLE | KVM_GUESTDBG_USE_HW_BP;
	dbg.arch.debugreg[0] = DP_HW;
	dbg.arch.debugreg[7] = X86_DR7_L(0) | X86_DR7_GE | X86_DR7_FIXED;
	e = debug_run(&p, DP_HW, &dbg);
	out->hwbp_fires = e == KVM_EXIT_DEBUG && (p.run->debug.arch.dr6 & X86_DR6_B(0));

	memset(&dbg, 0, sizeof(dbg));
	dbg.control = KVM_GUESTDBG_ENABLE | KVM_GUESTDBG_USE_HW_BP;
	dbg.arch.debugreg[1] = DP_VAR;
	dbg.arch.debugreg[7] = X86_DR7_L(1) | X86_DR7_GE | X86_DR7_FIXED |
			       (X86_DR7_RW_WRITE << X86_DR7_RW_SHIFT(1)) |
			       (3ULL << X86_DR7_LEN_SHIFT(1));
	e = debug_run(&p, DP_DATA, &dbg);
	out->dbp_fires = e == KVM_EXIT_DEBUG && (p.run->debug.arch.dr6 & X86_DR6_B(1));

	memset(&dbg, 0, sizeof(dbg));
	dbg.control = KVM_GUESTDBG_ENABLE | KVM_GUESTDBG_SINGLESTEP;
	e = debug_run(&p, DP_PAUSE, &dbg);
	out->step_pause_exact = e == KVM_EXIT_DEBUG && p.run->debug.arch.pc == DP_PAUSE + 2;
	out->probed = true;
	log_debug("probe: software breakpoints %s, hardware breakpoints %s, data breakpoints %s, "
		  "a step over pause %s", out->swbp_traps ? "trap" : "reach the guest",
		  out->hwbp_fires ? "fire" : "do not fire", out->dbp_fires ? "fire" : "do not fire",
		  out->step_pause_exact ? "stops after it" : "runs on");
out:
	probe_close(&p);
}
