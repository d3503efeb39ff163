/*
 * lockrmw.h (x86) -- is the instruction a locked read-modify-write?  The
 * trapped-page mechanism serialises those (core/trap_page.h) when KVM
 * completes one on a watched page in two MMIO exits.
 */
#ifndef HYVE_X86_LOCKRMW_H
#define HYVE_X86_LOCKRMW_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/*
 * Does the instruction starting at p (n bytes available) access its memory
 * operand as one locked read-modify-write: a lock prefix (only allowed on
 * read-modify-writes of memory), or xchg with a memory operand (locked
 * without one)?  long64: 64-bit code (REX prefixes).  Pure.
 */
bool x86_locked_rmw(const uint8_t *p, size_t n, bool long64);

#endif
