/*
 * rsp.h -- the GDB Remote Serial Protocol codec: packet framing, checksums,
 * escaping, run-length decoding, hex, and the argument parsers of the packets
 * the debug server handles.  Pure code: no I/O, nothing about KVM, so it is
 * unit-tested on byte strings.
 *
 * rsp.c holds the decoder, encoder, output buffer and hex helpers;
 * rsp_args.c the packet argument parsers.
 */
#ifndef HYVE_RSP_H
#define HYVE_RSP_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/*
 * Largest decoded payload accepted.  We advertise RSP_PACKET_SIZE to GDB
 * (qSupported PacketSize), which then never sends more; the slack absorbs a
 * command prefix and argument text around a full-size data block.
 */
#define RSP_PACKET_SIZE		(128 * 1024)
#define RSP_MAX_PACKET		(RSP_PACKET_SIZE + 256)

/* ---- streaming decoder ---- */

enum rsp_event_type {
	RSP_EV_PACKET,		/* a complete packet with a good checksum */
	RSP_EV_ACK,		/* '+' outside a packet */
	RSP_EV_NAK,		/* '-' outside a packet: resend the last reply */
	RSP_EV_INTERRUPT,	/* 0x03 outside a packet (Ctrl-C) */
	RSP_EV_BAD_CHECKSUM,	/* answer '-' so GDB retransmits */
	RSP_EV_ERROR,		/* framing good, content not: err says why */
};

struct rsp_event {
	enum rsp_event_type type;
	/*
	 * RSP_EV_PACKET: the decoded payload (escapes and run lengths undone),
	 * binary-safe by len and also NUL-terminated for the text parsers.
	 * Points into the decoder; valid only during the callback.
	 */
	const uint8_t *data;
	size_t len;
	/* RSP_EV_ERROR: -EMSGSIZE (over RSP_MAX_PACKET) or -EINVAL (bad '}' or '*'). */
	int err;
};

/* Returns 0 to go on, anything else stops rsp_feed (which returns it). */
typedef int (*rsp_event_fn)(void *opaque, const struct rsp_event *ev);

enum rsp_dec_state {
	RSP_IDLE,		/* between packets */
	RSP_BODY,		/* inside $...: payload bytes */
	RSP_ESC,		/* after '}' */
	RSP_RUN,		/* after '*': next byte is the count */
	RSP_CSUM1,		/* after '#' */
	RSP_CSUM2,
	RSP_NOTIFY,		/* inside %...#xx: skipped */
	RSP_NOTIFY_CSUM1,
	RSP_NOTIFY_CSUM2,
};

/*
 * Decoder state.  Large (it holds one payload): embed it in a heap object.
 * Owned by one thread (the debug server's event thread).
 */
struct rsp_decoder {
	enum rsp_dec_state state;
	uint8_t sum;		/* running checksum of the raw payload bytes */
	uint8_t csum;		/* checksum received after '#' */
	int err;		/* first content error in this packet, or 0 */
	size_t len;		/* decoded bytes so far */
	uint64_t dropped;	/* packets cut short by a new '$' (statistics) */
	uint8_t buf[RSP_MAX_PACKET + 1];
};

void rsp_decoder_init(struct rsp_decoder *d);

/*
 * Feed n received bytes.  Calls fn once per event, in stream order; a packet
 * may span any number of calls.  Returns 0 when all bytes were consumed, or
 * the first non-zero value fn returned: then *used (if not NULL) says how
 * many bytes were consumed, the event's byte included.
 */
int rsp_feed(struct rsp_decoder *d, const void *buf, size_t n,
	     rsp_event_fn fn, void *opaque, size_t *used);

/* ---- encoder ---- */

/*
 * Frame a payload as "$...#xx" into out, escaping '$', '#', '}' and '*'.
 * Returns the framed length, or -ENOSPC if cap is too small (worst case
 * 2 * n + 4).  rsp_encode_rle also run-length encodes runs of 4 or more
 * identical plain bytes (GDB decodes that in replies).
 */
int rsp_encode(uint8_t *out, size_t cap, const void *payload, size_t n);
int rsp_encode_rle(uint8_t *out, size_t cap, const void *payload, size_t n);

/* ---- growing byte buffer (reply building, output queues) ---- */

struct rsp_buf {
	uint8_t *data;
	size_t len;
	size_t cap;
};

void rsp_buf_init(struct rsp_buf *b);
void rsp_buf_free(struct rsp_buf *b);
/* Make room for extra more bytes.  0 or -ENOMEM. */
int rsp_buf_reserve(struct rsp_buf *b, size_t extra);
int rsp_buf_put(struct rsp_buf *b, const void *p, size_t n);
int rsp_buf_puts(struct rsp_buf *b, const char *s);
int rsp_buf_printf(struct rsp_buf *b, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));
/* Append the hex of n bytes (2 * n characters). */
int rsp_buf_put_hex(struct rsp_buf *b, const void *p, size_t n);
/* Append v in hex, no leading zeros (the stop reply's hot path: no printf). */
int rsp_buf_put_hexnum(struct rsp_buf *b, uint64_t v);
/* Append payload framed as a packet (see rsp_encode). */
int rsp_buf_put_packet(struct rsp_buf *b, const void *payload, size_t n, bool rle);
/* Drop the first n bytes (after they were written out). */
void rsp_buf_consume(struct rsp_buf *b, size_t n);

/* ---- hex ---- */

/* Write 2 * n lower-case hex characters (no NUL). */
void rsp_hex_encode(char *out, const void *in, size_t n);
/*
 * Decode inlen hex characters into out (cap bytes).  Returns the byte count,
 * -EINVAL on odd length or a non-hex character, -ENOSPC if cap is too small.
 */
int rsp_hex_decode(void *out, size_t cap, const char *in, size_t inlen);
/* Value of one hex digit, or -1. */
int rsp_hex_digit(int c);
/*
 * Parse exactly len hex characters as a u64 (leading zeros allowed).
 * 0, -EINVAL (empty or non-hex), -ERANGE (more than 16 significant digits).
 */
int rsp_parse_hex_u64(const char *s, size_t len, uint64_t *out);
/* Hex of the nbytes (1..8) low bytes of v, least significant first (2 * nbytes chars). */
void rsp_le_encode(char *out, uint64_t v, unsigned nbytes);
/* Inverse of rsp_le_encode over exactly 2 * nbytes characters.  0 or -EINVAL. */
int rsp_le_decode(const char *in, unsigned nbytes, uint64_t *out);

/* ---- packet argument parsers (rsp_args.c) ----
 * Each takes the whole decoded packet (command letter included) and returns
 * 0 or -EINVAL: missing separators, empty fields, non-hex, numbers over 64
 * bits, address ranges wrapping past 2^64, trailing junk.
 */

struct rsp_mem_args {
	uint64_t addr;
	uint64_t len;
	/* M: the hex digits (2 * len, validated); X: the raw bytes (len). */
	const uint8_t *data;
	size_t data_len;
};

int rsp_parse_m(const uint8_t *pkt, size_t n, struct rsp_mem_args *a);	/* m addr,len */
int rsp_parse_x(const uint8_t *pkt, size_t n, struct rsp_mem_args *a);	/* x addr,len */
int rsp_parse_M(const uint8_t *pkt, size_t n, struct rsp_mem_args *a);	/* M addr,len:hex */
int rsp_parse_X(const uint8_t *pkt, size_t n, struct rsp_mem_args *a);	/* X addr,len:bin */

struct rsp_bp_args {
	bool insert;		/* Z (true) or z */
	unsigned type;		/* 0 sw, 1 hw, 2 write, 3 read, 4 access watchpoint */
	uint64_t addr;
	uint64_t kind;		/* breakpoint: instruction length; watchpoint: bytes */
	const char *opts;	/* Z: what follows kind (";X..;cmds:..."), NULL if nothing */
	size_t opts_len;
};
/* Z/z type,addr,kind; Z may go on with conditions and commands (a->opts, not parsed here). */
int rsp_parse_Z(const uint8_t *pkt, size_t n, struct rsp_bp_args *a);

/* p n */
int rsp_parse_p(const uint8_t *pkt, size_t n, unsigned *regno);
/* P n=hex: *hex and *hexlen give the value digits (even count, validated). */
int rsp_parse_P(const uint8_t *pkt, size_t n, unsigned *regno,
		const char **hex, size_t *hexlen);

/* Thread ids: -1 "all", 0 "any", else positive. */
#define RSP_TID_ALL	(-1)
#define RSP_TID_ANY	0
struct rsp_tid {
	bool has_pid;		/* multiprocess form pPID.TID (or pPID) */
	int64_t pid;
	int64_t tid;		/* RSP_TID_ALL when only pPID was given */
};
/* A thread id alone, exactly len characters: "-1", "0", "1f", "p1.2", "p1.-1", "p1". */
int rsp_parse_thread_id(const char *s, size_t len, struct rsp_tid *t);
/* H op thread-id: *op gets 'g' or 'c'. */
int rsp_parse_H(const uint8_t *pkt, size_t n, char *op, struct rsp_tid *t);
/* T thread-id */
int rsp_parse_T(const uint8_t *pkt, size_t n, struct rsp_tid *t);

struct rsp_vcont_action {
	char action;		/* 'c', 's', 't', 'C', 'S', 'r' */
	uint8_t sig;		/* C and S */
	uint64_t start, end;	/* r: step while start <= pc < end */
	bool has_tid;		/* false: applies to every thread not named before */
	struct rsp_tid tid;
};
/*
 * vCont;action[:tid]... into acts[0..max).  *count gets the number of
 * actions; more than max is -EINVAL too.  ("vCont?" is not parsed here.)
 */
int rsp_parse_vcont(const uint8_t *pkt, size_t n, struct rsp_vcont_action *acts,
		    int max, int *count);

struct rsp_qxfer {
	const char *object;	/* e.g. "features"; not NUL-terminated */
	size_t object_len;
	const char *annex;	/* e.g. "target.xml"; may be empty */
	size_t annex_len;
	uint64_t offset;
	uint64_t length;
};
/* qXfer:object:read:annex:offset,length (only "read"). */
int rsp_parse_qxfer_read(const uint8_t *pkt, size_t n, struct rsp_qxfer *q);

/*
 * qRcmd,hex: decodes the monitor command into out (NUL-terminated, at most
 * cap - 1 characters; -EINVAL if longer).  *len gets its length.
 */
int rsp_parse_qrcmd(const uint8_t *pkt, size_t n, char *out, size_t cap, size_t *len);

#endif
