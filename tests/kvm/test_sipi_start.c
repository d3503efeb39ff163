/*
 * test_sipi_start.c -- an AP that was stopped while it waited for INIT/SIPI
 * (counted as stopped, not kicked: it stays inside KVM_RUN) and is then
 * started by the guest itself after a resume, on real KVM: vCPU 0 sends INIT
 * and a SIPI through its local APIC, the AP runs its loop, and the next stop
 * stops it like any other vCPU.  Exits 77 (skip, loudly) without /dev/kvm.
 */
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

/*
 * vCPU 0, flat 32-bit at 0x1000: wait for the dword at 0x600, then send
 * INIT and a SIPI (vector 2: 0x200:0) to APIC id 1 and count at 0x500.
 */
static const uint8_t starter[] = {
	0x83, 0x3d, 0x00, 0x06, 0x00, 0x00, 0x00,			/* cmp dword [0x600], 0 */
	0x74, 0xf7,							/* je back */
	0xc7, 0x05, 0x10, 0x03, 0xe0, 0xfe, 0x00, 0x00, 0x00, 0x01,	/* ICR high: APIC id 1 */
	0xc7, 0x05, 0x00, 0x03, 0xe0, 0xfe, 0x00, 0x45, 0x00, 0x00,	/* ICR: INIT, assert */
	0xc7, 0x05, 0x00, 0x03, 0xe0, 0xfe, 0x02, 0x46, 0x00, 0x00,	/* ICR: SIPI vector 2 */
	0xff, 0x05, 0x00, 0x05, 0x00, 0x00,				/* inc dword [0x500] */
	0xeb, 0xf8,							/* jmp back */
};

TEST(ap_started_after_a_stop)
{
	struct boot_state bs = { .mode = BOOT_PROT32, .rip = 0x1000 };
	uint32_t go = 1, c0, c1;

	gmem_write(&vm.mem, 0x1000, starter, sizeof(starter));
	put_loop(&vm, 0x2000, KVM_TEST_COUNTERS + 4);
	CHECK(arch_vcpu_boot(vm.vcpus[0], &bs) == 0);
	CHECK(vcpus_start(&vm) == 0);
	msleep(50);
	CHECK(vcpu_stop_all(&vm) == 0);
	CHECK(vm.vcpus[1]->sipi_wait && !parked(1));
	CHECK_EQ(loop_count(&vm, 0), 0);

	gmem_write(&vm.mem, 0x600, &go, 4);	/* now start the AP */
	CHECK(vcpu_resume_all(&vm) == 0);
	msleep(100);
	CHECK(vcpu_stop_all(&vm) == 0);
	CHECK(!vm.vcpus[1]->sipi_wait && parked(1));
	c0 = loop_count(&vm, 0);
	c1 = loop_count(&vm, 1);
	CHECK(c0 > 0);
	CHECK(c1 > 0);			/* the AP ran its loop at 0x200:0 */
	msleep(20);
	CHECK_EQ(loop_count(&vm, 0), c0);
	CHECK_EQ(loop_count(&vm, 1), c1);
	vcpus_join(&vm);
}

int main(void)
{
	return kvm_test_main(&vm, 2, __FILE__, "SIPI-start");
}
