/* vm.c -- the KVM virtual machine: /dev/kvm, RAM, irqchip, PIT, vCPUs. */
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

#include "arch/x86/cpuid.h"
#include "util.h"
#include "core/vcpu.h"
#include "core/vm.h"

struct vm *the_vm;

/* KVM needs three pages for the TSS and one for the EPT identity map (Intel),
 * somewhere the guest does not use: just below the firmware's 16 MiB window. */
#define VM_IDENTITY_MAP_ADDR	0xfeffc000ULL
#define VM_TSS_ADDR		0xfeffd000ULL

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
		{ KVM_CAP_PIT2, "KVM_CAP_PIT2" },
		{ KVM_CAP_IMMEDIATE_EXIT, "KVM_CAP_IMMEDIATE_EXIT" },
		{ KVM_CAP_EXT_CPUID, "KVM_CAP_EXT_CPUID" },
	};

	for (unsigned i = 0; i < ARRAY_SIZE(need); i++) {
		if (ioctl(kvm_fd, KVM_CHECK_EXTENSION, need[i].cap) <= 0) {
			snprintf(err, errlen, "the host's KVM lacks %s", need[i].name);
			return -ENOTSUP;
		}
	}
	return 0;
}

static int set_slot(struct vm *vm, uint32_t slot, uint64_t gpa, uint64_t size, void *host,
		    bool readonly)
{
	struct kvm_userspace_memory_region r = {
		.slot = slot,
		.flags = readonly ? KVM_MEM_READONLY : 0,
		.guest_phys_addr = gpa,
		.memory_size = size,
		.userspace_addr = (uint64_t)(uintptr_t)host,
	};

	return ioctl(vm->vm_fd, KVM_SET_USER_MEMORY_REGION, &r) < 0 ? -errno : 0;
}

/* One RAM region [gpa, gpa+size) at host, split around the trapped pages in it. */
static int lay_region(struct vm *vm, uint64_t gpa, uint64_t size, uint8_t *host,
		      const uint64_t *pages, const enum ram_trap *traps, int n)
{
	uint64_t at = gpa, end = gpa + size;
	int r;

	for (int i = 0; i <= n; i++) {
		uint64_t pg = i < n ? pages[i] : end;

		if (i < n && (pg < gpa || pg >= end))
			continue;
		if (pg > at) {
			r = set_slot(vm, VM_RAM_SLOT_BASE + (uint32_t)vm->ram_slots, at, pg - at,
				     host + (at - gpa), false);
			if (r)
				return r;
			vm->ram_slots++;
		}
		if (i == n)
			break;
		if (traps[i] == RAM_TRAP_WRITE) {
			r = set_slot(vm, VM_RAM_SLOT_BASE + (uint32_t)vm->ram_slots, pg, 4096,
				     host + (pg - gpa), true);
			if (r)
				return r;
			vm->ram_slots++;
		}
		at = pg + 4096;
	}
	return 0;
}

int vm_ram_layout(struct vm *vm, const uint64_t *pages, const enum ram_trap *traps, int n)
{
	uint64_t high = vm->mem.size - vm->mem.low_size;
	int r;

	/* delete every RAM slot, then lay them out anew */
	for (int i = 0; i < vm->ram_slots; i++)
		set_slot(vm, VM_RAM_SLOT_BASE + (uint32_t)i, 0, 0, NULL, false);
	vm->ram_slots = 0;
	r = lay_region(vm, 0, vm->mem.low_size, vm->mem.host, pages, traps, n);
	if (!r && high)
		r = lay_region(vm, GMEM_HIGH_BASE, high, vm->mem.host + vm->mem.low_size,
			       pages, traps, n);
	if (r && n)
		vm_ram_layout(vm, NULL, NULL, 0);
	return r;
}

int vm_map_temp(struct vm *vm, int id, uint64_t gpa)
{
	void *host = gmem_ptr(&vm->mem, gpa, 4096);

	if (!host)
		return -EFAULT;
	return set_slot(vm, VM_TEMP_SLOT_BASE + (uint32_t)id, gpa, 4096, host, true);
}

void vm_unmap_temp(struct vm *vm, int id)
{
	set_slot(vm, VM_TEMP_SLOT_BASE + (uint32_t)id, 0, 0, NULL, false);
}

int vm_map(struct vm *vm, uint64_t gpa, uint64_t size, void *host, bool readonly)
{
	struct kvm_userspace_memory_region r = {
		.slot = vm->next_slot,
		.flags = readonly ? KVM_MEM_READONLY : 0,
		.guest_phys_addr = gpa,
		.memory_size = size,
		.userspace_addr = (uint64_t)(uintptr_t)host,
	};

	if (ioctl(vm->vm_fd, KVM_SET_USER_MEMORY_REGION, &r) < 0)
		return -errno;
	vm->next_slot++;
	return 0;
}

static int create_ram(struct vm *vm, uint64_t mem_size, char *err, size_t errlen)
{
	struct sysinfo si;
	void *p;
	int r;

	if (sysinfo(&si) == 0) {
		uint64_t host = (uint64_t)si.totalram * si.mem_unit;

		if (mem_size > host) {
			snprintf(err, errlen, "memory %llu MiB is more than the host has "
				 "(%llu MiB)", (unsigned long long)(mem_size >> 20),
				 (unsigned long long)(host >> 20));
			return -ENOMEM;
		}
	}
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

int vm_create(struct vm *vm, int ncpus, uint64_t mem_size, char *err, size_t errlen)
{
	struct kvm_pit_config pit = { .flags = KVM_PIT_SPEAKER_DUMMY };	/* port 0x61 too */
	int r, max;

	memset(vm, 0, sizeof(*vm));
	vm->vm_fd = -1;
	pthread_mutex_init(&vm->lock, NULL);
	pthread_cond_init(&vm->done_cond, NULL);
	vm->ncpus = ncpus;
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
	if (ioctl(vm->vm_fd, KVM_SET_IDENTITY_MAP_ADDR, &(uint64_t){ VM_IDENTITY_MAP_ADDR }) < 0 ||
	    ioctl(vm->vm_fd, KVM_SET_TSS_ADDR, (unsigned long)VM_TSS_ADDR) < 0) {
		snprintf(err, errlen, "KVM_SET_TSS_ADDR: %s", strerror(errno));
		return -errno;
	}
	if (ioctl(vm->vm_fd, KVM_CREATE_IRQCHIP, 0) < 0) {
		snprintf(err, errlen, "KVM_CREATE_IRQCHIP: %s", strerror(errno));
		return -errno;
	}
	if (ioctl(vm->vm_fd, KVM_CREATE_PIT2, &pit) < 0) {
		snprintf(err, errlen, "KVM_CREATE_PIT2: %s", strerror(errno));
		return -errno;
	}
	r = create_ram(vm, mem_size, err, errlen);
	if (r)
		return r;
	r = cpuid_init(vm, err, errlen);
	if (r)
		return r;
	for (int i = 0; i < ncpus; i++) {
		r = vcpu_create(vm, i, &vm->vcpus[i]);
		if (r) {
			snprintf(err, errlen, "cannot create vCPU %d: %s", i, strerror(-r));
			return r;
		}
	}
	the_vm = vm;
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
	free((void *)vm->cpuid);
	vm->cpuid = NULL;
	if (the_vm == vm)
		the_vm = NULL;
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

void vm_request_exit(struct vm *vm, int status, const char *why)
{
	struct vcpu *v = vcpu_current();

	if (v && vm->guest_exit_hook && vm->guest_exit_hook(vm, v, status, why))
		return;
	vm_force_exit(vm, status, why);
}

void vm_force_exit(struct vm *vm, int status, const char *why)
{
	pthread_mutex_lock(&vm->lock);
	if (!vm->done) {
		vm->done = true;
		vm->exit_status = status;
		if (why)
			log_info("%s (exit status %d)", why, status);
		pthread_cond_broadcast(&vm->done_cond);
	}
	pthread_mutex_unlock(&vm->lock);
}

int vm_wait(struct vm *vm)
{
	int status;

	pthread_mutex_lock(&vm->lock);
	while (!vm->done)
		pthread_cond_wait(&vm->done_cond, &vm->lock);
	status = vm->exit_status;
	pthread_mutex_unlock(&vm->lock);
	return status;
}
