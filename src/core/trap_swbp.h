/*
 * breakpoint.h -- the debugger's software breakpoints, kept by guest-physical
 * address (the same instruction under any mapping): an int3 byte written into
 * guest RAM, the original byte saved.  Debugger reads see the original bytes;
 * debugger writes over a breakpoint update the saved byte.  Thread-safe: the
 * event thread edits the table, vCPU threads look up.
 */
#ifndef HYVE_BREAKPOINT_H
#define HYVE_BREAKPOINT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

struct gmem;

#define BP_INT3 0xcc

/* 0, -EFAULT (not guest RAM), -ENOMEM.  Inserting twice counts twice. */
int bp_sw_insert(const struct gmem *m, uint64_t gpa);
/* 0 or -ENOENT. */
int bp_sw_remove(const struct gmem *m, uint64_t gpa);
/* Restore every original byte (detach, disconnect, kill). */
void bp_sw_remove_all(const struct gmem *m);
/* Put the original byte back at gpa for a moment (bp_sw_rearm restores the int3). */
void bp_sw_lift(const struct gmem *m, uint64_t gpa);
/* RAM was reloaded under the breakpoints: save the new bytes, put int3 back. */
void bp_sw_rearm(const struct gmem *m);
/* Is there one of our breakpoints at gpa? */
bool bp_sw_at(uint64_t gpa);
/* Number of breakpoints set. */
int bp_sw_count(void);
/* Replace our int3 bytes in a buffer read from [gpa, gpa+len) with the originals. */
void bp_sw_shadow(uint64_t gpa, uint8_t *buf, size_t len);
/*
 * The debugger wrote [gpa, gpa+len): bytes under breakpoints become the new
 * saved originals and the int3 goes back in guest RAM.
 */
void bp_sw_write_through(const struct gmem *m, uint64_t gpa, const uint8_t *buf, size_t len);

#endif
