/*
 * kvm_test.h -- what the tests on real KVM share: guest code that counts in
 * RAM (a real-mode loop per vCPU), reading the counters, and a main() that
 * skips loudly without /dev/kvm and runs every TEST on one VM.
 */
#ifndef HYVE_KVM_TEST_H
#define HYVE_KVM_TEST_H

#include <stdio.h>
#include <time.h>
#include <unistd.h>

#include "test.h"
#include "core/runctl.h"
#include "core/vcpu.h"
#include "core/vm.h"

#define KVM_TEST_COUNTERS	0x500	/* vCPU n counts in the dword at 0x500 + 4n */

/* At guest-physical `at`: inc dword [counter] (operand-size prefix in real
 * mode); jmp back. */
static inline void put_loop(struct vm *vm, uint64_t at, uint16_t counter)
{
	uint8_t code[] = { 0x66, 0xff, 0x06, (uint8_t)counter, (uint8_t)(counter >> 8),
			   0xeb, 0xf9 };

	gmem_write(&vm->mem, at, code, sizeof(code));
}

static inline uint32_t loop_count(struct vm *vm, int cpu)
{
	uint32_t v;

	gmem_read(&vm->mem, KVM_TEST_COUNTERS + 4 * (uint64_t)cpu, &v, 4);
	return v;
}

/* Make a vCPU runnable in real mode at seg:0 (as if started there): 0 or -errno. */
static inline int start_at(struct vm *vm, int cpu, uint16_t seg)
{
	struct vcpu_state st;
	int r = vcpu_get_state(vm->vcpus[cpu], &st);

	if (r)
		return r;
	st.sregs.cs.selector = seg;
	st.sregs.cs.base = (uint64_t)seg << 4;
	st.regs.rip = 0;
	st.mp.mp_state = KVM_MP_STATE_RUNNABLE;
	return vcpu_set_state(vm->vcpus[cpu], &st);
}

static inline void msleep(int ms)
{
	struct timespec ts = { ms / 1000, (long)(ms % 1000) * 1000000L };

	nanosleep(&ts, NULL);
}

/* main(): a VM of ncpus vCPUs and 16 MiB, every TEST, exit status 0/1 (77: no KVM). */
static inline int kvm_test_main(struct vm *vm, int ncpus, const char *file, const char *what)
{
	char err[256];

	if (access("/dev/kvm", R_OK | W_OK)) {
		printf("SKIP: /dev/kvm missing or not accessible: %s test NOT RUN\n", what);
		return 77;
	}
	if (vm_create(vm, ncpus, 16 << 20, err, sizeof(err))) {
		printf("FAIL: vm_create: %s\n", err);
		return 1;
	}
	for (int i = 0; i < test_ncases; i++)
		test_cases[i].fn();
	vm_destroy(vm);
	printf("%s: %d passed, %d failed\n", file, test_failed_checks ? 0 : 1,
	       test_failed_checks ? 1 : 0);
	return test_failed_checks ? 1 : 0;
}

#endif
