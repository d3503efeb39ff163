/*
 * stops.h -- policy: after an all-stop, which vCPU's stop gdb is told of and
 * as what; which stops lost that race and stay pending (as in gdbserver);
 * and when a pending one is reported instead of resuming.  Pure functions
 * over the stops run control recorded (struct vcpu_stop) and two questions
 * put to the caller, so that they are unit-tested without a machine; the
 * debug target (debug/stops.c's dbg_* wrappers) feeds them from the VM.
 */
#ifndef HYVE_DEBUG_STOPS_H
#define HYVE_DEBUG_STOPS_H

#include <stdbool.h>

#include "core/vcpu.h"
#include "core/vm.h"
#include "gdb/target.h"

struct pending_hit;

struct stop_view {
	int n;					/* vCPUs */
	const struct vcpu_stop *stop[VM_MAX_CPUS];	/* each vCPU's stop (reason STOP_NONE: none) */
	/* Is a Z0 (with hw: or a Z1) set at vCPU cpu's pc?  False if unknown. */
	bool (*break_at_pc)(void *opaque, int cpu, bool hw);
	/* Does a debug-register hit in these slots stand for a Z0? */
	bool (*slot_is_sw)(void *opaque, unsigned slots);
	void *opaque;
};

/* Was this stop a breakpoint hit (ours, or a debug-register instruction breakpoint)? */
bool stop_is_break(const struct vcpu_stop *s);

/*
 * The stop to report: the vCPU whose self-stop came first (lowest seq), and
 * what it is to gdb.  Every other vCPU stopped by a breakpoint is recorded in
 * pending[] (n entries) to be reported later.  Returns that vCPU, or -1 if
 * no vCPU stopped on its own (an interrupt: *out is left to the caller).
 */
int stops_classify(const struct stop_view *v, struct pending_hit *pending, struct gdb_stop *out);

/*
 * Before a resume with these actions: the pending hit to report at once
 * instead (the earliest whose vCPU would continue and whose breakpoint is
 * still there, asked through v->break_at_pc with hw); pending hits of vCPUs
 * that run otherwise are dropped.  Returns the vCPU (its entry is taken), or -1.
 */
int stops_take_pending(const struct stop_view *v, struct pending_hit *pending,
		       const enum gdb_resume *actions);

#endif
