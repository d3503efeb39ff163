/*
 * session_qemu.c -- the packets tools ask to tell which stub they talk to,
 * answered as QEMU's gdbstub (qemu-system) answers them, so that front ends
 * written for `qemu-system-x86_64 -s` (GEF, pwndbg, the kernel's lx-*
 * scripts) take hyve for it: qqemu.Supported, QEMU's single-step flags
 * (qqemu.sstepbits, qqemu.sstep, Qqemu.sstep=N), and gdbserver's
 * qGDBServerVersion.
 *
 * The single-step flags, in QEMU's bits:
 *   ENABLE (1)   single steps step.  Always on: a value without it is refused
 *                (QEMU would turn `stepi` into a continue).
 *   NOIRQ (2)    interrupts are held off during a step (the default); the
 *                target's step_irq setting, the same as `monitor step-irq off`.
 *   NOTIMER (4)  in QEMU's TCG, the virtual clock stands still during a step.
 *                Under KVM the guest's timers (in-kernel LAPIC, PIT) run in
 *                host time whatever the debugger does; what keeps a timer's
 *                interrupt out of a step is NOIRQ.  Accepted and remembered
 *                for this session, so that a tool that sets it reads it back,
 *                with no effect of its own.
 * The default is 0x7, what qemu-system with TCG reports.
 */
#include <errno.h>
#include <stdio.h>
#include <string.h>

#include "gdb/session_int.h"

#define SSTEP_ENABLE	0x1
#define SSTEP_NOIRQ	0x2
#define SSTEP_NOTIMER	0x4

/* qqemu.sstepbits (also as Qqemu.sstepbits, the form GEF and pwndbg send). */
void sess_qemu_sstepbits(struct gdb_session *s, const uint8_t *pkt, size_t n)
{
	s->reply.len = 0;
	rsp_buf_printf(&s->reply, "ENABLE=%x,NOIRQ=%x,NOTIMER=%x", SSTEP_ENABLE, SSTEP_NOIRQ,
		       SSTEP_NOTIMER);
	sess_send_reply(s);
}

/* qqemu.sstep: the flags in force, as QEMU prints them ("0x7"). */
void sess_qemu_sstep_get(struct gdb_session *s, const uint8_t *pkt, size_t n)
{
	unsigned flags = SSTEP_ENABLE | (s->sstep_notimer ? SSTEP_NOTIMER : 0);
	int irq = 0;

	if (s->ops->step_irq) {
		if (s->running) {
			sess_send_err(s, -EBUSY);	/* the target is asked only while stopped */
			return;
		}
		irq = s->ops->step_irq(s->t, -1);
		if (irq < 0) {
			sess_send_err(s, irq);
			return;
		}
	}
	if (!irq)
		flags |= SSTEP_NOIRQ;
	s->reply.len = 0;
	rsp_buf_printf(&s->reply, "0x%x", flags);
	sess_send_reply(s);
}

/* Qqemu.sstep=HEX (also Qqemu.sstep:HEX and qqemu.sstep=HEX, as QEMU takes them). */
void sess_qemu_sstep_set(struct gdb_session *s, const uint8_t *pkt, size_t n)
{
	const size_t pre = strlen("Qqemu.sstep=");
	const char *v = (const char *)pkt + pre;
	size_t len = n - pre;
	uint64_t flags;
	int r;

	if (len > 2 && v[0] == '0' && (v[1] == 'x' || v[1] == 'X')) {
		v += 2;
		len -= 2;
	}
	if (rsp_parse_hex_u64(v, len, &flags)) {
		sess_send_err(s, -EINVAL);
		return;
	}
	/*
	 * QEMU's answer to bits it cannot honour.  Stepping cannot be turned
	 * off, and a target without step_irq always holds interrupts off.
	 */
	if ((flags & ~(uint64_t)(SSTEP_ENABLE | SSTEP_NOIRQ | SSTEP_NOTIMER)) ||
	    !(flags & SSTEP_ENABLE) || (!s->ops->step_irq && !(flags & SSTEP_NOIRQ))) {
		sess_send_str(s, "E22");
		return;
	}
	if (s->ops->step_irq) {
		if (s->running) {
			sess_send_err(s, -EBUSY);
			return;
		}
		r = s->ops->step_irq(s->t, !(flags & SSTEP_NOIRQ));
		if (r < 0) {
			sess_send_err(s, r);
			return;
		}
	}
	s->sstep_notimer = flags & SSTEP_NOTIMER;
	sess_send_str(s, "OK");
}

/* qqemu.Supported: QEMU's own packets that hyve answers (qemu-system's list). */
void sess_qemu_supported(struct gdb_session *s, const uint8_t *pkt, size_t n)
{
	sess_send_str(s, s->ops->phys_mode ? "sstepbits;sstep;PhyMemMode" : "sstepbits;sstep");
}

/* qGDBServerVersion (pwndbg asks): who we are, in gdbserver's format. */
void sess_server_version(struct gdb_session *s, const uint8_t *pkt, size_t n)
{
	sess_send_str(s, "name:hyve;version:" HYVE_VERSION ";");
}
