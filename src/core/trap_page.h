/*
 * watch.h -- watchpoints that work on every KVM, without the 4-slot limit:
 * the guest-physical pages holding watched bytes are trapped (a read-only slot
 * for write watchpoints, no slot for read/access ones), each trapped access is
 * completed here on guest RAM, and only accesses that overlap watched bytes of
 * the right kind stop the machine.  Thread-safe: the event thread edits,
 * vCPU threads look up on MMIO exits.
 */
#ifndef HYVE_WATCH_H
#define HYVE_WATCH_H

#include <stdbool.h>
#include <stdint.h>

struct vm;

enum watch_type { WATCH_WRITE = 2, WATCH_READ = 3, WATCH_ACCESS = 4 };	/* as Z2/Z3/Z4 */

/* A physically contiguous piece of a watched range: va_off bytes into it. */
struct watch_piece {
	uint64_t gpa, len, va_off;
};

struct watch_hit {
	enum watch_type type;
	uint64_t addr;		/* guest-virtual address of the first watched byte touched */
};

/* 0, -ENOMEM, -EFAULT (a piece outside RAM), or the slot re-layout's -errno. */
int watch_add(struct vm *vm, enum watch_type type, uint64_t va, uint64_t len,
	      const struct watch_piece *pieces, int npieces);
/* 0 or -ENOENT. */
int watch_del(struct vm *vm, enum watch_type type, uint64_t va, uint64_t len);
/* Remove every watchpoint and untrap every page. */
void watch_clear(struct vm *vm);
int watch_count(void);

/* Is gpa in a page trapped without a slot (a read or access watchpoint)? */
bool watch_page_hidden(uint64_t gpa);

/*
 * An MMIO exit at gpa from a vCPU: if gpa lies in a page we trapped, complete
 * the access on guest RAM and return true, with *hit set (hit->type != 0) when a
 * watchpoint matches.  False: not ours (a device's).
 */
bool watch_access(struct vm *vm, uint64_t gpa, uint8_t *data, unsigned len, bool is_write,
		  struct watch_hit *hit);

#endif
