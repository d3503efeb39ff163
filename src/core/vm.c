/* vm.c -- the KVM virtual machine: /dev/kvm, RAM, the vCPUs, the per-VM tables. */
#include <errno.h>
#include <fcntl.h>
#include <linux/kvm.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <sys/sysinfo.h>
#include <unistd.h>

#include "core/memslot.h"
#include "core/runctl.h"
#include "core/vcpu.h"
#include "core/snapshot.h"
#include "core/vm.h"
#include "util.h"

static int open_kvm(char *err, size_t errlen)
{
	int fd = open("/dev/kvm", O_RDWR | O_CLOEXEC);
	int ver;

	if (fd < 0) {
		int e = errno;

		if (e == ENOENT)
			snprintf(err, errlen, "/dev/kvm not found: this host has no KVM "
				 "(load kvm_intel or kvm_amd, or enable virtualization)");
		else if (e == EACCES || e == EPERM)
			snprintf(err, errlen, "no permission to open /dev/kvm "
				 "(run as root or join the 'kvm' group)");
		else
			snprintf(err, errlen, "cannot open /dev/kvm: %s", strerror(e));
		return -e;
	}
	ver = ioctl(fd, KVM_GET_API_VERSION, 0);
	if (ver != KVM_API_VERSION) {
		snprintf(err, errlen, "/dev/kvm speaks API version %d, hyve needs %d",
			 ver, KVM_API_VERSION);
		close(fd);
		return -ENOTSUP;
	}
	return fd;
}

static int check_caps(int kvm_fd, char *err, size_t errlen)
{
	static const struct { int cap; const char *name; } need[] = {
		{ KVM_CAP_IRQCHIP, "KVM_CAP_IRQCHIP" },
		{ KVM_CAP_USER_MEMORY, "KVM_CAP_USER_MEMORY" },
		{ KVM_CAP_IMMEDIATE_EXIT, "KVM_CAP_IMMEDIATE_EXIT" },
	};

	for (unsigned i = 0; i < ARRAY_SIZE(need); i++) {
		if (ioctl(kvm_fd, KVM_CHECK_EXTENSION, need[i].cap) <= 0) {
			snprintf(err, errlen, "the host's KVM lacks %s", need[i].name);
			return -ENOTSUP;
		}
	}
	return 0;
}

int vm_check_memory(uint64_t mem_size, char *err, size_t errlen)
{
	struct sysinfo si;

	if (sysinfo(&si) == 0) {
		uint64_t host = (uint64_t)si.totalram * si.mem_unit;

		if (mem_size > host) {
			snprintf(err, errlen, "memory %llu MiB is more than the host has "
				 "(%llu MiB)", (unsigned long long)(mem_size >> 20),
				 (unsigned long long)(host >> 20));
			return -ENOMEM;
		}
	}
	return 0;
}

static int create_ram(struct vm *vm, uint64_t mem_size, char *err, size_t errlen)
{
	void *p;
	int r;

	r = vm_check_memory(mem_size, err, errlen);
	if (r)
		return r;
	p = mmap(NULL, mem_size, PROT_READ | PROT_WRITE,
		 MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE, -1, 0);
	if (p == MAP_FAILED) {
		snprintf(err, errlen, "cannot allocate %llu MiB of guest memory: %s",
			 (unsigned long long)(mem_size >> 20), strerror(errno));
		return -ENOMEM;
	}
	gmem_init(&vm->mem, p, mem_size);
	r = vm_ram_layout(vm, NULL, NULL, 0);
	if (r)
		snprintf(err, errlen, "KVM_SET_USER_MEMORY_REGION: %s", strerror(-r));
	return r;
}

static void nudge(void *opaque, int cpu)
{
	vcpu_nudge(opaque, cpu);
}

void vm_init(struct vm *vm, int ncpus)
{
	memset(vm, 0, sizeof(*vm));
	vm->kvm_fd = vm->vm_fd = -1;
	vm->ncpus = ncpus;
	io_bus_init(&vm->io);
	trap_swbp_init(&vm->swbp, &vm->mem);
	pthread_mutex_init(&vm->temp_lock, NULL);
	pthread_rwlockattr_t ga;

	pthread_rwlockattr_init(&ga);
	pthread_rwlockattr_setkind_np(&ga, PTHREAD_RWLOCK_PREFER_WRITER_NONRECURSIVE_NP);
	pthread_rwlock_init(&vm->exec_gate, &ga);
	pthread_rwlockattr_destroy(&ga);
	trap_page_init(&vm->traps, &vm->mem, vm_ram_layout, vm);
	if (ncpus > 1)
		trap_page_serialise(&vm->traps, nudge, vm);
	runctl_init(vm);
}

int vm_create(struct vm *vm, int ncpus, uint64_t mem_size, char *err, size_t errlen)
{
	int r, max;

	vm_init(vm, ncpus);
	vm->kvm_fd = open_kvm(err, errlen);
	if (vm->kvm_fd < 0)
		return vm->kvm_fd;
	r = check_caps(vm->kvm_fd, err, errlen);
	if (r)
		return r;
	max = ioctl(vm->kvm_fd, KVM_CHECK_EXTENSION, KVM_CAP_MAX_VCPUS);
	if (max <= 0)
		max = ioctl(vm->kvm_fd, KVM_CHECK_EXTENSION, KVM_CAP_NR_VCPUS);
	if (max > 0 && ncpus > max) {
		snprintf(err, errlen, "%d vCPUs requested, the host's KVM allows %d", ncpus, max);
		return -EINVAL;
	}
	vm->run_size = ioctl(vm->kvm_fd, KVM_GET_VCPU_MMAP_SIZE, 0);
	if (vm->run_size <= 0) {
		snprintf(err, errlen, "KVM_GET_VCPU_MMAP_SIZE: %s", strerror(errno));
		return -errno;
	}
	vm->vm_fd = ioctl(vm->kvm_fd, KVM_CREATE_VM, 0);
	if (vm->vm_fd < 0) {
		snprintf(err, errlen, "KVM_CREATE_VM: %s", strerror(errno));
		return -errno;
	}
	if (ioctl(vm->vm_fd, KVM_CREATE_IRQCHIP, 0) < 0) {
		snprintf(err, errlen, "KVM_CREATE_IRQCHIP: %s", strerror(errno));
		return -errno;
	}
	r = arch_vm_init(vm, err, errlen);
	if (r)
		return r;
	r = create_ram(vm, mem_size, err, errlen);
	if (r)
		return r;
	for (int i = 0; i < ncpus; i++) {
		r = vcpu_create(vm, i, &vm->vcpus[i]);
		if (r) {
			snprintf(err, errlen, "cannot create vCPU %d: %s", i, strerror(-r));
			return r;
		}
	}
	return 0;
}

void vm_destroy(struct vm *vm)
{
	for (int i = 0; i < vm->ncpus; i++) {
		if (vm->vcpus[i])
			vcpu_destroy(vm->vcpus[i]);
		vm->vcpus[i] = NULL;
	}
	if (vm->mem.host)
		munmap(vm->mem.host, vm->mem.size);
	if (vm->rom)
		munmap((void *)vm->rom, vm->rom_size);
	vm->rom = NULL;
	vm->mem.host = NULL;
	if (vm->vm_fd >= 0)
		close(vm->vm_fd);
	if (vm->kvm_fd >= 0)
		close(vm->kvm_fd);
	vm->vm_fd = vm->kvm_fd = -1;
	arch_vm_destroy(vm);
	free(vm->boot_states);
	vm->boot_states = NULL;
	snapshot_destroy_all(vm);
	vm_dirty_destroy(vm);
	io_bus_reset(&vm->io);
	trap_swbp_destroy(&vm->swbp);
	trap_page_destroy(&vm->traps);
	pthread_mutex_destroy(&vm->temp_lock);
	pthread_rwlock_destroy(&vm->exec_gate);
	runctl_destroy(vm);
}

int vm_irq_line(struct vm *vm, unsigned irq, int level)
{
	struct kvm_irq_level l = { .irq = irq, .level = level };

	if (vm->vm_fd < 0)
		return -EBADF;
	if (ioctl(vm->vm_fd, KVM_IRQ_LINE, &l) < 0)
		return -errno;
	return 0;
}
