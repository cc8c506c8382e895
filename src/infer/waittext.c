/* waittext.c - see waittext.h. */
#include "infer/waittext.h"

#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <sys/syscall.h>
#include <sys/uio.h>
#include <time.h>

#include "util/util.h"

int waittext_peek(pid_t pid, uint64_t addr, void *buf, size_t n)
{
	struct iovec local = { buf, n }, remote = { (void *)(uintptr_t)addr, n };
	ssize_t got = process_vm_readv(pid, &local, 1, &remote, 1, 0);
	if (got == (ssize_t)n)
		return 0;
	return got < 0 ? errno : EFAULT;
}

/* "fd 3", or what the namer calls it. */
static void fd_text(const struct waittext_ctx *c, int fd, bool reading, char *buf, size_t len)
{
	if (c->namer && c->namer(c->namer_ctx, c->pid, fd, reading, buf, len) > 0)
		return;
	snprintf(buf, len, "fd %d", fd);
}

/* Seconds as people write them: "0.5", "30", "1.25", "3600". */
static void seconds_text(double s, char *buf, size_t len)
{
	if (s >= 100)
		snprintf(buf, len, "%.0f", s);
	else
		snprintf(buf, len, "%.3g", s < 0 ? 0 : s);
}

/* "sleeps 0.5 s" from the timespec at addr; abs: an absolute time on clock. */
static void sleep_text(const struct waittext_ctx *c, uint64_t addr, bool abs, clockid_t clock,
		       char *buf, size_t len)
{
	struct timespec ts;
	if (waittext_peek(c->pid, addr, &ts, sizeof ts) != 0 || ts.tv_nsec < 0 ||
	    ts.tv_nsec >= 1000000000L) {
		snprintf(buf, len, "sleeps");
		return;
	}
	double s = (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
	struct timespec now;
	if (abs && clock_gettime(clock, &now) == 0)
		s -= (double)now.tv_sec + (double)now.tv_nsec / 1e9;
	char num[32];
	seconds_text(s, num, sizeof num);
	snprintf(buf, len, abs ? "sleeps %s s more" : "sleeps %s s", num);
}

/* The fds an epoll instance watches: its fdinfo's "tfd:" lines. */
static int epoll_count(pid_t pid, int epfd)
{
	char path[64], text[8192];
	snprintf(path, sizeof path, "/proc/%d/fdinfo/%d", (int)pid, epfd);
	if (util_read_file(path, text, sizeof text) < 0)
		return -1;
	int n = 0;
	for (const char *p = text; (p = strstr(p, "tfd:")) != NULL; p += 4)
		n++;
	return n;
}

static void fd_wait(const struct waittext_ctx *c, const char *verb, int fd, bool reading, char *buf,
		    size_t len)
{
	char what[WAITTEXT_MAX];
	fd_text(c, fd, reading, what, sizeof what);
	snprintf(buf, len, "%s %s", verb, what);
}

void waittext_format(const struct waittext_ctx *c, const struct syscall_line *sc, char *buf,
		     size_t len)
{
	const struct syscall_info *si = syscall_info(sc->nr);
	const uint64_t *a = sc->args;
	int fd = (int)a[0];
	if (!si) {
		snprintf(buf, len, "in syscall %d", sc->nr);
		return;
	}
	switch (si->cls) {
	case SC_SLEEP: sleep_text(c, a[0], false, CLOCK_MONOTONIC, buf, len); break;
	case SC_CLOCK_SLEEP:
		sleep_text(c, a[2], (a[1] & TIMER_ABSTIME) != 0, (clockid_t)a[0], buf, len);
		break;
	case SC_CHILD:
		if (si->nr == SYS_wait4 && (int)a[0] > 0)
			snprintf(buf, len, "waits for child PID %d (%s)", (int)a[0], si->name);
		else
			snprintf(buf, len, "waits for a child (%s)", si->name);
		break;
	case SC_EPOLL: {
		int n = epoll_count(c->pid, fd);
		if (n >= 0)
			snprintf(buf, len, "epoll_wait on %d fd%s", n, n == 1 ? "" : "s");
		else
			snprintf(buf, len, "epoll_wait on fd %d", fd);
		break;
	}
	case SC_POLL: snprintf(buf, len, "poll on %d fd%s", (int)a[1], a[1] == 1 ? "" : "s"); break;
	case SC_SELECT: snprintf(buf, len, "select on fds < %d", (int)a[0]); break;
	case SC_READ: fd_wait(c, "reads", fd, true, buf, len); break;
	case SC_WRITE: fd_wait(c, "writes", fd, false, buf, len); break;
	case SC_ACCEPT: fd_wait(c, "accept on", fd, true, buf, len); break;
	case SC_CONNECT: fd_wait(c, "connects on", fd, false, buf, len); break;
	case SC_FLOCK: snprintf(buf, len, "file lock (%s) on fd %d", si->name, fd); break;
	case SC_SIGNAL: snprintf(buf, len, "waits for a signal (%s)", si->name); break;
	case SC_IPC: snprintf(buf, len, "waits in %s", si->name); break;
	case SC_FUTEX: snprintf(buf, len, "futex (semaphore, condition or rwlock)"); break;
	case SC_OTHER: snprintf(buf, len, "in %s", si->name); break;
	}
}
