/*
 * phys.h -- guest-physical memory access for the debugger and monitor:
 * RAM is copied directly, firmware ROM is read-only, MMIO goes through the
 * device's own handlers with natural sizes and alignment.  Nothing outside
 * guest RAM/ROM is ever touched on the host.
 */
#ifndef HYVE_PHYS_H
#define HYVE_PHYS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

struct vm;

/*
 * Read or write [gpa, gpa+len).  Returns the bytes done (short at the first
 * byte with no RAM, ROM or device behind it, or a ROM write), or -EFAULT if
 * the first byte failed.
 */
long phys_access(struct vm *vm, uint64_t gpa, void *buf, size_t len, bool write);

#endif
