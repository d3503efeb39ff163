/*
 * test_vcpu_ctl.c -- the vCPU run-control primitives on real KVM: stop all,
 * resume all, run one alone, single step, read/write state.  Two vCPUs run a
 * real-mode loop each, counting in RAM; the test watches the counters.
 * Exits 77 (skip, loudly) without /dev/kvm.
 */
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "loader/loader.h"
#include "test.h"
#include "vcpu.h"
#include "vm.h"
#include "x86_vcpu.h"

static struct vm vm;

/* inc dword [addr] (operand-size prefix in real mode); jmp back */
static void put_loop(uint64_t at, uint16_t counter)
{
	uint8_t code[] = { 0x66, 0xff, 0x06, (uint8_t)counter, (uint8_t)(counter >> 8),
			   0xeb, 0xf9 };

	gmem_write(&vm.mem, at, code, sizeof(code));
}

static uint32_t counter(int cpu)
{
	uint32_t v;

	gmem_read(&vm.mem, 0x500 + 4 * (uint64_t)cpu, &v, 4);
	return v;
}

static void msleep(int ms)
{
	struct timespec ts = { ms / 1000, (long)(ms % 1000) * 1000000L };

	nanosleep(&ts, NULL);
}

static double now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec * 1e3 + ts.tv_nsec / 1e6;
}

TEST(run_control)
{
	struct boot_state bs = { .mode = BOOT_REAL16, .cs = 0x100, .cs_base = 0x1000, .rip = 0 };
	struct vcpu_state st;
	uint32_t c0, c1;
	double t0, stop_ms;

	put_loop(0x1000, 0x500);
	put_loop(0x2000, 0x504);
	CHECK(x86_vcpu_boot(vm.vcpus[0], &bs) == 0);
	/* vCPU 1 would wait for INIT/SIPI: make it runnable at 0x200:0 directly */
	CHECK(vcpu_get_state(vm.vcpus[1], &st) == 0);
	st.sregs.cs.selector = 0x200;
	st.sregs.cs.base = 0x2000;
	st.regs.rip = 0;
	st.mp.mp_state = KVM_MP_STATE_RUNNABLE;
	CHECK(vcpu_set_state(vm.vcpus[1], &st) == 0);

	CHECK(vcpus_start(&vm) == 0);
	msleep(100);
	CHECK(counter(0) > 0);
	CHECK(counter(1) > 0);

	/* stop all: nothing moves any more, and state is readable */
	t0 = now_ms();
	CHECK(vcpu_stop_all(&vm) == 0);
	stop_ms = now_ms() - t0;
	printf("stop all (2 vCPUs running): %.3f ms\n", stop_ms);
	CHECK(stop_ms < 1000);
	CHECK(vcpu_all_parked(&vm));
	c0 = counter(0);
	c1 = counter(1);
	msleep(50);
	CHECK_EQ(counter(0), c0);
	CHECK_EQ(counter(1), c1);
	CHECK(vcpu_get_state(vm.vcpus[0], &st) == 0);
	CHECK(st.regs.rip == 0 || st.regs.rip == 5);
	CHECK_EQ(st.sregs.cs.base, 0x1000);

	/* run vCPU 1 alone */
	CHECK(vcpu_run_one(&vm, 1, VCPU_RUN) == 0);
	msleep(50);
	CHECK(vcpu_get_state(vm.vcpus[1], &st) == -EBUSY);	/* running: refused */
	CHECK(vcpu_stop_all(&vm) == 0);
	CHECK_EQ(counter(0), c0);
	CHECK(counter(1) > c1);

	/* single step vCPU 0: exactly one instruction */
	for (int i = 0; i < 4; i++) {
		uint64_t before;
		uint32_t cnt = counter(0);

		CHECK(vcpu_get_state(vm.vcpus[0], &st) == 0);
		before = st.regs.rip;
		CHECK(vcpu_run_one(&vm, 0, VCPU_STEP) == 0);
		CHECK(vcpu_wait_parked(&vm, 5000) == 0);
		CHECK(vcpu_get_state(vm.vcpus[0], &st) == 0);
		CHECK_EQ(st.regs.rip, before == 0 ? 5 : 0);
		CHECK_EQ(counter(0), before == 0 ? cnt + 1 : cnt);
		CHECK(vm.vcpus[0]->stepped);
		CHECK(vm.vcpus[0]->stop_reason == STOP_STEP);
	}

	/* write state: move vCPU 0 onto vCPU 1's loop (cs 0x200) and set rax */
	CHECK(vcpu_get_state(vm.vcpus[0], &st) == 0);
	st.regs.rax = 0x1234;
	st.regs.rip = 0;
	st.sregs.cs.selector = 0x200;
	st.sregs.cs.base = 0x2000;
	CHECK(vcpu_set_state(vm.vcpus[0], &st) == 0);
	memset(&st, 0, sizeof(st));
	CHECK(vcpu_get_state(vm.vcpus[0], &st) == 0);
	CHECK_EQ(st.regs.rax, 0x1234);
	c0 = counter(0);
	c1 = counter(1);

	/* resume all: both run the same loop now; counter 0 stays */
	CHECK(vcpu_resume_all(&vm) == 0);
	msleep(100);
	CHECK(vcpu_stop_all(&vm) == 0);
	CHECK_EQ(counter(0), c0);
	CHECK(counter(1) > c1 + 10);

	vcpus_join(&vm);
}

int main(void)
{
	char err[256];
	int r;

	if (access("/dev/kvm", R_OK | W_OK)) {
		printf("SKIP: /dev/kvm missing or not accessible: vCPU control test NOT RUN\n");
		return 77;
	}
	r = vm_create(&vm, 2, 16 << 20, err, sizeof(err));
	if (r) {
		printf("FAIL: vm_create: %s\n", err);
		return 1;
	}
	for (int i = 0; i < test_ncases; i++)
		test_cases[i].fn();
	vm_destroy(&vm);
	printf("%s: %d passed, %d failed\n", __FILE__, test_failed_checks ? 0 : 1,
	       test_failed_checks ? 1 : 0);
	return test_failed_checks ? 1 : 0;
}
