/*
 * uart8250.c -- a 16550A UART on COM1 (0x3f8..0x3ff, IRQ 4), the guest's
 * serial console.
 *
 * Transmission is instant: a byte written to THR goes straight to the "serial"
 * destination, so THR and the transmitter are always empty (LSR THRE|TEMT).
 * Received bytes wait in a host-side buffer of UART_RX_SIZE bytes that plays
 * the receive FIFO.  Input comes from stdin (serial=stdio) via the event
 * thread; on a terminal, Ctrl-A x quits hyve and Ctrl-A Ctrl-A sends Ctrl-A.
 */
#include <errno.h>
#include <pthread.h>
#include <stdbool.h>
#include <string.h>
#include <sys/epoll.h>
#include <unistd.h>

#include "config.h"
#include "dev/console.h"
#include "core/device.h"
#include "core/event.h"
#include "core/io.h"
#include "core/runctl.h"
#include "core/snapbuf.h"
#include "dev/devsnap.h"
#include "dev/uart8250.h"
#include "util.h"
#include "core/vm.h"

/* Register offsets (DLAB = LCR bit 7 selects DLL/DLM at 0 and 1). */
enum {
	REG_RBR_THR_DLL = 0, REG_IER_DLM = 1, REG_IIR_FCR = 2, REG_LCR = 3,
	REG_MCR = 4, REG_LSR = 5, REG_MSR = 6, REG_SCR = 7,
};

#define IER_RDI		0x01	/* received data available */
#define IER_THRI	0x02	/* THR empty */
#define IER_RLSI	0x04	/* receiver line status */
#define IER_MSI		0x08	/* modem status */

#define IIR_NONE	0x01
#define IIR_RLS		0x06
#define IIR_RDA		0x04
#define IIR_THRE	0x02
#define IIR_FIFO	0xc0	/* both bits set: FIFOs enabled (16550A) */

#define FCR_ENABLE	0x01
#define FCR_CLEAR_RX	0x02

#define LCR_DLAB	0x80

#define MCR_DTR		0x01
#define MCR_RTS		0x02
#define MCR_OUT1	0x04
#define MCR_OUT2	0x08
#define MCR_LOOP	0x10

#define LSR_DR		0x01
#define LSR_OE		0x02
#define LSR_THRE	0x20
#define LSR_TEMT	0x40

#define MSR_CTS		0x10
#define MSR_DSR		0x20
#define MSR_RI		0x40
#define MSR_DCD		0x80

struct uart {
	/*
	 * `lock` guards everything below up to fd_lock: the registers, the
	 * receive buffer and the IRQ level, shared by vCPU threads (port I/O),
	 * the event thread (stdin) and tests (uart8250_inject).
	 */
	pthread_mutex_t lock;
	struct vm *vm;			/* NULL: not initialised */
	uint8_t ier, lcr, mcr, scr, dll, dlm;
	bool fifo_on;
	bool thre_pending;		/* THR-empty interrupt not yet acknowledged */
	bool overrun;			/* input dropped since LSR was last read */
	int irq_level;
	uint8_t rx[UART_RX_SIZE];
	unsigned rx_head, rx_count;
	int out_fd;			/* -1: discard */
	int in_fd;			/* -1: no input */
	bool in_tty;			/* input is a raw terminal: escapes, never pause */
	bool in_eof;			/* input ended (or hyve is shutting down) */
	bool in_full;			/* a pipe's reading paused on a full buffer */
	struct console_esc esc;		/* event thread only */

	/*
	 * fd_lock serialises (un)registering in_fd with the event loop, so the
	 * last of two racing updates always sees the latest state.  Taken before
	 * `lock`, never while holding it.  Guards in_polled.
	 */
	pthread_mutex_t fd_lock;
	bool in_polled;
};

static struct uart u = {
	.lock = PTHREAD_MUTEX_INITIALIZER,
	.fd_lock = PTHREAD_MUTEX_INITIALIZER,
	.out_fd = -1,
	.in_fd = -1,
};

/* The interrupt source IIR reports, highest priority first.  Lock held. */
static uint8_t iir_source(void)
{
	if ((u.ier & IER_RLSI) && u.overrun)
		return IIR_RLS;
	if ((u.ier & IER_RDI) && u.rx_count)
		return IIR_RDA;
	if ((u.ier & IER_THRI) && u.thre_pending)
		return IIR_THRE;
	return IIR_NONE;
}

/* Drive IRQ 4 to "an interrupt is pending", only on a change.  Lock held. */
static void update_irq(void)
{
	int level = iir_source() != IIR_NONE;

	if (level == u.irq_level)
		return;
	u.irq_level = level;
	/* -EBADF without a KVM VM (unit tests): the level is still tracked. */
	vm_irq_line(u.vm, UART_COM1_IRQ, level);
}

/* Queue bytes for the guest; the rest are dropped.  Lock held. */
static size_t rx_push(const uint8_t *p, size_t n)
{
	size_t done = 0;

	while (done < n && u.rx_count < UART_RX_SIZE) {
		u.rx[(u.rx_head + u.rx_count) % UART_RX_SIZE] = p[done++];
		u.rx_count++;
	}
	if (done < n)
		u.overrun = true;
	return done;
}

static uint8_t rx_pop(void)
{
	uint8_t c;

	if (!u.rx_count)
		return 0;
	c = u.rx[u.rx_head];
	u.rx_head = (u.rx_head + 1) % UART_RX_SIZE;
	u.rx_count--;
	return c;
}

static void input_cb(int fd, uint32_t events, void *opaque);

/*
 * Register or unregister stdin with the event loop to match the state: read
 * while input lasts and (for a pipe) the buffer has room.  A pipe is paused by
 * unregistering rather than by an empty event mask, since epoll keeps reporting
 * a hang-up whatever the mask.  Called without `lock`.
 */
static void input_sync(void)
{
	bool want;
	int fd;

	pthread_mutex_lock(&u.fd_lock);
	pthread_mutex_lock(&u.lock);
	fd = u.in_fd;
	want = fd >= 0 && !u.in_eof && (u.in_tty || u.rx_count < UART_RX_SIZE);
	u.in_full = !want && fd >= 0 && !u.in_eof;
	pthread_mutex_unlock(&u.lock);
	if (want && !u.in_polled) {
		int r = event_add(fd, EPOLLIN, input_cb, NULL);

		if (r == -EPERM)	/* a regular file or /dev/null: epoll cannot watch it */
			log_debug("serial: stdin cannot be polled; no console input");
		else if (r)
			log_warn("serial: cannot watch stdin: %s", strerror(-r));
		else
			u.in_polled = true;
	} else if (!want && u.in_polled) {
		event_del(STDIN_FILENO);	/* the only fd we ever watch */
		u.in_polled = false;
	}
	pthread_mutex_unlock(&u.fd_lock);
}

/* Event thread: stdin is readable (or hung up). */
static void input_cb(int fd, uint32_t events, void *opaque)
{
	uint8_t buf[512], in[sizeof(buf) + 1];
	size_t room, n;
	bool quit = false, sync = false, tty;
	struct vm *vm;
	ssize_t r;

	pthread_mutex_lock(&u.lock);
	tty = u.in_tty;
	/* A terminal is always read (so Ctrl-A x works); its excess is dropped. */
	room = tty ? sizeof(buf) : MIN(sizeof(buf), (size_t)(UART_RX_SIZE - u.rx_count));
	pthread_mutex_unlock(&u.lock);
	if (!room) {
		input_sync();
		return;
	}
	r = read(fd, buf, room);
	if (r < 0 && (errno == EINTR || errno == EAGAIN))
		return;
	if (r <= 0) {
		/* End of input (or an error): stop reading rather than spin. */
		if (r < 0)
			log_warn("serial: reading stdin: %s", strerror(errno));
		pthread_mutex_lock(&u.lock);
		u.in_eof = true;
		pthread_mutex_unlock(&u.lock);
		input_sync();
		return;
	}
	if (tty) {
		n = console_escape(&u.esc, buf, (size_t)r, in, &quit);
	} else {
		memcpy(in, buf, (size_t)r);
		n = (size_t)r;
	}
	pthread_mutex_lock(&u.lock);
	vm = u.vm;
	if (vm) {
		rx_push(in, n);
		update_irq();
		sync = !tty && u.rx_count == UART_RX_SIZE;
	}
	pthread_mutex_unlock(&u.lock);
	if (sync)
		input_sync();
	if (quit && vm)
		vm_request_exit(vm, 0, "console: Ctrl-A x");
}

int uart8250_inject(const void *buf, size_t n)
{
	size_t done;

	pthread_mutex_lock(&u.lock);
	if (!u.vm) {
		pthread_mutex_unlock(&u.lock);
		return -ENODEV;
	}
	done = rx_push(buf, n);
	update_irq();
	pthread_mutex_unlock(&u.lock);
	return (int)MIN(done, (size_t)0x7fffffff);
}

static uint8_t msr_value(void)
{
	uint8_t v = 0;

	if (!(u.mcr & MCR_LOOP))
		return MSR_DCD | MSR_DSR | MSR_CTS;	/* a cable with someone there */
	/* Loopback wires the modem outputs back to the inputs (Linux probes this). */
	if (u.mcr & MCR_RTS)
		v |= MSR_CTS;
	if (u.mcr & MCR_DTR)
		v |= MSR_DSR;
	if (u.mcr & MCR_OUT1)
		v |= MSR_RI;
	if (u.mcr & MCR_OUT2)
		v |= MSR_DCD;
	return v;
}

/* One byte-wide register read.  Lock held.  *resume: a pipe may be read again. */
static uint8_t reg_read(unsigned off, bool *resume)
{
	uint8_t v, src;

	switch (off) {
	case REG_RBR_THR_DLL:
		if (u.lcr & LCR_DLAB)
			return u.dll;
		v = rx_pop();
		if (u.in_full)
			*resume = true;
		return v;
	case REG_IER_DLM:
		return u.lcr & LCR_DLAB ? u.dlm : u.ier;
	case REG_IIR_FCR:
		src = iir_source();
		/* Reading IIR acknowledges a THR-empty interrupt it reports. */
		if (src == IIR_THRE)
			u.thre_pending = false;
		return src | (u.fifo_on ? IIR_FIFO : 0);
	case REG_LCR:
		return u.lcr;
	case REG_MCR:
		return u.mcr;
	case REG_LSR:
		v = LSR_THRE | LSR_TEMT;
		if (u.rx_count)
			v |= LSR_DR;
		if (u.overrun)
			v |= LSR_OE;
		u.overrun = false;	/* reading LSR clears the error bits */
		return v;
	case REG_MSR:
		return msr_value();
	default:
		return u.scr;
	}
}

/* One byte-wide register write.  Lock held. */
static void reg_write(unsigned off, uint8_t v)
{
	switch (off) {
	case REG_RBR_THR_DLL:
		if (u.lcr & LCR_DLAB) {
			u.dll = v;
			break;
		}
		if (u.mcr & MCR_LOOP)
			rx_push(&v, 1);
		else
			console_write_all(u.out_fd, &v, 1);
		/* Sent at once: THR is empty again, which interrupts if enabled. */
		u.thre_pending = true;
		break;
	case REG_IER_DLM:
		if (u.lcr & LCR_DLAB) {
			u.dlm = v;
			break;
		}
		/* Enabling ETBEI while THR is empty raises THRE (16550 behaviour). */
		if ((v & IER_THRI) && !(u.ier & IER_THRI))
			u.thre_pending = true;
		u.ier = v & 0x0f;
		break;
	case REG_IIR_FCR:
		/* Turning the FIFOs on or off, or the clear bit, empties RX. */
		if ((v & FCR_CLEAR_RX) || !!(v & FCR_ENABLE) != u.fifo_on) {
			u.rx_head = u.rx_count = 0;
		}
		u.fifo_on = v & FCR_ENABLE;
		break;
	case REG_LCR:
		u.lcr = v;
		break;
	case REG_MCR:
		u.mcr = v & 0x1f;
		break;
	case REG_LSR:
	case REG_MSR:
		break;		/* read-only (factory test writes ignored) */
	default:
		u.scr = v;
		break;
	}
}

static int uart_io(struct vcpu *vcpu, uint64_t addr, uint8_t *data,
		   unsigned len, bool is_write, void *opaque)
{
	bool resume = false;

	pthread_mutex_lock(&u.lock);
	/* A wider access is a run of byte accesses to consecutive ports. */
	for (unsigned i = 0; i < len; i++) {
		uint64_t off = addr + i - UART_COM1_BASE;

		if (off > REG_SCR) {
			if (!is_write)
				data[i] = 0xff;
			continue;
		}
		if (is_write)
			reg_write((unsigned)off, data[i]);
		else
			data[i] = reg_read((unsigned)off, &resume);
	}
	update_irq();
	pthread_mutex_unlock(&u.lock);
	if (resume)
		input_sync();
	return 0;
}

/* Start reading stdin if it is our input; failure only costs the input. */
static void input_open(void)
{
	int r = console_raw_init(STDIN_FILENO);

	if (r == -EBUSY) {
		log_debug("serial: hyve is in the background; no console input");
		return;
	}
	if (r < 0)
		log_warn("serial: cannot put the terminal in raw mode: %s", strerror(-r));
	pthread_mutex_lock(&u.lock);
	u.in_fd = STDIN_FILENO;
	u.in_tty = r == 1;
	u.in_eof = false;
	pthread_mutex_unlock(&u.lock);
	input_sync();
	pthread_mutex_lock(&u.fd_lock);
	if (!u.in_polled) {
		/* e.g. a regular file or /dev/null, which epoll cannot watch */
		pthread_mutex_lock(&u.lock);
		u.in_fd = -1;
		pthread_mutex_unlock(&u.lock);
		/* A raw terminal nobody reads would leave the user no way out. */
		console_restore();
	}
	pthread_mutex_unlock(&u.fd_lock);
}

static int uart_init(struct vm *vm)
{
	const char *spec = config_str("serial");
	int fd, r;

	fd = console_open_output(spec, "serial");
	if (fd < -1)
		return fd;
	pthread_mutex_lock(&u.lock);
	u.ier = u.lcr = u.mcr = u.scr = u.dlm = 0;
	u.dll = 12;			/* 9600 baud, as after a BIOS */
	u.fifo_on = u.thre_pending = u.overrun = false;
	u.irq_level = 0;
	u.rx_head = u.rx_count = 0;
	u.out_fd = fd;
	u.in_fd = -1;
	u.in_tty = u.in_eof = u.in_full = false;
	u.esc.pending = false;
	u.vm = vm;
	pthread_mutex_unlock(&u.lock);
	r = io_register(&vm->io, IO_PIO, UART_COM1_BASE, 8, uart_io, NULL, "uart8250");
	if (r) {
		log_err("serial: cannot register ports 0x3f8-0x3ff: %s", strerror(-r));
		pthread_mutex_lock(&u.lock);
		u.vm = NULL;
		u.out_fd = -1;
		pthread_mutex_unlock(&u.lock);
		console_close_output(fd);
		return r;
	}
	if (spec && !strcmp(spec, "stdio"))
		input_open();
	return 0;
}

static void uart_exit(struct vm *vm)
{
	int fd;

	pthread_mutex_lock(&u.lock);
	u.in_eof = true;
	pthread_mutex_unlock(&u.lock);
	input_sync();			/* unregisters stdin */
	console_restore();
	pthread_mutex_lock(&u.lock);
	fd = u.out_fd;
	u.out_fd = -1;
	u.in_fd = -1;
	u.vm = NULL;
	pthread_mutex_unlock(&u.lock);
	console_close_output(fd);
}

/*
 * The guest-visible state in a snapshot: the registers, the interrupt
 * conditions and the receive FIFO with its bytes.  Not saved: the output and
 * input fds, the terminal mode, the Ctrl-A escape state and whether stdin is
 * polled -- host-side plumbing that stays as it is.
 */
#define UART_SNAP_TAG		SNAP_TAG('U', 'A', 'R', 'T')
#define UART_SNAP_VERSION	1

struct uart_snap {
	uint32_t version;
	uint8_t ier, lcr, mcr, scr, dll, dlm;
	uint8_t fifo_on, thre_pending, overrun;	/* 0 or 1 */
	uint8_t irq_level;			/* 0 or 1 */
	uint8_t pad[2];
	uint32_t rx_head, rx_count;
	uint8_t rx[UART_RX_SIZE];
} __attribute__((packed));

static int uart_save(struct vm *vm, struct snap_w *w)
{
	struct uart_snap s;

	memset(&s, 0, sizeof(s));
	pthread_mutex_lock(&u.lock);
	if (!u.vm) {
		pthread_mutex_unlock(&u.lock);
		return 0;	/* not initialised: nothing the guest could see */
	}
	s.version = UART_SNAP_VERSION;
	s.ier = u.ier;
	s.lcr = u.lcr;
	s.mcr = u.mcr;
	s.scr = u.scr;
	s.dll = u.dll;
	s.dlm = u.dlm;
	s.fifo_on = u.fifo_on;
	s.thre_pending = u.thre_pending;
	s.overrun = u.overrun;
	s.irq_level = (uint8_t)u.irq_level;
	s.rx_head = u.rx_head;
	s.rx_count = u.rx_count;
	memcpy(s.rx, u.rx, sizeof(s.rx));
	pthread_mutex_unlock(&u.lock);
	snapw_put(w, UART_SNAP_TAG, 0, &s, sizeof(s));
	return w->err;
}

/*
 * Could the registers ever hold these values?  IER and MCR keep only their
 * defined bits, the FIFO indexes stay inside the buffer, and the saved IRQ
 * level is the one the saved registers imply (it is updated after every
 * access, so anything else is a damaged record).
 */
static bool uart_snap_ok(const struct uart_snap *s)
{
	bool level;

	if ((s->ier & ~0x0f) || (s->mcr & ~0x1f) || !devsnap_bool_ok(s->fifo_on) ||
	    !devsnap_bool_ok(s->thre_pending) || !devsnap_bool_ok(s->overrun) ||
	    !devsnap_bool_ok(s->irq_level) || s->rx_head >= UART_RX_SIZE ||
	    s->rx_count > UART_RX_SIZE)
		return false;
	level = ((s->ier & IER_RLSI) && s->overrun) || ((s->ier & IER_RDI) && s->rx_count) ||
		((s->ier & IER_THRI) && s->thre_pending);
	return level == s->irq_level;
}

static int uart_load(struct vm *vm, const struct snap_r *r, bool check)
{
	struct uart_snap s;
	bool present;
	int e;

	pthread_mutex_lock(&u.lock);
	present = u.vm != NULL;
	pthread_mutex_unlock(&u.lock);
	e = devsnap_get(r, UART_SNAP_TAG, 0, present, &s, sizeof(s), UART_SNAP_VERSION);
	if (e)
		return e > 0 ? 0 : e;
	if (!uart_snap_ok(&s))
		return -EINVAL;
	if (check)
		return 0;
	pthread_mutex_lock(&u.lock);
	u.ier = s.ier;
	u.lcr = s.lcr;
	u.mcr = s.mcr;
	u.scr = s.scr;
	u.dll = s.dll;
	u.dlm = s.dlm;
	u.fifo_on = s.fifo_on;
	u.thre_pending = s.thre_pending;
	u.overrun = s.overrun;
	u.rx_head = s.rx_head;
	u.rx_count = s.rx_count;
	memcpy(u.rx, s.rx, sizeof(u.rx));
	/*
	 * Drive IRQ 4 to the saved level (the one the registers imply, checked
	 * above) whatever the line was: an impossible last level makes
	 * update_irq see a change.
	 */
	u.irq_level = -1;
	update_irq();
	pthread_mutex_unlock(&u.lock);
	/* The FIFO's fill changed: a pipe paused on a full buffer may be read again. */
	input_sync();
	return 0;
}

static const struct device uart8250 = {
	.name = "uart8250",
	.prio = 10,
	.init = uart_init,
	.exit = uart_exit,
	.save = uart_save,
	.load = uart_load,
};
DEVICE_REGISTER(uart8250);
