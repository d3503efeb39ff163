/*
 * mem_target.h -- a whole machine in memory for the fuzzers: the debug
 * server's ops table (gdb/target.h) over a RAM buffer holding real x86-64
 * page tables, translated by the real page walker (arch/x86/walk.c), with
 * registers in the real GDB layout (arch/x86/gdb_regs.c), software
 * breakpoints as int3 bytes in that RAM (hidden from reads, as the
 * hypervisor does), four hardware slots, page-granular watchpoints and the
 * monitor commands that change how memory is addressed (phys, cr3).
 *
 * It also checks the contract the session must keep (target.h): no op but
 * stop() and resume() while the machine runs, no resume while it runs,
 * vCPU numbers in range, buffers no larger than a packet.  A breach calls
 * abort(), which the fuzzer reports as a crash.
 *
 * Memory map (guest-physical):
 *   [0, MT_RAM_SIZE)              RAM
 *   [MT_HOLE, MT_HOLE + 4K)       an MMIO hole inside it: every access faults
 *   [MT_RAM_SIZE, 2^64)           nothing: faults
 * vCPU 0 runs in long mode (4-level tables at MT_PML4): VA 0..MT_RAM_SIZE
 * identity-mapped with 4 KiB pages, VA 0xffffffff80000000 a 2 MiB page over
 * PA 0 (most of it past the end of RAM).  vCPU 1 is in flat 32-bit
 * protected mode (no paging), vCPU 2 in real mode, others like vCPU 0.
 */
#ifndef HYVE_FUZZ_MEM_TARGET_H
#define HYVE_FUZZ_MEM_TARGET_H

#include <stdbool.h>
#include <stdint.h>

#include "gdb/target.h"
#include "arch/x86/gdb_regs.h"

#define MT_MAX_CPUS	4
#define MT_RAM_SIZE	0x40000u	/* 256 KiB */
#define MT_PML4		0x1000u
#define MT_HOLE		0x30000u
#define MT_CODE		0x8000u		/* where the "guest code" pattern lies */
#define MT_MAX_SWBP	64
#define MT_HW_SLOTS	4
#define MT_MAX_WATCH	16

struct mt_swbp {
	uint64_t va, gpa;
	uint8_t orig;
};

struct mt_watch {
	enum gdb_bp_type type;
	uint64_t va, len;
};

struct mem_target {
	int ncpus;
	uint8_t *ram;			/* MT_RAM_SIZE bytes, with int3 bytes */
	uint8_t *mirror;		/* RAM as the debugger sees it (no int3) */
	struct x86_gdb_state cpu[MT_MAX_CPUS];

	bool phys;			/* monitor phys on */
	bool cr3_set;			/* monitor cr3 VALUE */
	uint64_t cr3;

	struct mt_swbp sw[MT_MAX_SWBP];
	int nsw;
	uint64_t hw[MT_HW_SLOTS];
	bool hw_used[MT_HW_SLOTS];
	struct mt_watch watch[MT_MAX_WATCH];
	int nwatch;

	/* run state */
	bool running;
	bool stop_pending;		/* stop() called, not completed yet */
	bool stop_sync;			/* stop() completes inside the call */
	struct gdb_stop stop;
	uint64_t range_start[MT_MAX_CPUS], range_end[MT_MAX_CPUS];
	enum gdb_resume actions[MT_MAX_CPUS];
	void (*notify)(void *arg);	/* "the machine stopped" */
	void *notify_arg;

	int resumes, stops, detaches, kills;
};

extern const struct gdb_target_ops mem_target_ops;

/* A fresh machine (RAM allocated once, reset by later calls).  0 or -ENOMEM. */
int mt_init(struct mem_target *m, int ncpus, bool stop_sync);
void mt_free(struct mem_target *m);

/* Finish a pending stop(). */
void mt_complete_stop(struct mem_target *m);
/* A vCPU stops by itself (breakpoint, step, exit...): every vCPU stops. */
void mt_hit(struct mem_target *m, enum gdb_stop_kind kind, int cpu, uint64_t addr, int code);

/* Checks for after the debugger is gone: abort() unless the RAM is clean. */
void mt_check_clean(const struct mem_target *m);

#endif
