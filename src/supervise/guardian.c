/* guardian.c - see guardian.h; the guardian's own loop is in guardian_proc.c.
 * concmon talks to it over a SEQPACKET socket pair: one message per
 * process, its pidfd attached, and end-of-file, which the kernel delivers
 * however concmon dies. A map of what was sent keeps repeats free. */
#include "supervise/guardian.h"

#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/pidfd.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

#include "kernel/proctable.h"
#include "supervise/guardian_proc.h"
#include "util/pidmap.h"
#include "util/util.h"

struct sent {
	pid_t pid;
	unsigned gen;                /* the sweep it was last watched in */
	bool group;
	unsigned long long start;
};

struct guardian {
	pid_t pid;
	int fd;                      /* -1 once the guardian is gone */
	bool follows_forks;
	struct pidmap *sent;         /* struct sent: what the guardian was told */
	unsigned gen;
};

/* The guardian's first word: whether it reads the proc connector itself. */
static int read_reply(int fd, bool *follows)
{
	char b;
	ssize_t r;
	do
		r = recv(fd, &b, 1, 0);
	while (r < 0 && errno == EINTR);
	*follows = r == 1 && b;
	return r == 1 ? 0 : -1;
}

struct guardian *guardian_start(const char *cgroup, char *err, size_t errlen)
{
	int sv[2];
	if (socketpair(AF_UNIX, SOCK_SEQPACKET | SOCK_CLOEXEC, 0, sv) < 0) {
		snprintf(err, errlen, "guardian: %s", strerror(errno));
		return NULL;
	}
	pid_t self = getpid();
	pid_t pid = fork();
	if (pid < 0) {
		snprintf(err, errlen, "guardian: cannot fork: %s", strerror(errno));
		close(sv[0]);
		close(sv[1]);
		return NULL;
	}
	if (pid == 0) {
		close(sv[0]);
		guardian_proc_run(sv[1], cgroup, self);
	}
	close(sv[1]);
	struct guardian *g = xcalloc(1, sizeof *g);
	g->pid = pid;
	g->fd = sv[0];
	g->sent = pidmap_new(sizeof(struct sent));
	if (read_reply(g->fd, &g->follows_forks) < 0) {
		snprintf(err, errlen, "guardian: it ended at start");
		guardian_dismiss(g);
		return NULL;
	}
	return g;
}

bool guardian_follows_forks(const struct guardian *g)
{
	return g->follows_forks;
}

static void send_msg(struct guardian *g, const struct guardian_msg *m, int fd)
{
	if (g->fd < 0)
		return;
	union {
		struct cmsghdr align;
		char buf[CMSG_SPACE(sizeof(int))];
	} c;
	struct iovec iov = { (void *)m, sizeof *m };
	struct msghdr mh = { .msg_iov = &iov, .msg_iovlen = 1 };
	if (fd >= 0) {
		memset(&c, 0, sizeof c);
		mh.msg_control = c.buf;
		mh.msg_controllen = sizeof c.buf;
		struct cmsghdr *h = CMSG_FIRSTHDR(&mh);
		h->cmsg_level = SOL_SOCKET;
		h->cmsg_type = SCM_RIGHTS;
		h->cmsg_len = CMSG_LEN(sizeof fd);
		memcpy(CMSG_DATA(h), &fd, sizeof fd);
	}
	while (sendmsg(g->fd, &mh, MSG_NOSIGNAL) < 0) {
		if (errno == EINTR)
			continue;
		if (errno == ETOOMANYREFS && mh.msg_control) {
			/* Too many descriptors in flight: PID and start time alone. */
			mh.msg_control = NULL;
			mh.msg_controllen = 0;
			continue;
		}
		close(g->fd); /* EPIPE: the guardian died; nothing more to tell it */
		g->fd = -1;
		return;
	}
}

void guardian_watch(struct guardian *g, pid_t pid, unsigned long long start_ticks, bool group)
{
	if (pid <= 0 || !start_ticks)
		return; /* already gone: nothing to kill, and a PID alone is not an identity */
	struct sent *s = pidmap_find(g->sent, pid);
	bool same = s && s->start == start_ticks;
	if (same) {
		s->gen = g->gen;
		if (!group || s->group)
			return;
	}
	/* Opened first, checked second: once the start time matches, the pidfd
	 * is that process. Without pidfds (ENOSYS, EMFILE) PID and start go alone. */
	int fd = pidfd_open(pid, 0);
	if ((fd < 0 && errno == ESRCH) || proctable_start_ticks(pid) != start_ticks) {
		if (fd >= 0)
			close(fd);
		return;
	}
	struct guardian_msg m = { .op = GUARDIAN_WATCH, .group = group, .pid = pid, .start = start_ticks };
	send_msg(g, &m, fd);
	if (fd >= 0)
		close(fd);
	s = pidmap_insert(g->sent, pid, NULL);
	s->group = group || (same && s->group);
	s->start = start_ticks;
	s->gen = g->gen;
}

void guardian_forget(struct guardian *g, pid_t pid)
{
	struct sent *s = pidmap_find(g->sent, pid);
	if (!s)
		return;
	struct guardian_msg m = { .op = GUARDIAN_FORGET, .pid = pid, .start = s->start };
	send_msg(g, &m, -1);
	pidmap_remove(g->sent, pid);
}

void guardian_sweep(struct guardian *g)
{
	size_t cur = 0;
	struct sent *s;
	while ((s = pidmap_next(g->sent, &cur))) {
		if (s->gen == g->gen || proctable_start_ticks(s->pid) == s->start)
			continue;
		struct guardian_msg m = { .op = GUARDIAN_FORGET, .pid = s->pid, .start = s->start };
		send_msg(g, &m, -1);
		pidmap_remove(g->sent, s->pid);
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
	struct guardian_msg m = { .op = GUARDIAN_DISMISS };
	send_msg(g, &m, -1);
	if (g->fd >= 0)
		close(g->fd);
	if (g->pid > 0)
		while (waitpid(g->pid, NULL, 0) < 0 && errno == EINTR)
			;
	pidmap_free(g->sent);
	free(g);
}
