/*
 * test_vcpu_ctl.c -- the vCPU run-control primitives on real KVM: stop all,
 * resume all, run one alone, single step, read/write state.  Two vCPUs run a
 * real-mode loop each, counting in RAM; the test watches the counters.
 * Exits 77 (skip, loudly) without /dev/kvm.
 */
#include <errno.h>
#include <string.h>

#include "loader/loader.h"
#include "kvm_test.h"
#include "core/vcpu.h"
#include "core/vm.h"
#include "core/runctl.h"

static struct vm vm;

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

	put_loop(&vm, 0x1000, 0x500);
	put_loop(&vm, 0x2000, 0x504);
	CHECK(arch_vcpu_boot(vm.vcpus[0], &bs) == 0);
	/* vCPU 1 would wait for INIT/SIPI: make it runnable at 0x200:0 directly */
	CHECK(start_at(&vm, 1, 0x200) == 0);

	CHECK(vcpus_start(&vm) == 0);
	msleep(100);
	CHECK(loop_count(&vm, 0) > 0);
	CHECK(loop_count(&vm, 1) > 0);

	/* stop all: nothing moves any more, and state is readable */
	t0 = now_ms();
	CHECK(vcpu_stop_all(&vm) == 0);
	stop_ms = now_ms() - t0;
	printf("stop all (2 vCPUs running): %.3f ms\n", stop_ms);
	CHECK(stop_ms < 1000);
	CHECK(vcpu_all_parked(&vm));
	c0 = loop_count(&vm, 0);
	c1 = loop_count(&vm, 1);
	msleep(50);
	CHECK_EQ(loop_count(&vm, 0), c0);
	CHECK_EQ(loop_count(&vm, 1), c1);
	CHECK(vcpu_get_state(vm.vcpus[0], &st) == 0);
	CHECK(st.regs.rip == 0 || st.regs.rip == 5);
	CHECK_EQ(st.sregs.cs.base, 0x1000);

	/* run vCPU 1 alone */
	CHECK(vcpu_run_one(&vm, 1, VCPU_RUN) == 0);
	msleep(50);
	CHECK(vcpu_get_state(vm.vcpus[1], &st) == -EBUSY);	/* running: refused */
	CHECK(vcpu_stop_all(&vm) == 0);
	CHECK_EQ(loop_count(&vm, 0), c0);
	CHECK(loop_count(&vm, 1) > c1);

	/* single step vCPU 0: exactly one instruction */
	for (int i = 0; i < 4; i++) {
		uint64_t before;
		uint32_t cnt = loop_count(&vm, 0);

		CHECK(vcpu_get_state(vm.vcpus[0], &st) == 0);
		before = st.regs.rip;
		CHECK(vcpu_run_one(&vm, 0, VCPU_STEP) == 0);
		CHECK(vcpu_wait_parked(&vm, 5000) == 0);
		CHECK(vcpu_get_state(vm.vcpus[0], &st) == 0);
		CHECK_EQ(st.regs.rip, before == 0 ? 5 : 0);
		CHECK_EQ(loop_count(&vm, 0), before == 0 ? cnt + 1 : cnt);
		CHECK(vm.vcpus[0]->stepped);
		CHECK(vm.vcpus[0]->stop.reason == STOP_STEP);
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
	c0 = loop_count(&vm, 0);
	c1 = loop_count(&vm, 1);

	/* resume all: both run the same loop now; counter 0 stays */
	CHECK(vcpu_resume_all(&vm) == 0);
	msleep(100);
	CHECK(vcpu_stop_all(&vm) == 0);
	CHECK_EQ(loop_count(&vm, 0), c0);
	CHECK(loop_count(&vm, 1) > c1 + 10);

	vcpus_join(&vm);
}

int main(void)
{
	return kvm_test_main(&vm, 2, __FILE__, "vCPU control");
}
