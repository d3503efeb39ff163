/*
 * bpg_src.c -- source-level debugging targets, built with -O0 so that each
 * statement is its own line for gdb's `next`, `step`, `finish` and
 * `break FILE:LINE`.  The tests find lines by the MARK comments.
 *
 * mode=step: step_main computes step_result = step_add(3 + 19, 3) = 50
 * (exit 0 if so).
 *
 * mode=smp (two vCPUs or more): vCPU 1 runs ap_work for ever; each lap it
 * calls ap_calc, counts ap_iter, reads ap_r (nobody else reads it), writes
 * tenv[ap_iter % 10], and when it is its turn writes both_w.  The boot vCPU
 * takes the other turns at both_w, so writes to it alternate between the two
 * vCPUs (0x100 + n from vCPU 0, 0x200 + n from vCPU 1).  It ends when
 * smp_release is set: exit status smp_release & 0xff.
 */
#include "console.h"
#include "io.h"
#include "report.h"

#include "bpg.h"

volatile int step_result;

int step_add(int a, int b)
{
	int s = a + b;		/* MARK step_add_first */

	s = s * 2;
	return s - b * 2 + b * 2;
}

int step_main(void)
{
	volatile int x = 3;
	int y;

	bpg_checkpoint(1);
	y = x + 19;		/* MARK step_next */
	y = step_add(y, x);	/* MARK step_call */
	step_result = y;	/* MARK step_after */
	gprintf("STEP RESULT %d\n", step_result);
	return step_result == 50 ? 0 : 0x50;
}

volatile uint64_t ap_iter;
volatile uint64_t ap_sum;
volatile uint64_t ap_r = 7;
volatile uint64_t both_w;
volatile int turn;
volatile uint64_t tenv[10];
volatile uint32_t smp_release;
volatile uint64_t bsp_iter;

int ap_calc(int v)
{
	int r = v * 3;		/* MARK ap_calc_first */

	return r + 1;
}

void ap_work(int index)
{
	uint64_t n = ap_iter + 1;	/* MARK ap_work_first */
	int c = ap_calc((int)n);	/* MARK ap_work_call */

	ap_iter = n;			/* MARK ap_work_after */
	ap_sum += (uint64_t)c + ap_r;
	tenv[n % 10] = n;
	if (turn == 1) {
		both_w = 0x200 + n;
		turn = 0;
	}
}

void smp_ap_main(int index)
{
	for (;;)
		ap_work(index);
}

int smp_bsp_main(void)
{
	while (!smp_release) {
		if (turn == 0) {
			bsp_iter++;
			both_w = 0x100 + bsp_iter;	/* MARK bsp_write */
			turn = 1;
		}
		cpu_relax();
	}
	gprintf("SMP RELEASED 0x%x ap_iter %lu\n", smp_release, (unsigned long)ap_iter);
	guest_exit((int)(smp_release & 0xff));
}
