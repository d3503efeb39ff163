/*
 * state.h -- the complete architectural state of one x86 vCPU as hyve reads
 * and writes it through KVM, in parts (VS_*) so that a caller fetches only
 * what it needs.  The generic core moves it around whole and never looks
 * inside; arch/x86/ code (registers for gdb, dumps, boot) does.
 */
#ifndef HYVE_X86_STATE_H
#define HYVE_X86_STATE_H

#include <linux/kvm.h>
#include <stdbool.h>
#include <stdint.h>

/* Parts of struct vcpu_state. */
#define VS_CORE		1u	/* regs, sregs, fpu, kernel GS base: what gdb shows */
#define VS_EXTRA	2u	/* debug registers, pending events, MP state */
#define VS_VECTOR	4u	/* upper halves of the AVX registers (only where the guest has AVX) */
#define VS_LAPIC	8u	/* the local APIC's registers */
/*
 * regs and sregs only, the sregs read-only (writing this part writes regs):
 * what a vCPU needs at a breakpoint hit to evaluate a condition and go on
 */
#define VS_REGS		16u
#define VS_ALL		(VS_CORE | VS_EXTRA)

struct vcpu_state {
	unsigned parts;		/* which parts are valid (set by the reader) */
	struct kvm_regs regs;
	struct kvm_sregs sregs;
	struct kvm_fpu fpu;
	struct kvm_debugregs dregs;
	struct kvm_vcpu_events events;
	struct kvm_mp_state mp;
	bool set_events;		/* VS_EXTRA: write `events` back too (an emulated sti's shadow) */
	uint64_t kernel_gs_base;	/* the swapgs shadow (an MSR) */
	uint8_t ymmh[16][16];		/* VS_VECTOR: bits 255:128 of ymm0-15 */
	struct kvm_lapic_state lapic;	/* VS_LAPIC */
};

#endif
