/*
 * rspc.h -- a small GDB remote-protocol client for the benchmark: TCP,
 * framing, acks, escapes and run lengths, nothing else.  It is written for
 * the benchmark rather than reusing the server's codec (src/gdb/rsp.c) so
 * that a bug in that codec cannot hide on both ends of the measurement, and
 * so that the receive path stays close to memchr/memcpy speed (the client
 * must never be the bottleneck: see `rspbench --selftest`).
 *
 * One connection per struct rspc; one thread uses it.  Functions return 0
 * or -errno (-ETIMEDOUT: no reply in time, -ECONNRESET: the stub hung up,
 * -EPROTO: the stub sent something that is not the protocol).
 */
#ifndef BENCH_RSPC_H
#define BENCH_RSPC_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

struct rspc_stats {
	uint64_t sent, recv;		/* packets */
	uint64_t naks;			/* '-' received */
	uint64_t junk;			/* bytes that were not part of a packet */
	uint64_t unsolicited;		/* stop replies nobody asked for (QEMU on connect) */
	uint64_t console;		/* 'O' packets */
	uint64_t bad_csum;		/* wrong checksums seen in no-ack mode */
};

struct rspc {
	int fd;
	bool ack;			/* '+'/'-' still in use (no QStartNoAckMode) */
	int timeout_ms;			/* the socket's receive timeout now */
	uint8_t *rx;			/* received bytes [rx_head, rx_tail) */
	size_t rx_head, rx_tail, rx_cap;
	uint8_t *tx;			/* framed outgoing packet */
	size_t tx_cap;
	uint8_t *dec;			/* decoded payload when it had escapes or runs */
	size_t dec_cap;
	struct rspc_stats st;
};

/* Connect to host:port (numeric), TCP_NODELAY, receive timeout timeout_ms. */
int rspc_open(struct rspc *c, const char *host, int port, int timeout_ms);
void rspc_close(struct rspc *c);
/* Change the receive timeout (a setsockopt only when it differs). */
int rspc_set_timeout(struct rspc *c, int timeout_ms);

/* Frame and send one packet; in ack mode also wait for its '+'. */
int rspc_send(struct rspc *c, const void *payload, size_t n);
int rspc_sendf(struct rspc *c, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
/* The 0x03 interrupt byte. */
int rspc_interrupt(struct rspc *c);

/*
 * The next packet: *p points at its decoded payload, NUL-terminated, valid
 * until the next call.  Skips acks and '%' notifications.
 */
int rspc_recv(struct rspc *c, const uint8_t **p, size_t *n);
/*
 * Send a command and return its reply; stop replies arriving first (QEMU
 * sends one by itself when a debugger connects to a running VM) are counted
 * and skipped.
 */
int rspc_cmd(struct rspc *c, const uint8_t **p, size_t *n, const char *fmt, ...)
	__attribute__((format(printf, 4, 5)));
/* Wait for a stop reply (T, S, W, X), skipping 'O' console output. */
int rspc_wait_stop(struct rspc *c, const uint8_t **p, size_t *n);
/* Something already received or readable now (a stop reply nobody asked for). */
bool rspc_pending(struct rspc *c);

/* Hex helpers for replies: decode 2*n hex digits; -EINVAL on a bad digit. */
int rspc_unhex(uint8_t *out, const uint8_t *hex, size_t n);
void rspc_hex(char *out, const uint8_t *in, size_t n);

#endif
