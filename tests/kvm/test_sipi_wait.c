/*
 * test_sipi_wait.c -- stopping a machine whose APs still wait for INIT/SIPI,
 * on real KVM.  vCPU 0 runs a real-mode loop counting in RAM; vCPUs 1 and 2
 * are left as KVM creates them ("uninitialized").  A stop must not kick
 * those (they cannot run a guest instruction), their state must still be
 * readable (they are kicked then), and one made runnable by a state write
 * must be stopped like any other.  Exits 77 (skip, loudly) without /dev/kvm.
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

/* inc dword [counter] (operand-size prefix in real mode); jmp back */
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

static bool parked(int cpu)
{
	return __atomic_load_n(&vm.vcpus[cpu]->parked, __ATOMIC_SEQ_CST);
}

TEST(aps_waiting_for_sipi)
{
	struct boot_state bs = { .mode = BOOT_REAL16, .cs = 0x100, .cs_base = 0x1000, .rip = 0 };
	struct vcpu_state st;
	uint32_t c0, c2;

	put_loop(0x1000, 0x500);
	put_loop(0x3000, 0x508);
	CHECK(x86_vcpu_boot(vm.vcpus[0], &bs) == 0);
	CHECK(vcpus_start(&vm) == 0);
	msleep(100);
	CHECK(counter(0) > 0);

	/* the APs are stopped where they are: inside KVM_RUN, not kicked */
	CHECK(vcpu_stop_all(&vm) == 0);
	CHECK(vcpu_all_parked(&vm));
	CHECK(parked(0));
	CHECK(vm.vcpus[1]->sipi_wait && !parked(1));
	CHECK(vm.vcpus[2]->sipi_wait && !parked(2));
	c0 = counter(0);
	msleep(20);
	CHECK_EQ(counter(0), c0);

	/* wanting an AP's state brings it out (a kick) */
	CHECK(vcpu_get_state(vm.vcpus[1], &st) == 0);
	CHECK(parked(1));
	CHECK_EQ(st.mp.mp_state, KVM_MP_STATE_UNINITIALIZED);
	CHECK_EQ(st.sregs.cs.selector, 0xf000);

	/* resume and stop again: the APs go back to waiting, vCPU 0 counts on */
	CHECK(vcpu_resume_all(&vm) == 0);
	msleep(50);
	CHECK(counter(0) > c0);
	CHECK(vcpu_stop_all(&vm) == 0);
	CHECK(vm.vcpus[1]->sipi_wait && !parked(1));

	/* vCPU 2 made runnable by the debugger: it runs, and a stop stops it */
	CHECK(vcpu_get_state(vm.vcpus[2], &st) == 0);
	st.sregs.cs.selector = 0x300;
	st.sregs.cs.base = 0x3000;
	st.regs.rip = 0;
	st.mp.mp_state = KVM_MP_STATE_RUNNABLE;
	CHECK(vcpu_set_state(vm.vcpus[2], &st) == 0);
	c2 = counter(2);
	CHECK(vcpu_resume_all(&vm) == 0);
	msleep(50);
	CHECK(vcpu_stop_all(&vm) == 0);
	CHECK(!vm.vcpus[2]->sipi_wait && parked(2));
	CHECK(counter(2) > c2);
	c2 = counter(2);
	msleep(20);
	CHECK_EQ(counter(2), c2);

	vcpus_join(&vm);
	CHECK(parked(1) && parked(2));
}

int main(void)
{
	char err[256];
	int r;

	if (access("/dev/kvm", R_OK | W_OK)) {
		printf("SKIP: /dev/kvm missing or not accessible: SIPI-wait test NOT RUN\n");
		return 77;
	}
	r = vm_create(&vm, 3, 16 << 20, err, sizeof(err));
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
