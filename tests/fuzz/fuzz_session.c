/*
 * fuzz_session.c -- libFuzzer target: the whole debug-server session (packet
 * decoding, acks, dispatch, every handler) driven with arbitrary debugger
 * bytes against the in-memory machine of mem_target.c (real page walker,
 * real register layout).  The input is what a debugger sends, byte for
 * byte: the corpus holds real gdb and lldb sessions (tests/fuzz/corpus/).
 *
 * Around the bytes the harness plays the machine: it splits the input at
 * pseudo-random points, completes stop requests late or at once, stops
 * running vCPUs on its own (breakpoint, step, watchpoint, guest exit) and
 * sometimes ends the machine -- all from a generator seeded by a hash of the
 * input, so every run of one input is the same.
 *
 * Three runs in four first repair the packets' checksums (fuzz_util.h).
 *
 * Checked on every input (besides ASan/UBSan): the target contract
 * (mem_target.h), that every byte the session sends is well framed (acks,
 * packets with good checksums, none longer than the PacketSize we
 * advertise), that the session's idea of "running" matches the machine's,
 * and that once the debugger is gone no breakpoint is left in guest RAM.
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "gdb/rsp.h"
#include "fuzz_util.h"
#include "gdb/session.h"
#include "mem_target.h"

#define CHECK(cond)							\
	do {								\
		if (!(cond)) {						\
			fprintf(stderr, "fuzz_session: %s:%d: %s\n", __FILE__, \
				__LINE__, #cond);			\
			abort();					\
		}							\
	} while (0)

static struct mem_target mt;
static struct rsp_decoder *outdec;

static uint64_t rng;

/* splitmix64 */
static uint64_t next(void)
{
	uint64_t z = (rng += 0x9e3779b97f4a7c15ULL);

	z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
	z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
	return z ^ (z >> 31);
}

static uint64_t fnv1a(const uint8_t *p, size_t n)
{
	uint64_t h = 0xcbf29ce484222325ULL;

	for (size_t i = 0; i < n; i++)
		h = (h ^ p[i]) * 0x100000001b3ULL;
	return h;
}

static void notify(void *arg)
{
	gdb_session_stopped(arg);
}

static int out_event(void *opaque, const struct rsp_event *ev)
{
	switch (ev->type) {
	case RSP_EV_ACK:
	case RSP_EV_NAK:
		break;
	case RSP_EV_PACKET:
		/* the debugger's buffer is PacketSize: a longer reply would not fit */
		CHECK(ev->len <= RSP_PACKET_SIZE);
		break;
	default:
		CHECK(!"the session sent a malformed packet");
	}
	return 0;
}

/* Decode and drop everything the session queued. */
static void drain(struct gdb_session *s)
{
	struct rsp_buf *out = gdb_session_output(s);

	CHECK(rsp_feed(outdec, out->data, out->len, out_event, NULL, NULL) == 0);
	rsp_buf_consume(out, out->len);
}

/* The machine's side between two pieces of input. */
static void play_machine(struct gdb_session *s)
{
	uint64_t r = next();

	if (gdb_session_want_close(s))
		return;
	if (mt.stop_pending) {
		if (r & 1)
			mt_complete_stop(&mt);
	} else if (mt.running && mt.kills == 0 && (r & 6) == 0) {
		/* a vCPU stops by itself; the cpu is sometimes out of range on purpose */
		enum gdb_stop_kind kind = (enum gdb_stop_kind)((r >> 8) % (GDB_STOP_SIGNAL + 1));

		mt_hit(&mt, kind, (int)((r >> 16) % (uint64_t)(mt.ncpus + 1)),
		       (r >> 24) % MT_RAM_SIZE, (int)((r >> 40) & 0xff));
	}
	/* a session that knows itself stopped has a stopped machine */
	if (!gdb_session_want_close(s) && !gdb_session_running(s))
		CHECK(!mt.running);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct gdb_session *s;
	uint8_t *fixed = NULL;
	bool exited = false;
	size_t i = 0;

	rng = fnv1a(data, size);
	if (next() & 3)
		data = fixed = fuzz_fix_checksums(data, size);
	if (!outdec)
		outdec = malloc(sizeof(*outdec));
	CHECK(outdec && mt_init(&mt, 1 + (int)(next() % MT_MAX_CPUS), next() & 1) == 0);
	rsp_decoder_init(outdec);
	s = gdb_session_new(&mem_target_ops, &mt);
	CHECK(s);
	mt.notify = notify;
	mt.notify_arg = s;
	gdb_session_attach(s);
	drain(s);
	while (i < size) {
		uint64_t r = next();
		size_t n = (r & 3) == 0 ? size - i : 1 + (size_t)((r >> 2) % 96);

		if (n > size - i)
			n = size - i;
		gdb_session_feed(s, data + i, n);
		i += n;
		drain(s);
		play_machine(s);
		drain(s);
		if ((r >> 32) % 512 == 0 && !gdb_session_want_close(s)) {
			gdb_session_exited(s, (int)((r >> 48) & 0xff));
			exited = true;
			drain(s);
		}
	}
	gdb_session_closed(s);
	drain(s);
	gdb_session_free(s);
	free(fixed);
	CHECK(mt.detaches + mt.kills <= 1);
	if (!exited)
		mt_check_clean(&mt);	/* detach or kill removed every breakpoint */
	return 0;
}
