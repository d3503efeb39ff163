/* phys.c -- guest-physical access for the debugger; see phys.h. */
#include <errno.h>
#include <string.h>

#include "core/phys.h"
#include "core/io.h"
#include "util.h"
#include "core/vm.h"

/* Bytes of RAM or ROM contiguous from gpa (0: neither), and where they are. */
static uint64_t backed(struct vm *vm, uint64_t gpa, uint8_t **host, bool *rom)
{
	uint64_t n = gmem_span(&vm->mem, gpa, host);

	*rom = false;
	if (n)
		return n;
	if (vm->rom && gpa >= vm->rom_gpa && gpa - vm->rom_gpa < vm->rom_size) {
		*host = (uint8_t *)vm->rom + (gpa - vm->rom_gpa);
		*rom = true;
		return vm->rom_size - (gpa - vm->rom_gpa);
	}
	return 0;
}

/* One MMIO access of the natural size at gpa (at most 4 bytes, aligned). */
static int mmio_piece(struct vm *vm, uint64_t gpa, uint8_t *p, size_t left, bool write)
{
	unsigned sz = 4;

	while (sz > 1 && ((gpa & (sz - 1)) || sz > left))
		sz >>= 1;
	if (io_dispatch(&vm->io, IO_MMIO, NULL, gpa, p, sz, write))
		return -EFAULT;
	return (int)sz;
}

long phys_access(struct vm *vm, uint64_t gpa, void *buf, size_t len, bool write)
{
	uint8_t *p = buf;
	size_t done = 0;

	while (done < len) {
		uint64_t a = gpa + done;
		uint8_t *host;
		bool rom;
		uint64_t n;

		if (a < gpa)		/* wrapped past 2^64 */
			break;
		n = backed(vm, a, &host, &rom);
		if (n) {
			n = MIN(n, len - done);
			if (write && rom)
				break;
			if (write) {
				memcpy(host, p + done, n);
				vm_dirty_mark(vm, a, n);
			}
			else
				memcpy(p + done, host, n);
			done += n;
			continue;
		}
		if (!io_lookup_name(&vm->io, IO_MMIO, a))
			break;
		int r = mmio_piece(vm, a, p + done, len - done, write);

		if (r < 0)
			break;
		done += (size_t)r;
	}
	return done ? (long)done : -EFAULT;
}
