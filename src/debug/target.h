/*
 * debug_target.h -- the debug server's ops table implemented over the real
 * VM: register snapshots cached per stop and written back before the vCPU
 * runs, guest-virtual memory through the vCPU's own page tables, run control
 * through the vCPU primitives.
 */
#ifndef HYVE_DEBUG_TARGET_H
#define HYVE_DEBUG_TARGET_H

#include "gdb/target.h"

struct vm;

extern const struct gdb_target_ops debug_target_ops;

/* The target object for the VM (one per process).  NULL on allocation failure. */
void *debug_target_new(struct vm *vm);
void debug_target_free(void *t);

#endif
