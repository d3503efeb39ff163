/*
 * trap_page.h -- mechanism: watchpoints that work on every KVM, without the
 * debug registers' 4-slot limit.  The guest-physical pages holding watched
 * bytes are trapped (a read-only memory slot for write watchpoints, no slot
 * at all for read/access ones), so accesses to them exit as MMIO; each such
 * access is completed here on guest RAM, and only one that overlaps watched
 * bytes of the right kind is reported as a hit.  What is watched is the
 * debugger's policy (debug/breakpoints.c).  One per VM (vm->traps);
 * thread-safe: the event thread edits, vCPU threads look up on MMIO exits.
 *
 * KVM completes an instruction that touches a trapped page in pieces: a
 * locked read-modify-write (lock xadd, lock cmpxchg, xchg, ...) becomes an
 * MMIO read and then an MMIO write, and another vCPU's write to the same
 * bytes in between would be lost.  With more than one vCPU
 * (trap_page_serialise) every access to a watched page is trapped -- a
 * read-only slot would let KVM read the old value where hyve cannot see it
 * -- and from the read of a locked read-modify-write (the caller decodes
 * it) until the same vCPU has written as many bytes, no other vCPU's write
 * or locked read-modify-write on a trapped page is completed.
 */
#ifndef HYVE_TRAP_PAGE_H
#define HYVE_TRAP_PAGE_H

#include <pthread.h>
#include <stdbool.h>
#include <stdint.h>

struct gmem;
struct trap_watch;

#define TRAP_PAGE_SIZE		4096ULL
/* A watched range may be split over this many physically contiguous pieces. */
#define TRAP_PAGE_MAX_PIECES	8

enum trap_watch_type {
	TRAP_WATCH_WRITE = 1,	/* writes only */
	TRAP_WATCH_READ,	/* reads only */
	TRAP_WATCH_ACCESS,	/* reads and writes */
	TRAP_WATCH_EXEC,	/* no data access: hides the page of an instruction
				 * breakpoint (one byte, its first) */
};

/* How a RAM page is trapped. */
enum ram_trap { RAM_TRAP_NONE, RAM_TRAP_WRITE /* read-only slot */, RAM_TRAP_ALL /* no slot */ };

/* A physically contiguous piece of a watched range: va_off bytes into it. */
struct trap_piece {
	uint64_t gpa, len, va_off;
};

struct trap_hit {
	enum trap_watch_type type;	/* 0: no watchpoint matched */
	uint64_t addr;		/* guest-virtual address of the first watched byte touched */
};

/*
 * Makes the memory slots trap exactly the listed pages (4 KiB aligned,
 * sorted, no duplicates) as given; called with the trap table's lock held.
 * 0 or -errno.  (core/memslot.c's vm_ram_layout in hyve; a fake in tests.)
 */
typedef int (*trap_layout_fn)(void *opaque, const uint64_t *pages, const enum ram_trap *traps,
			      int n);

/* Kick vCPU cpu out of KVM_RUN (it finishes the I/O it has begun first). */
typedef void (*trap_kick_fn)(void *opaque, int cpu);

struct trap_page {
	const struct gmem *mem;		/* constant */
	trap_layout_fn layout;		/* constant */
	void *layout_opaque;
	bool serialise;			/* constant after set-up (trap_page_serialise) */
	trap_kick_fn kick;
	void *kick_opaque;
	pthread_mutex_t lock;		/* guards everything below */
	pthread_cond_t rmw_done;	/* signalled when rmw_owner becomes -1 */
	struct trap_watch *watches;
	int nwatches;
	uint64_t *pages;		/* trapped pages, sorted */
	enum ram_trap *traps;		/* how each is trapped */
	int npages;
	uint64_t lifted;		/* trap_page_lift's address, or ~0 */
	int rmw_owner;			/* the vCPU inside a locked read-modify-write, or -1
					 * (also read without the lock: a hint only) */
	unsigned rmw_left;		/* bytes it has read and not yet written back */
	int nexec;			/* TRAP_WATCH_EXEC watches (also read without the
					 * lock: set while every vCPU is stopped) */
};

void trap_page_init(struct trap_page *tp, const struct gmem *mem, trap_layout_fn layout,
		    void *opaque);
void trap_page_destroy(struct trap_page *tp);
/*
 * The machine has more than one vCPU: trap every access to a watched page
 * and serialise locked read-modify-writes on them (see above).  kick gets a
 * vCPU that holds the others up too long out of KVM_RUN.  At set-up only.
 */
void trap_page_serialise(struct trap_page *tp, trap_kick_fn kick, void *opaque);

/*
 * Watch [va, va+len), whose bytes lie in the given pieces of RAM.  The slot
 * re-layout runs at once: only while every vCPU is stopped.  0, -EINVAL,
 * -ENOMEM, -EFAULT (a piece outside RAM), or the re-layout's -errno (then
 * nothing changed).
 */
int trap_page_add(struct trap_page *tp, enum trap_watch_type type, uint64_t va, uint64_t len,
		  const struct trap_piece *pieces, int npieces);
/* 0 or -ENOENT.  Re-lays the slots too. */
int trap_page_del(struct trap_page *tp, enum trap_watch_type type, uint64_t va, uint64_t len);
/* Remove every watchpoint and untrap every page. */
void trap_page_clear(struct trap_page *tp);
/* Remove every data watchpoint (TRAP_WATCH_EXEC ones stay). */
void trap_page_clear_data(struct trap_page *tp);

/* Is gpa in a trapped page at all (accesses to it must exit to be seen)? */
bool trap_page_trapped(struct trap_page *tp, uint64_t gpa);
/* Watch i as set (0-based), with its pieces (at most TRAP_PAGE_MAX_PIECES).  0 or -ENOENT. */
int trap_page_watch(struct trap_page *tp, int i, enum trap_watch_type *type, uint64_t *va,
		    struct trap_piece *pieces, int *npieces);
/* Is gpa in a page trapped without a slot (a read or access watchpoint)? */
bool trap_page_hidden(struct trap_page *tp, uint64_t gpa);
/*
 * Does a TRAP_WATCH_EXEC breakpoint begin at gpa (a fetch there is a hit)?
 * Not while it is lifted.
 */
bool trap_page_exec_at(struct trap_page *tp, uint64_t gpa);
/* Does any TRAP_WATCH_EXEC breakpoint lie in the page of gpa (lifted or not)? */
bool trap_page_exec_in(struct trap_page *tp, uint64_t gpa);
/* Does a watchpoint (not a breakpoint) watch a byte of gpa's page? */
bool trap_page_data_in(struct trap_page *tp, uint64_t gpa);
/*
 * The breakpoint at gpa is no hit for a moment (one vCPU steps past it with
 * every other stopped; the page stays hidden): until trap_page_rearm.
 */
void trap_page_lift(struct trap_page *tp, uint64_t gpa);
void trap_page_rearm(struct trap_page *tp);

/*
 * An MMIO exit at gpa: if gpa lies in a page we trapped, complete the access
 * on guest RAM and return true, with *hit set (hit->type != 0) when a
 * watchpoint matches.  False: not ours (a device's).
 */
bool trap_page_access(struct trap_page *tp, uint64_t gpa, uint8_t *data, unsigned len,
		      bool is_write, struct trap_hit *hit);
/*
 * The same for vCPU cpu's exit; rmw: this read begins a locked
 * read-modify-write.  With trap_page_serialise a write or such a read waits
 * while another vCPU is inside one (see above).
 */
bool trap_page_access_by(struct trap_page *tp, int cpu, bool rmw, uint64_t gpa, uint8_t *data,
			 unsigned len, bool is_write, struct trap_hit *hit);
/*
 * vCPU cpu's exit was not the write its locked read-modify-write should have
 * ended with (it faulted, or KVM_RUN was interrupted): let the others go on.
 */
void trap_page_rmw_end(struct trap_page *tp, int cpu);

#endif
