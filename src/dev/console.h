/*
 * console.h -- the host side of hyve's consoles: raw mode for the controlling
 * terminal, opening an output destination named by a config value, and the
 * Ctrl-A escape filter for terminal input.
 */
#ifndef HYVE_DEV_CONSOLE_H
#define HYVE_DEV_CONSOLE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/*
 * Put terminal `fd` in raw mode (no echo, no line editing, no signals from
 * Ctrl-C/Ctrl-Z, but output processing kept so host messages stay readable),
 * and arrange for console_restore() at exit().  Returns 1 when raw mode is on,
 * 0 if fd is not a terminal (nothing done), -EBUSY if it is a terminal whose
 * foreground is another process group (hyve runs in the background: reading it
 * would stop us with SIGTTIN, so the caller must leave it alone), or -errno.
 */
int console_raw_init(int fd);
/* Put the terminal back as it was; safe to call any number of times. */
void console_restore(void);
/* True while a terminal is in raw mode. */
bool console_is_raw(void);

/*
 * Open the destination a "serial"/"debugcon" value names: "stdio" gives fd 1
 * (not to be closed), "file:PATH" opens PATH (created or truncated, appended
 * to), "none" gives -1 (discard).  Returns the fd (or -1 for none) or -errno;
 * on failure logs "<what>: cannot open PATH: reason".
 */
int console_open_output(const char *spec, const char *what);
/* Close what console_open_output returned (leaves fds 0..2 alone). */
void console_close_output(int fd);
/*
 * Write all of buf to fd (retrying short writes and EINTR, waiting while a
 * non-blocking fd is full).  fd < 0 discards.  0 or -errno.
 */
int console_write_all(int fd, const void *buf, size_t n);

/* The Ctrl-A escape on terminal input (the state of one input stream). */
struct console_esc {
	bool pending;		/* the previous byte was Ctrl-A */
};

#define CONSOLE_ESC_CHAR	0x01	/* Ctrl-A */

/*
 * Filter n bytes of terminal input: Ctrl-A x sets *quit and stops (bytes after
 * it are dropped), Ctrl-A Ctrl-A passes one Ctrl-A, Ctrl-A followed by anything
 * else passes both bytes.  Writes the guest's bytes to out (room for n + 1) and
 * returns their count.
 */
size_t console_escape(struct console_esc *e, const uint8_t *in, size_t n,
		      uint8_t *out, bool *quit);

#endif
