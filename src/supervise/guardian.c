/* guardian.c - see guardian.h. concmon writes fixed-size records into a
 * pipe; the guardian acts on end-of-file, which the kernel delivers however
 * concmon dies. Process-group kills catch what was forked since the last
 * refresh; PID + start time catches what left its group (setsid). */
#include "supervise/guardian.h"

#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include "kernel/cgroup.h"
#include "kernel/proctable.h"
#include "util/util.h"

/* The most processes the guardian remembers; older entries are replaced. */
#define GUARDIAN_MAX 65536

enum { MSG_WATCH, MSG_WATCH_GROUP, MSG_DISMISS };

struct msg {
	int op;
	pid_t pid;
	unsigned long long start;
};

struct watched {
	pid_t pid;
	unsigned long long start;
	unsigned gen;           /* the sweep it was last watched in */
};

struct guardian {
	pid_t pid;
	int fd;
	struct watched *seen;   /* sorted by pid: what was already sent */
	size_t n, cap;
	unsigned gen;
};

static void kill_recorded(const struct msg *rec, size_t n)
{
	/* Several rounds: a dying parent may have forked just before. */
	for (int round = 0; round < 3; round++) {
		for (size_t i = 0; i < n; i++) {
			if (rec[i].op == MSG_WATCH_GROUP)
				kill(-rec[i].pid, SIGKILL);
			/* start 0 would match any process that is gone: never kill on it */
			if (rec[i].start && proctable_start_ticks(rec[i].pid) == rec[i].start)
				kill(rec[i].pid, SIGKILL);
		}
	}
}

static void remember(struct msg *rec, size_t *n, size_t *next, const struct msg *m)
{
	for (size_t i = 0; i < *n; i++) {
		if (rec[i].pid == m->pid) {
			rec[i] = *m;
			return;
		}
	}
	if (*n < GUARDIAN_MAX) {
		rec[(*n)++] = *m;
	} else {
		rec[*next] = *m;
		*next = (*next + 1) % GUARDIAN_MAX;
	}
}

static void __attribute__((noreturn)) guardian_main(int fd, const char *cgroup)
{
	static const int quiet[] = { SIGINT, SIGTERM, SIGHUP, SIGQUIT, SIGTSTP, SIGTTIN, SIGTTOU, SIGPIPE, SIGWINCH };
	struct sigaction ign = { .sa_handler = SIG_IGN };
	for (size_t i = 0; i < sizeof quiet / sizeof quiet[0]; i++)
		sigaction(quiet[i], &ign, NULL);
	sigset_t none;
	sigemptyset(&none);
	sigprocmask(SIG_SETMASK, &none, NULL);
	setpgid(0, 0);
	int null = open("/dev/null", O_RDWR);
	if (null >= 0) {
		dup2(null, 0);
		dup2(null, 1);
		dup2(null, 2);
	}
	if (fd != 3) {
		dup2(fd, 3);
		fd = 3;
	}
	close_range(4, ~0U, 0);

	struct msg *rec = xmalloc(GUARDIAN_MAX * sizeof *rec);
	size_t n = 0, next = 0;
	for (;;) {
		struct msg m;
		ssize_t r = read(fd, &m, sizeof m);
		if (r < 0 && errno == EINTR)
			continue;
		if (r != (ssize_t)sizeof m)
			break; /* EOF: concmon is gone */
		if (m.op == MSG_DISMISS)
			_exit(0);
		remember(rec, &n, &next, &m);
	}
	if (cgroup)
		cgroup_kill_path(cgroup, 1.0);
	kill_recorded(rec, n);
	_exit(0);
}

struct guardian *guardian_start(const char *cgroup, char *err, size_t errlen)
{
	int p[2];
	if (pipe2(p, O_CLOEXEC) < 0) {
		snprintf(err, errlen, "guardian: %s", strerror(errno));
		return NULL;
	}
	pid_t pid = fork();
	if (pid < 0) {
		snprintf(err, errlen, "guardian: cannot fork: %s", strerror(errno));
		close(p[0]);
		close(p[1]);
		return NULL;
	}
	if (pid == 0) {
		close(p[1]);
		guardian_main(p[0], cgroup);
	}
	close(p[0]);
	struct guardian *g = xcalloc(1, sizeof *g);
	g->pid = pid;
	g->fd = p[1];
	return g;
}

static void send_msg(struct guardian *g, const struct msg *m)
{
	if (g->fd < 0)
		return;
	/* Records are far smaller than PIPE_BUF, so each write is atomic. */
	while (write(g->fd, m, sizeof *m) < 0) {
		if (errno != EINTR) {
			close(g->fd); /* EPIPE: the guardian died; nothing more to tell it */
			g->fd = -1;
			return;
		}
	}
}

static int cmp_watched(const void *a, const void *b)
{
	pid_t x = ((const struct watched *)a)->pid, y = ((const struct watched *)b)->pid;
	return (x > y) - (x < y);
}

void guardian_watch(struct guardian *g, pid_t pid, unsigned long long start_ticks, bool group)
{
	if (pid <= 0 || (!start_ticks && !group))
		return; /* already gone: nothing to kill, and a PID alone is not an identity */
	struct watched key = { pid, start_ticks, g->gen };
	struct watched *w = g->n ? bsearch(&key, g->seen, g->n, sizeof *g->seen, cmp_watched) : NULL;
	if (w)
		w->gen = g->gen;
	if (w && w->start == start_ticks && !group)
		return;
	if (w) {
		w->start = start_ticks;
	} else {
		if (g->n == GUARDIAN_MAX)
			g->n = 0; /* forget; re-sending is harmless */
		if (g->n == g->cap) {
			g->cap = g->cap ? g->cap * 2 : 64;
			g->seen = xrealloc(g->seen, g->cap * sizeof *g->seen);
		}
		size_t at = 0, lo = 0, hi = g->n;
		while (lo < hi) {
			size_t mid = (lo + hi) / 2;
			if (g->seen[mid].pid < pid)
				lo = mid + 1;
			else
				hi = mid;
		}
		at = lo;
		memmove(&g->seen[at + 1], &g->seen[at], (g->n - at) * sizeof *g->seen);
		g->seen[at] = key;
		g->n++;
	}
	struct msg m = { group ? MSG_WATCH_GROUP : MSG_WATCH, pid, start_ticks };
	send_msg(g, &m);
}

void guardian_sweep(struct guardian *g)
{
	size_t keep = 0;
	for (size_t i = 0; i < g->n; i++)
		if (g->seen[i].gen == g->gen)
			g->seen[keep++] = g->seen[i];
	g->n = keep;
	size_t cap = util_fit_cap(g->cap, g->n, 64);
	if (cap != g->cap) {
		g->seen = util_resize(g->seen, g->cap, cap, g->n, sizeof *g->seen);
		g->cap = cap;
	}
	g->gen++;
}

bool guardian_reaped(struct guardian *g, pid_t pid)
{
	if (!g->pid || pid != g->pid)
		return false;
	g->pid = 0;
	if (g->fd >= 0)
		close(g->fd);
	g->fd = -1;
	return true;
}

pid_t guardian_pid(const struct guardian *g)
{
	return g->pid;
}

void guardian_dismiss(struct guardian *g)
{
	if (!g)
		return;
	struct msg m = { MSG_DISMISS, 0, 0 };
	send_msg(g, &m);
	if (g->fd >= 0)
		close(g->fd);
	if (g->pid > 0)
		while (waitpid(g->pid, NULL, 0) < 0 && errno == EINTR)
			;
	free(g->seen);
	free(g);
}
