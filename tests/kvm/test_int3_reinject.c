/*
 * test_int3_reinject.c -- the guest's own int3 reaches hyve (the debugger's
 * USE_SW_BP intercepts every #BP): hyve gives the guest its #BP back, and the
 * guest's handler must see the return address just past the int3, on the
 * KVM this runs on.  A real-mode guest: int3 at 0x1000 followed by a 3-byte
 * mov, IVT vector 3 -> a handler that stores the return IP at 0x600 and
 * leaves through an OUT.
 *
 * The exit is handed to hyve's exit table as KVM reports it on this host:
 * on hardware KVM (VMX, SVM) a KVM_EXIT_DEBUG with exception 3 and rip at the
 * int3; where KVM emulates ring 0 (kvm_pvm) an emulation failure at it.  The
 * exit is made up (so the test does not depend on the CPU model intercepting
 * INT3 as #BP -- QEMU's TCG SVM does not), the re-injection is KVM's own.
 * hyve up to fbde23f moved rip past the int3 before injecting #BP in both
 * cases: on VMX the handler then sees int3+2, on SVM the #BP is dropped
 * (Linux with "only re-inject a soft int if rip points at INTn") or the next
 * instruction is skipped -- this test fails there.
 */
#include <errno.h>
#include <linux/kvm.h>
#include <string.h>
#include <sys/ioctl.h>

#include "arch/x86/cpuid.h"
#include "kvm_test.h"
#include "loader/loader.h"
#include "core/exit.h"
#include "core/vcpu.h"
#include "core/runctl.h"

static struct vm vm;

#define INT3_AT		0x1000
#define HANDLER		0x2000
#define SAVED_IP	0x600

static void put_guest(void)
{
	/* int3 ; mov $0x1234,%ax ; out %al,$0xf0 ; jmp . */
	const uint8_t code[] = { 0xcc, 0xb8, 0x34, 0x12, 0xe6, 0xf0, 0xeb, 0xfe };
	/* mov %sp,%bp ; mov 0(%bp),%ax ; mov %ax,0x600 ; out %al,$0xf3 ; jmp . */
	const uint8_t handler[] = { 0x89, 0xe5, 0x8b, 0x46, 0x00, 0xa3, 0x00, 0x06,
				    0xe6, 0xf3, 0xeb, 0xfe };
	const uint8_t ivt3[] = { HANDLER & 0xff, HANDLER >> 8, 0, 0 };
	const uint8_t zero[2] = { 0, 0 };

	gmem_write(&vm.mem, INT3_AT, code, sizeof(code));
	gmem_write(&vm.mem, HANDLER, handler, sizeof(handler));
	gmem_write(&vm.mem, 3 * 4, ivt3, sizeof(ivt3));
	gmem_write(&vm.mem, SAVED_IP, zero, sizeof(zero));
}

/* The vCPU at 0000:1000 (the int3), sp 0x7000, rflags 0x2. */
static int start_at_int3(struct vcpu *v)
{
	struct boot_state bs = { .mode = BOOT_REAL16, .cs = 0, .cs_base = 0, .rip = INT3_AT,
				 .rsp = 0x7000 };

	return arch_vcpu_boot(v, &bs);
}

/* KVM_RUN until an OUT: its port, or -1. */
static int run_to_out(struct vcpu *v)
{
	for (int i = 0; i < 16; i++) {
		if (ioctl(v->fd, KVM_RUN, 0) < 0) {
			if (errno == EINTR || errno == EAGAIN)
				continue;
			return -1;
		}
		if (v->run->exit_reason == KVM_EXIT_IO)
			return v->run->io.port;
		if (v->run->exit_reason != KVM_EXIT_INTR)
			return -1;
	}
	return -1;
}

TEST(guest_int3_gets_its_bp_back)
{
	struct vcpu *v = vm.vcpus[0];
	bool emulates = cpuid_host_emulates();
	uint16_t ip = 0;

	put_guest();
	CHECK(start_at_int3(v) == 0);
	memset(&v->run->debug, 0, sizeof(v->run->debug));
	memset(&v->run->internal, 0, sizeof(v->run->internal));
	if (emulates) {
		/* kvm_pvm: the int3 outside real mode is an emulation failure (real mode
		 * here, but the path is the same) */
		v->run->exit_reason = KVM_EXIT_INTERNAL_ERROR;
		v->run->internal.suberror = KVM_INTERNAL_ERROR_EMULATION;
		printf("host KVM emulates ring 0: the emulation-failure path\n");
	} else {
		/* hardware KVM with USE_SW_BP: a #BP debug exit, rip at the int3 */
		v->run->exit_reason = KVM_EXIT_DEBUG;
		v->run->debug.arch.exception = 3;
		v->run->debug.arch.pc = INT3_AT;
		printf("hardware KVM: the #BP debug-exit path\n");
	}
	CHECK_EQ(vcpu_exit_dispatch(v), EA_CONTINUE);
	int port = run_to_out(v);

	gmem_read(&vm.mem, SAVED_IP, &ip, 2);
	printf("after re-injection: out to port 0x%x, the #BP handler saw return ip 0x%x\n",
	       port, ip);
	CHECK_EQ(port, 0xf3);			/* the guest's #BP handler ran */
	CHECK_EQ(ip, INT3_AT + 1);		/* ... returning just past the int3 */
}

int main(void)
{
	return kvm_test_main(&vm, 1, __FILE__, "int3 re-injection");
}
