/*
 * arch.h -- the one place the generic layers pick up the architecture.
 * They include this and never a file under arch/<name>/ directly; what they
 * get is types and inline helpers only (the vCPU state, the page walker's
 * context, the breakpoint opcode).  The functions an architecture provides
 * are declared by the generic headers that call them (core/vcpu.h,
 * core/exit.h, debug/arch.h) and defined under arch/<name>/.
 */
#ifndef HYVE_ARCH_H
#define HYVE_ARCH_H

#include "arch/x86/arch.h"

#endif
