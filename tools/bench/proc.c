/* proc.c -- launching and watching the stubs' processes; see proc.h. */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <netinet/in.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "proc.h"

/* Process groups alive now, for the signal handler (main thread writes). */
#define MAX_LIVE 16
static volatile pid_t live[MAX_LIVE];

static void live_set(pid_t old, pid_t pid)
{
	for (int i = 0; i < MAX_LIVE; i++) {
		if (live[i] == old) {
			live[i] = pid;
			return;
		}
	}
}

void proc_track(pid_t old, pid_t pid)
{
	live_set(old, pid);
}

static void on_signal(int sig)
{
	for (int i = 0; i < MAX_LIVE; i++)
		if (live[i] > 0)
			killpg(live[i], SIGKILL);
	signal(sig, SIG_DFL);
	raise(sig);
}

void proc_cleanup_on_signals(void)
{
	signal(SIGINT, on_signal);
	signal(SIGTERM, on_signal);
	signal(SIGHUP, on_signal);
}

int64_t now_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (int64_t)ts.tv_sec * 1000000000 + ts.tv_nsec;
}

void sleep_ms(double ms)
{
	int64_t ns = (int64_t)(ms * 1e6);
	struct timespec ts = { (time_t)(ns / 1000000000), (long)(ns % 1000000000) };

	while (nanosleep(&ts, &ts) && errno == EINTR)
		;
}

/* Copy the child's output to its log; time the first appearance of the pattern. */
static void *logger(void *arg)
{
	struct child *ch = arg;
	size_t plen = strlen(ch->pattern);
	char buf[8192 + 64];
	size_t keep = 0;	/* bytes carried over so a pattern split across reads is seen */
	FILE *log = fopen(ch->log_path, "w");

	for (;;) {
		ssize_t n = read(ch->out_fd, buf + keep, sizeof(buf) - 64 - 1);
		int64_t t = now_ns();

		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0)
			break;
		if (log) {
			fwrite(buf + keep, 1, (size_t)n, log);
			fflush(log);
		}
		size_t len = keep + (size_t)n;

		buf[len] = 0;
		if (plen && !__atomic_load_n(&ch->ready_ns, __ATOMIC_ACQUIRE) &&
		    memmem(buf, len, ch->pattern, plen))
			__atomic_store_n(&ch->ready_ns, t, __ATOMIC_RELEASE);
		keep = plen > 1 ? (len < plen - 1 ? len : plen - 1) : 0;
		memmove(buf, buf + len - keep, keep);
	}
	if (log)
		fclose(log);
	return NULL;
}

int child_start(struct child *ch, const char *cmd, const char *pattern, const char *log_path)
{
	int p[2], devnull;
	char *full;

	memset(ch, 0, sizeof(*ch));
	snprintf(ch->log_path, sizeof(ch->log_path), "%s", log_path);
	snprintf(ch->pattern, sizeof(ch->pattern), "%s", pattern ? pattern : "");
	if (asprintf(&full, "exec %s", cmd) < 0)
		return -ENOMEM;
	if (pipe2(p, O_CLOEXEC)) {
		free(full);
		return -errno;
	}
	ch->start_ns = now_ns();
	ch->pid = fork();
	if (ch->pid < 0) {
		int r = -errno;

		close(p[0]);
		close(p[1]);
		free(full);
		ch->pid = 0;
		return r;
	}
	if (ch->pid == 0) {
		setpgid(0, 0);
		/* if the benchmark dies, so does what it started */
		prctl(PR_SET_PDEATHSIG, SIGKILL);
		devnull = open("/dev/null", O_RDONLY);
		dup2(devnull, 0);
		dup2(p[1], 1);
		dup2(p[1], 2);
		execl("/bin/sh", "sh", "-c", full, (char *)NULL);
		_exit(127);
	}
	setpgid(ch->pid, ch->pid);	/* also here: no race with killpg below */
	live_set(0, ch->pid);
	free(full);
	close(p[1]);
	ch->out_fd = p[0];
	if (pthread_create(&ch->logger, NULL, logger, ch) == 0)
		ch->logger_started = true;
	return 0;
}

bool child_alive(struct child *ch)
{
	int st;

	if (!ch->pid)
		return false;
	return waitpid(ch->pid, &st, WNOHANG) == 0;
}

int child_wait_ready(struct child *ch, int timeout_ms)
{
	int64_t end = now_ns() + (int64_t)timeout_ms * 1000000;

	while (!__atomic_load_n(&ch->ready_ns, __ATOMIC_ACQUIRE)) {
		if (!child_alive(ch)) {
			sleep_ms(20);	/* let the logger catch the last words */
			return __atomic_load_n(&ch->ready_ns, __ATOMIC_ACQUIRE) ? 0 : -ECHILD;
		}
		if (now_ns() > end)
			return -ETIMEDOUT;
		sleep_ms(1);
	}
	return 0;
}

void child_stop(struct child *ch)
{
	int st;

	if (ch->pid > 0) {
		killpg(ch->pid, SIGTERM);
		for (int i = 0; i < 300; i++) {
			if (waitpid(ch->pid, &st, WNOHANG) != 0)
				goto reaped;
			sleep_ms(10);
		}
		killpg(ch->pid, SIGKILL);
		waitpid(ch->pid, &st, 0);
reaped:
		killpg(ch->pid, SIGKILL);	/* anything it left behind in its group */
		live_set(ch->pid, 0);
		ch->pid = 0;
	}
	if (ch->logger_started) {
		pthread_join(ch->logger, NULL);
		ch->logger_started = false;
		close(ch->out_fd);
	}
}

void child_log_tail(const struct child *ch, char *buf, size_t cap)
{
	FILE *f = fopen(ch->log_path, "r");
	long len;
	size_t n = 0;

	buf[0] = 0;
	if (!f)
		return;
	fseek(f, 0, SEEK_END);
	len = ftell(f);
	fseek(f, len > (long)cap - 1 ? len - (long)cap + 1 : 0, SEEK_SET);
	n = fread(buf, 1, cap - 1, f);
	buf[n] = 0;
	fclose(f);
}

int free_port(void)
{
	struct sockaddr_in sa = { .sin_family = AF_INET, .sin_addr.s_addr = htonl(0x7f000001) };
	socklen_t len = sizeof(sa);
	int fd = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0), port = -1;

	if (fd < 0)
		return -errno;
	if (!bind(fd, (struct sockaddr *)&sa, sizeof(sa)) &&
	    !getsockname(fd, (struct sockaddr *)&sa, &len))
		port = ntohs(sa.sin_port);
	close(fd);
	return port;
}

int proc_mem_read(pid_t pid, uint64_t addr, void *buf, size_t n)
{
	char path[64];
	int fd;
	ssize_t k;

	snprintf(path, sizeof(path), "/proc/%d/mem", (int)pid);
	fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return -errno;
	k = pread(fd, buf, n, (off_t)addr);
	close(fd);
	if (k < 0)
		return -errno;
	return (size_t)k == n ? 0 : -EIO;
}

int guest_ram_find(pid_t pid, uint64_t gpa, const uint8_t *expect, size_t n, uint64_t *base)
{
	char path[64], line[512];
	uint8_t got[256];
	FILE *f;
	int r = -ENOENT;

	if (n > sizeof(got))
		return -EINVAL;
	snprintf(path, sizeof(path), "/proc/%d/maps", (int)pid);
	f = fopen(path, "r");
	if (!f)
		return -errno;
	while (fgets(line, sizeof(line), f)) {
		unsigned long lo, hi;
		char perm[8];
		int used = 0;

		if (sscanf(line, "%lx-%lx %7s %*s %*s %*s%n", &lo, &hi, perm, &used) < 3)
			continue;
		/* anonymous: nothing after the inode column */
		if (perm[0] != 'r' || perm[1] != 'w' || line[used + strspn(line + used, " ")] != '\n')
			continue;
		if (hi - lo < gpa + n)
			continue;
		if (proc_mem_read(pid, lo + gpa, got, n) == 0 && !memcmp(got, expect, n)) {
			*base = lo;
			r = 0;
			break;
		}
	}
	fclose(f);
	return r;
}

int64_t proc_cpu_ns(pid_t pid, int64_t *busiest)
{
	char path[64];
	struct dirent *d;
	DIR *dir;
	int64_t sum = 0;

	snprintf(path, sizeof(path), "/proc/%d/task", (int)pid);
	dir = opendir(path);
	if (!dir)
		return -errno;
	if (busiest)
		*busiest = 0;
	while ((d = readdir(dir))) {
		char p[320];
		unsigned long long run = 0;
		FILE *f;

		if (d->d_name[0] == '.')
			continue;
		snprintf(p, sizeof(p), "/proc/%d/task/%s/schedstat", (int)pid, d->d_name);
		f = fopen(p, "r");
		if (!f)
			continue;
		if (fscanf(f, "%llu", &run) == 1) {
			sum += (int64_t)run;
			if (busiest && (int64_t)run > *busiest)
				*busiest = (int64_t)run;
		}
		fclose(f);
	}
	closedir(dir);
	return sum;
}
