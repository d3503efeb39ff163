/*
 * monitor.c -- `monitor` commands (qRcmd) of the debug target, from one
 * table: the generic ones here, the architecture's in arch/<name>/monitor.c.
 * Output is text; the session sends it as O packets.  They act on the vCPU
 * the debugger looked at last (its current thread).
 */
#include <errno.h>
#include <stdio.h>
#include <string.h>

#include "boot.h"
#include "debug/dbg.h"
#include "gdb/rsp.h"
#include "util.h"

static int on_off(const char *arg, bool *out)
{
	if (!strcmp(arg, "on") || !strcmp(arg, "1"))
		*out = true;
	else if (!strcmp(arg, "off") || !strcmp(arg, "0"))
		*out = false;
	else
		return -EINVAL;
	return 0;
}

static const char *mp_state_name(unsigned mp)
{
	return mp == KVM_MP_STATE_RUNNABLE ? "runnable" :
	       mp == KVM_MP_STATE_HALTED ? "halted" : "waiting for INIT/SIPI";
}

static int mon_status(struct dtarget *t, const char *args, struct rsp_buf *o)
{
	if (*args)
		return -EINVAL;
	for (int i = 0; i < t->vm->ncpus; i++) {
		struct dcache *c;

		if (dbg_load_full(t, i, &c) == 0)
			rsp_buf_printf(o, "vCPU %d: %s mode, rip=%016llx, %s\n", i,
				       arch_mode_name(&c->st),
				       (unsigned long long)arch_state_pc(&c->st),
				       mp_state_name(c->st.mp.mp_state));
	}
	rsp_buf_printf(o, "memory: %s addresses%s; step-irq %s; %llu MiB RAM\n",
		       t->phys ? "physical" : "virtual", t->root_set ? " (monitor cr3)" : "",
		       t->step_irq ? "on" : "off",
		       (unsigned long long)(t->vm->mem.size >> 20));
	if (t->pending_exit >= 0)
		rsp_buf_printf(o, "the guest ended the machine (exit status %d on detach)\n",
			       t->pending_exit);
	return 0;
}

static int mon_phys(struct dtarget *t, const char *args, struct rsp_buf *o)
{
	bool b;

	if (on_off(args, &b))
		return -EINVAL;
	t->phys = b;
	rsp_buf_printf(o, "memory packets now take %s addresses\n",
		       b ? "guest-physical" : "guest-virtual");
	return 0;
}

static int mon_step_irq(struct dtarget *t, const char *args, struct rsp_buf *o)
{
	bool b;

	if (on_off(args, &b))
		return -EINVAL;
	t->step_irq = b;
	vcpu_set_step_irq(t->vm, b);
	rsp_buf_printf(o, "step-irq %s\n", b ? "on" : "off");
	return 0;
}

static int mon_dump(struct dtarget *t, const char *args, struct rsp_buf *o)
{
	char err[256];

	if (!*args)
		return -EINVAL;
	if (dbg_coredump(t, args, err, sizeof(err)))
		rsp_buf_printf(o, "dump failed: %s\n", err);
	else
		rsp_buf_printf(o, "wrote %s\n", args);
	return 0;
}

static int mon_reset(struct dtarget *t, const char *args, struct rsp_buf *o)
{
	int r;

	if (*args)
		return -EINVAL;
	r = dbg_reset(t);
	if (r) {
		rsp_buf_printf(o, "reset failed: %s\n", strerror(-r));
		return 0;
	}
	rsp_buf_puts(o, "machine reset: every vCPU is at its boot state\n");
	/* gdb keeps the registers it has read: nothing in the protocol tells it to drop them */
	rsp_buf_puts(o, "(gdb shows the old registers until \"maintenance flush register-cache\"; "
		     "\"run\" under target extended-remote resets and refreshes them)\n");
	return 0;
}

static int mon_conds(struct dtarget *t, const char *args, struct rsp_buf *o)
{
	if (*args)
		return -EINVAL;
	cond_list(&t->conds, o);
	rsp_buf_printf(o, "hits that went on past a breakpoint byte: %llu with the instruction "
		       "executed by hyve, %llu stepped with the byte lifted (%llu of them with "
		       "every vCPU stopped)\n",
		       (unsigned long long)__atomic_load_n(&t->past_exec, __ATOMIC_RELAXED),
		       (unsigned long long)__atomic_load_n(&t->past_step, __ATOMIC_RELAXED),
		       (unsigned long long)__atomic_load_n(&t->past_world, __ATOMIC_RELAXED));
	return 0;
}

static int mon_help(struct dtarget *t, const char *args, struct rsp_buf *o);

static const struct mon_cmd generic_cmds[] = {
	{ "help", "", "this list", mon_help },
	{ "status", "", "every vCPU: mode, pc, run state; debugger settings", mon_status },
	{ "phys", "on|off", "memory packets take guest-physical addresses (off: virtual)",
	  mon_phys },
	{ "dump", "FILE", "write an ELF core of guest memory (gdb vmlinux FILE)", mon_dump },
	{ "reset", "", "reset the machine: every vCPU back to its boot state", mon_reset },
	{ "step-irq", "on|off", "let interrupts in during single steps (default off)",
	  mon_step_irq },
	{ "conds", "", "breakpoint conditions and dprintf commands hyve evaluates: hits, stops",
	  mon_conds },
};

/* Every command table: hyve's own, QEMU's (monitor_qemu.c), the architecture's. */
static const struct {
	const struct mon_cmd *cmds;
	const int *n;
} tables[] = {
	{ generic_cmds, NULL },
	{ qemu_mon_cmds, &qemu_mon_ncmds },
	{ snap_mon_cmds, &snap_mon_ncmds },
	{ arch_mon_cmds, &arch_mon_ncmds },
};

static size_t table_len(size_t i)
{
	return tables[i].n ? (size_t)*tables[i].n : ARRAY_SIZE(generic_cmds);
}

static void help_line(struct rsp_buf *o, const struct mon_cmd *c)
{
	char head[64];

	snprintf(head, sizeof(head), "%s%s%s", c->name, *c->usage ? " " : "", c->usage);
	rsp_buf_printf(o, "  %-19s %s\n", head, c->help);
}

static int mon_help(struct dtarget *t, const char *args, struct rsp_buf *o)
{
	rsp_buf_puts(o, "hyve monitor commands (they act on the current thread's vCPU):\n");
	for (size_t k = 0; k < ARRAY_SIZE(tables); k++)
		for (size_t i = 0; i < table_len(k); i++)
			/* the session's own list, printed first, has "help" already */
			if (strcmp(tables[k].cmds[i].name, "help"))
				help_line(o, &tables[k].cmds[i]);
	return 0;
}

/*
 * Does cmd start with the command's name, as a whole word?  Its arguments,
 * or NULL.  A '/' ends the name too, as in QEMU: GEF sends "xp/16xb ADDR".
 */
static const char *match(const struct mon_cmd *c, const char *cmd)
{
	size_t n = strlen(c->name);

	if (strncmp(cmd, c->name, n) || (cmd[n] && cmd[n] != ' ' && cmd[n] != '/'))
		return NULL;
	cmd += n;
	while (*cmd == ' ')
		cmd++;
	return cmd;
}

/* The command cmd names (the longest name that matches), and its arguments. */
static const struct mon_cmd *lookup(const char *cmd, const char **args)
{
	const struct mon_cmd *best = NULL;
	const char *a;

	for (size_t k = 0; k < ARRAY_SIZE(tables); k++) {
		for (size_t i = 0; i < table_len(k); i++) {
			const struct mon_cmd *c = &tables[k].cmds[i];

			if ((a = match(c, cmd)) &&
			    (!best || strlen(c->name) > strlen(best->name))) {
				best = c;
				*args = a;
			}
		}
	}
	return best;
}

int dbg_monitor(struct dtarget *t, const char *cmd, struct rsp_buf *o)
{
	const struct mon_cmd *c;
	const char *args = "";
	int r;

	while (*cmd == ' ')
		cmd++;
	if (!*cmd)
		return mon_help(t, "", o);
	c = lookup(cmd, &args);
	if (!c)
		return -ENOENT;
	r = c->fn(t, args, o);
	if (r == -EINVAL)
		rsp_buf_printf(o, "usage: monitor %s%s%s\n", c->name, *c->usage ? " " : "",
			       c->usage);
	else if (r < 0)		/* said here, as text: gdb shows only "Protocol error" for an E reply */
		rsp_buf_printf(o, "monitor %s: %s\n", c->name, strerror(-r));
	return 0;
}
