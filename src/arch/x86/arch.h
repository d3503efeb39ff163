/* arch.h -- the few architecture-specific inlines the generic layers use. */
#ifndef HYVE_ARCH_H
#define HYVE_ARCH_H

/* The spin-wait hint (PAUSE): polite to a sibling hyperthread and to KVM. */
static inline void cpu_relax(void)
{
	__builtin_ia32_pause();
}

#endif
