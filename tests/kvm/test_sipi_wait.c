/*
 * test_sipi_wait.c -- stopping a machine whose APs still wait for INIT/SIPI,
 * on real KVM.  vCPU 0 runs a real-mode loop counting in RAM; vCPUs 1 and 2
 * are left as KVM creates them ("uninitialized").  A stop must not kick
 * those (they cannot run a guest instruction), their state must still be
 * readable (they are kicked then), and one made runnable by a state write
 * must be stopped like any other.  Exits 77 (skip, loudly) without /dev/kvm.
 */
#include <errno.h>
#include <string.h>

#include "loader/loader.h"
#include "kvm_test.h"
#include "core/vcpu.h"
#include "core/vm.h"
#include "core/runctl.h"

static struct vm vm;

static bool parked(int cpu)
{
	return __atomic_load_n(&vm.vcpus[cpu]->parked, __ATOMIC_SEQ_CST);
}

TEST(aps_waiting_for_sipi)
{
	struct boot_state bs = { .mode = BOOT_REAL16, .cs = 0x100, .cs_base = 0x1000, .rip = 0 };
	struct vcpu_state st;
	uint32_t c0, c2;

	put_loop(&vm, 0x1000, 0x500);
	put_loop(&vm, 0x3000, 0x508);
	CHECK(arch_vcpu_boot(vm.vcpus[0], &bs) == 0);
	CHECK(vcpus_start(&vm) == 0);
	msleep(100);
	CHECK(loop_count(&vm, 0) > 0);

	/* the APs are stopped where they are: inside KVM_RUN, not kicked */
	CHECK(vcpu_stop_all(&vm) == 0);
	CHECK(vcpu_all_parked(&vm));
	CHECK(parked(0));
	CHECK(vm.vcpus[1]->sipi_wait && !parked(1));
	CHECK(vm.vcpus[2]->sipi_wait && !parked(2));
	c0 = loop_count(&vm, 0);
	msleep(20);
	CHECK_EQ(loop_count(&vm, 0), c0);

	/* wanting an AP's state brings it out (a kick) */
	CHECK(vcpu_get_state(vm.vcpus[1], &st) == 0);
	CHECK(parked(1));
	CHECK_EQ(st.mp.mp_state, KVM_MP_STATE_UNINITIALIZED);
	CHECK_EQ(st.sregs.cs.selector, 0xf000);

	/* resume and stop again: the APs go back to waiting, vCPU 0 counts on */
	CHECK(vcpu_resume_all(&vm) == 0);
	msleep(50);
	CHECK(loop_count(&vm, 0) > c0);
	CHECK(vcpu_stop_all(&vm) == 0);
	CHECK(vm.vcpus[1]->sipi_wait && !parked(1));

	/* vCPU 2 made runnable by the debugger: it runs, and a stop stops it */
	CHECK(start_at(&vm, 2, 0x300) == 0);
	c2 = loop_count(&vm, 2);
	CHECK(vcpu_resume_all(&vm) == 0);
	msleep(50);
	CHECK(vcpu_stop_all(&vm) == 0);
	CHECK(!vm.vcpus[2]->sipi_wait && parked(2));
	CHECK(loop_count(&vm, 2) > c2);
	c2 = loop_count(&vm, 2);
	msleep(20);
	CHECK_EQ(loop_count(&vm, 2), c2);

	vcpus_join(&vm);
	CHECK(parked(1) && parked(2));
}

int main(void)
{
	return kvm_test_main(&vm, 3, __FILE__, "SIPI-wait");
}
