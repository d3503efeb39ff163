/*
 * walk.h -- x86 guest page-table walker for the debugger: translates guest
 * virtual (linear) addresses to guest-physical ones by reading the guest's
 * own tables through an abstract physical-memory reader, so it works on
 * guest RAM and, in unit tests, on tables built in a buffer.
 *
 * The paging mode follows from the control registers as on hardware:
 *   CR0.PG = 0                      no paging: identity, 32-bit wrap
 *   PG, !CR4.PAE                    32-bit: 4 KiB, 4 MiB (CR4.PSE, PSE-36)
 *   PG, PAE, !EFER.LMA              PAE: PDPTEs, 2 MiB, 4 KiB
 *   PG, PAE, LMA, !CR4.LA57         4-level: 1 GiB, 2 MiB, 4 KiB
 *   PG, PAE, LMA, LA57              5-level
 * Accessed/dirty bits are never set: a debugger must not change the guest.
 */
#ifndef HYVE_X86_WALK_H
#define HYVE_X86_WALK_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "arch/x86/regs.h"

/* Read len bytes of guest-physical memory at gpa.  0 or -EFAULT. */
typedef int (*walk_read_fn)(void *opaque, uint64_t gpa, void *buf, size_t len);

struct walk_ctx {
	uint64_t cr0, cr3, cr4, efer;
	/*
	 * The guest's MAXPHYADDR (CPUID 0x80000008 EAX[7:0]); entry bits at or
	 * above it are reserved.  0 means 52, the architectural maximum.
	 */
	unsigned maxphyaddr;
	walk_read_fn read_phys;
	void *opaque;
};

struct walk_result {
	uint64_t gpa;		/* translation of the address asked for */
	uint64_t page_size;	/* 4 KiB .. 1 GiB; 4 GiB when paging is off */
	bool writable;		/* R/W set at every level */
	bool user;		/* U/S set at every level */
	bool nx;		/* XD set at some level (only with EFER.NXE) */
	int level;		/* level of the leaf entry: 1 = PTE ... 0 = no paging */
};

/*
 * Translate one linear address.  Outside long mode only its low 32 bits
 * count.  Returns 0, -EFAULT (an entry not present, or a table unreadable)
 * or -EINVAL (reserved bits set, or a non-canonical address).
 */
int walk_translate(const struct walk_ctx *w, uint64_t va, struct walk_result *r);

/* One entry a walk read (monitor xlate). */
struct walk_step {
	int level;		/* 5 PML5E, 4 PML4E, 3 PDPTE, 2 PDE, 1 PTE */
	unsigned index;		/* the entry's index in its table */
	uint64_t gpa;		/* where the entry is */
	uint64_t entry;		/* its value */
	unsigned size;		/* 4 (32-bit paging) or 8 bytes */
};

#define WALK_MAX_STEPS	5

struct walk_trace {
	struct walk_step step[WALK_MAX_STEPS];
	int n;			/* entries read, the one that ended a failed walk included */
};

/* walk_translate, recording every entry it read in *tr (an unreadable one is not). */
int walk_translate_trace(const struct walk_ctx *w, uint64_t va, struct walk_result *r,
			 struct walk_trace *tr);

/* Called for each physically contiguous piece of a range: off is from its start. */
typedef int (*walk_chunk_fn)(void *opaque, uint64_t off, uint64_t gpa, size_t len);

/*
 * Translate [va, va + len) page by page, calling fn once per physically
 * contiguous chunk in order (neighbouring pages that map contiguously are
 * merged).  Outside long mode the range wraps at 4 GiB like the CPU does.
 * Stops at the first fault: returns its error with *done set to the bytes
 * translated (and handed to fn) before it.  A non-zero return from fn stops
 * the walk too and is returned.  On success *done == len.
 */
int walk_range(const struct walk_ctx *w, uint64_t va, size_t len,
	       walk_chunk_fn fn, void *opaque, size_t *done);

/* Can the context translate va at all?  Without paging only the low 4 GiB are addresses. */
static inline bool walk_covers(const struct walk_ctx *w, uint64_t va)
{
	return (w->cr0 & X86_CR0_PG) || va <= 0xffffffffULL;
}

/* Does the context translate at all (paging on)?  Off: addresses are physical. */
static inline bool walk_paging(const struct walk_ctx *w)
{
	return (w->cr0 & X86_CR0_PG) != 0;
}

#endif
