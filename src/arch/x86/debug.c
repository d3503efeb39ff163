/*
 * debug.c (x86) -- the debug target's view of an x86 vCPU (debug/arch.h):
 * its state in gdb's register layout (arch/x86/gdb_regs.c), the pc, the
 * mode, the paging context, and core-dump register notes.
 */
#include <elf.h>
#include <errno.h>
#include <string.h>
#include <sys/procfs.h>

#include "arch/x86/gdb_regs.h"
#include "arch/x86/regs.h"
#include "core/vm.h"
#include "debug/arch.h"

unsigned arch_gdb_state_parts(const struct vm *vm)
{
	return VS_CORE | (vm->arch.has_avx ? VS_VECTOR : 0);
}

const char *arch_gdb_target_xml(const struct vm *vm, size_t *len)
{
	return x86_gdb_target_xml(vm->arch.has_avx, len);
}

int arch_gdb_nregs(const struct vm *vm)
{
	return x86_gdb_nregs(vm->arch.has_avx);
}

static void to_gdb(const struct vm *vm, const struct vcpu_state *st, struct x86_gdb_state *g)
{
	const struct kvm_regs *r = &st->regs;
	const struct kvm_sregs *s = &st->sregs;
	const struct kvm_fpu *f = &st->fpu;

	memset(g, 0, sizeof(*g));
	g->rax = r->rax; g->rbx = r->rbx; g->rcx = r->rcx; g->rdx = r->rdx;
	g->rsi = r->rsi; g->rdi = r->rdi; g->rbp = r->rbp; g->rsp = r->rsp;
	g->r8 = r->r8; g->r9 = r->r9; g->r10 = r->r10; g->r11 = r->r11;
	g->r12 = r->r12; g->r13 = r->r13; g->r14 = r->r14; g->r15 = r->r15;
	g->rip = r->rip;
	g->rflags = r->rflags;
	g->cs = s->cs.selector; g->ss = s->ss.selector; g->ds = s->ds.selector;
	g->es = s->es.selector; g->fs = s->fs.selector; g->gs = s->gs.selector;
	g->fs_base = s->fs.base;
	g->gs_base = s->gs.base;
	g->k_gs_base = st->kernel_gs_base;
	g->cr0 = s->cr0; g->cr2 = s->cr2; g->cr3 = s->cr3; g->cr4 = s->cr4;
	g->cr8 = s->cr8; g->efer = s->efer;
	for (int i = 0; i < 8; i++)
		memcpy(g->st[i], f->fpr[i], 10);
	g->fctrl = f->fcw;
	g->fstat = f->fsw;
	g->ftag = x86_fpu_tag_full(f->ftwx, f->fsw, g->st);
	g->fioff = (uint32_t)f->last_ip;
	g->fooff = (uint32_t)f->last_dp;
	g->fop = f->last_opcode;
	memcpy(g->xmm, f->xmm, sizeof(g->xmm));
	g->mxcsr = f->mxcsr;
	memcpy(g->ymmh, st->ymmh, sizeof(g->ymmh));
	g->has_avx = vm->arch.has_avx;
}

static void from_gdb(struct vcpu_state *st, const struct x86_gdb_state *g)
{
	struct kvm_regs *r = &st->regs;
	struct kvm_sregs *s = &st->sregs;
	struct kvm_fpu *f = &st->fpu;

	r->rax = g->rax; r->rbx = g->rbx; r->rcx = g->rcx; r->rdx = g->rdx;
	r->rsi = g->rsi; r->rdi = g->rdi; r->rbp = g->rbp; r->rsp = g->rsp;
	r->r8 = g->r8; r->r9 = g->r9; r->r10 = g->r10; r->r11 = g->r11;
	r->r12 = g->r12; r->r13 = g->r13; r->r14 = g->r14; r->r15 = g->r15;
	r->rip = g->rip;
	r->rflags = g->rflags | X86_RFLAGS_FIXED;
	s->cs.selector = g->cs; s->ss.selector = g->ss; s->ds.selector = g->ds;
	s->es.selector = g->es; s->fs.selector = g->fs; s->gs.selector = g->gs;
	s->fs.base = g->fs_base;
	s->gs.base = g->gs_base;
	st->kernel_gs_base = g->k_gs_base;
	s->cr0 = g->cr0; s->cr2 = g->cr2; s->cr3 = g->cr3; s->cr4 = g->cr4;
	s->cr8 = g->cr8; s->efer = g->efer;
	for (int i = 0; i < 8; i++)
		memcpy(f->fpr[i], g->st[i], 10);
	f->fcw = (uint16_t)g->fctrl;
	f->fsw = (uint16_t)g->fstat;
	f->ftwx = x86_fpu_tag_abridged((uint16_t)g->ftag);
	f->last_ip = g->fioff;
	f->last_dp = g->fooff;
	f->last_opcode = (uint16_t)g->fop;
	memcpy(f->xmm, g->xmm, sizeof(f->xmm));
	f->mxcsr = g->mxcsr;
	memcpy(st->ymmh, g->ymmh, sizeof(st->ymmh));
}

int arch_gdb_get_regs(const struct vm *vm, const struct vcpu_state *st, uint8_t *buf, size_t cap)
{
	struct x86_gdb_state g;

	to_gdb(vm, st, &g);
	return x86_gdb_regs_to_g(&g, buf, cap);
}

int arch_gdb_set_regs(const struct vm *vm, struct vcpu_state *st, const uint8_t *buf, size_t len)
{
	struct x86_gdb_state g;
	int r;

	to_gdb(vm, st, &g);
	r = x86_gdb_regs_from_g(&g, buf, len);
	if (!r)
		from_gdb(st, &g);
	return r;
}

int arch_gdb_get_reg(const struct vm *vm, const struct vcpu_state *st, int regno, uint8_t *buf,
		     size_t cap)
{
	struct x86_gdb_state g;

	if (regno < 0 || regno >= arch_gdb_nregs(vm))
		return -ENOENT;
	to_gdb(vm, st, &g);
	return x86_gdb_reg_get(&g, (unsigned)regno, buf, cap);
}

int arch_gdb_set_reg(const struct vm *vm, struct vcpu_state *st, int regno, const uint8_t *buf,
		     size_t len)
{
	struct x86_gdb_state g;
	int r;

	if (regno < 0 || regno >= arch_gdb_nregs(vm))
		return -ENOENT;
	to_gdb(vm, st, &g);
	r = x86_gdb_reg_set(&g, (unsigned)regno, buf, len);
	if (!r)
		from_gdb(st, &g);
	return r;
}

uint64_t arch_state_pc(const struct vcpu_state *st)
{
	return st->regs.rip;
}

const char *arch_mode_name(const struct vcpu_state *st)
{
	const struct kvm_sregs *s = &st->sregs;

	if (!(s->cr0 & X86_CR0_PE))
		return "real";
	if (s->efer & X86_EFER_LMA)
		return s->cs.l ? "long" : "compat";
	return (s->cr0 & X86_CR0_PG) ? "protected+paging" : "protected";
}

bool arch_swbp_needs_hw(const struct vcpu_state *st)
{
	return !(st->sregs.cr0 & X86_CR0_PE);
}

bool arch_state_paging(const struct vcpu_state *st)
{
	return st->sregs.cr0 & X86_CR0_PG;
}

void arch_walk_ctx(const struct vcpu_state *st, const uint64_t *root, struct walk_ctx *w)
{
	w->cr0 = st->sregs.cr0;
	w->cr3 = root ? *root : st->sregs.cr3;
	w->cr4 = st->sregs.cr4;
	w->efer = st->sregs.efer;
	if (root)		/* another address space: assume paging is on */
		w->cr0 |= X86_CR0_PG;
}

void arch_resume_past_break(struct vcpu_state *st)
{
	st->regs.rflags |= X86_RFLAGS_RF;
}

unsigned arch_core_machine(void)
{
	return EM_X86_64;
}

size_t arch_core_prstatus_size(void)
{
	return sizeof(struct elf_prstatus);
}

void arch_core_prstatus(const struct vcpu_state *st, int cpu, void *desc)
{
	struct elf_prstatus *ps = desc;
	struct user_regs_struct *u = (struct user_regs_struct *)&ps->pr_reg;

	memset(ps, 0, sizeof(*ps));
	ps->pr_pid = cpu + 1;
	if (!st)
		return;
	const struct kvm_regs *g = &st->regs;
	const struct kvm_sregs *s = &st->sregs;

	u->r15 = g->r15; u->r14 = g->r14; u->r13 = g->r13; u->r12 = g->r12;
	u->rbp = g->rbp; u->rbx = g->rbx; u->r11 = g->r11; u->r10 = g->r10;
	u->r9 = g->r9; u->r8 = g->r8; u->rax = g->rax; u->rcx = g->rcx;
	u->rdx = g->rdx; u->rsi = g->rsi; u->rdi = g->rdi; u->orig_rax = ~0ULL;
	u->rip = g->rip; u->cs = s->cs.selector; u->eflags = g->rflags; u->rsp = g->rsp;
	u->ss = s->ss.selector; u->fs_base = s->fs.base; u->gs_base = s->gs.base;
	u->ds = s->ds.selector; u->es = s->es.selector; u->fs = s->fs.selector;
	u->gs = s->gs.selector;
}
