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
