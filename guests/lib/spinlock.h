/*
 * spinlock.h -- a test-and-set lock for the few structures the CPUs share
 * (the console, counters).  `xchg` with memory is implicitly locked, and a
 * `pause` in the wait loop is cheap under emulation and on hardware.
 */
#ifndef GUEST_SPINLOCK_H
#define GUEST_SPINLOCK_H

typedef struct {
	volatile int locked;
} spinlock_t;

#define SPINLOCK_INIT { 0 }

static inline void spin_lock(spinlock_t *l)
{
	while (__atomic_exchange_n(&l->locked, 1, __ATOMIC_ACQUIRE))
		while (l->locked)
			__asm__ volatile("pause" : : : "memory");
}

/* 1 if taken; for paths (exception reports) that must not wait forever. */
static inline int spin_trylock(spinlock_t *l, unsigned long tries)
{
	while (tries--) {
		if (!__atomic_exchange_n(&l->locked, 1, __ATOMIC_ACQUIRE))
			return 1;
		__asm__ volatile("pause" : : : "memory");
	}
	return 0;
}

static inline void spin_unlock(spinlock_t *l)
{
	__atomic_store_n(&l->locked, 0, __ATOMIC_RELEASE);
}

#endif
