/* guardian_proc.c - see guardian_proc.h. The guardian keeps a map of what it
 * may kill, each entry with its proof of identity: a pidfd, or a range of
 * start ticks (exact from concmon; for a child it saw forked, at most the
 * time of the fork event, since a later process on that PID started after
 * the child ended). On end-of-file it kills in rounds until a round finds
 * nothing new. */
#include "supervise/guardian_proc.h"

#include <errno.h>
#include <fcntl.h>
#include <linux/cn_proc.h>
#include <poll.h>
#include <signal.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <sys/pidfd.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#include "kernel/cgroup.h"
#include "kernel/connector.h"
#include "kernel/procparse.h"
#include "kernel/proctable.h"
#include "util/pidmap.h"
#include "util/util.h"

#ifndef PIDFD_SIGNAL_PROCESS_GROUP
#define PIDFD_SIGNAL_PROCESS_GROUP (1UL << 2)
#endif

#define RING 4096                       /* forks whose parent was not known yet */
#define NEVER_MAX 64                    /* the guardian, concmon and its ancestors */
#define EXITED_KEEP_NS 5000000000ull    /* the ended stay parents of late fork events */
#define KILL_SECONDS 10.0               /* the most the rounds of killing take */
#define ROUND_SECONDS 1.0               /* the most one round waits for its dead */
#define DRAIN_BATCH 256                 /* datagrams read between other work */
#define MIN_ROUNDS 3                    /* group kills repeat: a dying leader may have forked */
#define KERNEL_PAUSE_NS 10000000ull     /* between reads of events that trickle in */

enum {
	T_GROUP = 1,       /* a launched program: its process group goes too */
	T_EXACT = 2,       /* lo == hi came from concmon */
	T_EXITED = 4,      /* ended by exit_ns (0: unknown, then no fork is credited to it) */
	T_KILLED = 8,      /* SIGKILL sent (or found not to be ours) */
};

struct tracked {
	pid_t pid;
	int fd;                         /* pidfd, -1 when none */
	unsigned flags;
	unsigned long long lo, hi;      /* start ticks that prove identity */
	uint64_t exit_ns;               /* CLOCK_MONOTONIC */
};

struct fork_seen {
	pid_t parent, child;
	uint64_t ns;
};

enum { SLOT_CONCMON, SLOT_KERNEL, SLOTS };

struct guard {
	int sock, nl;                   /* concmon's socket; proc connector or -1 */
	struct pidmap *map;             /* struct tracked */
	struct fork_seen ring[RING];
	size_t ring_next;
	pid_t never[NEVER_MAX];
	size_t nnever;
	uint64_t tick_ns;
	uint64_t newest;                /* the latest event time seen by a drain */
};

static uint64_t clock_ns(clockid_t c)
{
	struct timespec ts;
	clock_gettime(c, &ts);
	return (uint64_t)ts.tv_sec * 1000000000ull + (uint64_t)ts.tv_nsec;
}

/* The latest start ticks a process forked at monotonic time ns can have.
 * Start times count from boot (suspend included), event times do not. */
static unsigned long long ticks_at(const struct guard *g, uint64_t ns)
{
	uint64_t off = clock_ns(CLOCK_BOOTTIME) - clock_ns(CLOCK_MONOTONIC);
	/* +1: the offset is read in two calls, a tick boundary may fall between. */
	return (ns + off) / g->tick_ns + 1;
}

static bool forbidden(const struct guard *g, pid_t pid)
{
	if (pid <= 1)
		return true;
	for (size_t i = 0; i < g->nnever; i++)
		if (g->never[i] == pid)
			return true;
	return false;
}

static void drop_fd(struct tracked *t)
{
	if (t->fd >= 0)
		close(t->fd);
	t->fd = -1;
}

static void forget(struct guard *g, struct tracked *t)
{
	drop_fd(t);
	pidmap_remove(g->map, t->pid);
}

static void mark_exited(struct tracked *t, uint64_t ns)
{
	if (!(t->flags & T_EXITED) || !t->exit_ns)
		t->exit_ns = ns;
	t->flags |= T_EXITED;
	/* A group outlives its leader, and the leader's pidfd still names it. */
	if (!(t->flags & T_GROUP))
		drop_fd(t);
}

/* Whether a fork at ns from the process of t's PID was t's own. */
static bool parent_of(const struct tracked *t, uint64_t ns)
{
	return !(t->flags & T_EXITED) || ns < t->exit_ns;
}

static void on_watch(struct guard *g, const struct guardian_msg *m, int fd)
{
	if (forbidden(g, m->pid) || !m->start) {
		if (fd >= 0)
			close(fd);
		return;
	}
	int added;
	struct tracked *t = pidmap_insert(g->map, m->pid, &added);
	bool older = !added && (m->start < t->lo || m->start > t->hi);
	if (older)
		drop_fd(t); /* an older process on that PID: it ended */
	if (added || older)
		*t = (struct tracked){ .pid = m->pid, .fd = -1 };
	t->lo = t->hi = m->start;
	t->flags |= T_EXACT | (m->group ? T_GROUP : 0);
	if (fd >= 0 && t->fd < 0)
		t->fd = fd;
	else if (fd >= 0)
		close(fd);
}

static void on_forget(struct guard *g, const struct guardian_msg *m)
{
	struct tracked *t = pidmap_find(g->map, m->pid);
	if (!t || m->start < t->lo || m->start > t->hi)
		return;
	/* Kept a while as a parent: its fork events may still be queued. */
	mark_exited(t, clock_ns(CLOCK_MONOTONIC));
	if (g->nl < 0 && !(t->flags & T_GROUP))
		forget(g, t);
}

/* Adds pid, forked at ns by a process of the tree, unless concmon told of
 * that very process first. Returns true when added. */
static bool add_child(struct guard *g, pid_t pid, uint64_t ns)
{
	if (forbidden(g, pid))
		return false;
	unsigned long long bound = ticks_at(g, ns);
	int added;
	struct tracked *t = pidmap_insert(g->map, pid, &added);
	if (!added && (t->flags & T_EXACT) && !(t->flags & T_EXITED) && t->lo <= bound)
		return false;
	if (!added)
		drop_fd(t); /* a process is forked once: that entry was an older one */
	*t = (struct tracked){ .pid = pid, .fd = -1, .lo = 1, .hi = bound };
	return true;
}

static void on_event(void *arg, const struct proc_event *pe)
{
	struct guard *g = arg;
	if (pe->timestamp_ns > g->newest)
		g->newest = pe->timestamp_ns;
	if (pe->what == PROC_EVENT_FORK) {
		const struct fork_proc_event *f = &pe->event_data.fork;
		if (f->child_pid != f->child_tgid)
			return; /* a thread */
		struct tracked *p = pidmap_find(g->map, f->parent_tgid);
		if (p && parent_of(p, pe->timestamp_ns))
			add_child(g, f->child_tgid, pe->timestamp_ns);
		else /* a child may fork before its own fork event is sent */
			g->ring[g->ring_next++ % RING] = (struct fork_seen){ f->parent_tgid, f->child_tgid,
									    pe->timestamp_ns };
	} else if (pe->what == PROC_EVENT_EXIT) {
		const struct exit_proc_event *x = &pe->event_data.exit;
		if (x->process_pid != x->process_tgid)
			return;
		struct tracked *t = pidmap_find(g->map, x->process_tgid);
		/* Not the exit of an older process on that PID. */
		if (t && t->lo <= ticks_at(g, pe->timestamp_ns))
			mark_exited(t, pe->timestamp_ns);
	}
}

/* Reads every message waiting; false once concmon is gone. */
static bool read_messages(struct guard *g)
{
	for (;;) {
		struct guardian_msg m;
		union {
			struct cmsghdr align;
			char buf[CMSG_SPACE(sizeof(int))];
		} c;
		struct iovec iov = { &m, sizeof m };
		struct msghdr mh = { .msg_iov = &iov, .msg_iovlen = 1, .msg_control = c.buf,
				     .msg_controllen = sizeof c.buf };
		ssize_t r = recvmsg(g->sock, &mh, MSG_DONTWAIT | MSG_CMSG_CLOEXEC);
		if (r < 0 && errno == EINTR)
			continue;
		if (r < 0 && (errno == EAGAIN || errno == EWOULDBLOCK))
			return true;
		if (r <= 0)
			return false; /* end of file: concmon is gone */
		int fd = -1;
		struct cmsghdr *h = CMSG_FIRSTHDR(&mh);
		/* Out of descriptors (MSG_CTRUNC): PID and start time alone. */
		if (h && h->cmsg_level == SOL_SOCKET && h->cmsg_type == SCM_RIGHTS &&
		    h->cmsg_len == CMSG_LEN(sizeof fd))
			memcpy(&fd, CMSG_DATA(h), sizeof fd);
		if (r == (ssize_t)sizeof m && m.op == GUARDIAN_WATCH)
			on_watch(g, &m, fd);
		else if (fd >= 0)
			close(fd);
		if (r == (ssize_t)sizeof m && m.op == GUARDIAN_FORGET)
			on_forget(g, &m);
		if (r == (ssize_t)sizeof m && m.op == GUARDIAN_DISMISS)
			_exit(0);
	}
}

/* Drops what ended long enough ago that no fork event can still name it as
 * parent; a group stays while its pidfd still reaches a member. */
static void collect(struct guard *g, uint64_t now)
{
	size_t cur = 0;
	struct tracked *t;
	while ((t = pidmap_next(g->map, &cur))) {
		if (!(t->flags & T_EXITED) || t->exit_ns + EXITED_KEEP_NS > now)
			continue;
		if ((t->flags & T_GROUP) && t->fd >= 0 &&
		    pidfd_send_signal(t->fd, 0, NULL, PIDFD_SIGNAL_PROCESS_GROUP) == 0)
			continue;
		forget(g, t);
	}
}

/* Pins t's process with a pidfd (when the kernel has them) and checks its
 * start time: true when it is the process t stands for. */
static bool prove(struct tracked *t)
{
	int fd = pidfd_open(t->pid, 0);
	if (fd < 0 && errno == ESRCH)
		return false;
	struct proc_stat st;
	if (!proctable_stat(t->pid, &st) || !st.start_ticks || st.start_ticks < t->lo ||
	    st.start_ticks > t->hi) {
		if (fd >= 0)
			close(fd);
		return false;
	}
	t->lo = t->hi = st.start_ticks;
	t->fd = fd;
	return true;
}

/* True while t's leader is the same live process leading its group. */
static bool leads_group(const struct tracked *t)
{
	struct proc_stat st;
	return t->lo == t->hi && proctable_stat(t->pid, &st) && st.start_ticks == t->lo &&
	       st.pgrp == t->pid && st.state != 'Z' && st.state != 'X';
}

static void kill_group(const struct tracked *t)
{
	if (t->fd >= 0) {
		/* The group of that very struct pid: safe after the PID is reused. */
		if (pidfd_send_signal(t->fd, SIGKILL, NULL, PIDFD_SIGNAL_PROCESS_GROUP) == 0 ||
		    errno != EINVAL)
			return;
		/* Kernels before 6.9: kill(-pgid) only while the pidfd's process leads it. */
		if (pidfd_send_signal(t->fd, 0, NULL, 0) == 0 && leads_group(t))
			kill(-t->pid, SIGKILL);
		return;
	}
	if (leads_group(t))
		kill(-t->pid, SIGKILL);
}

/* SIGKILL to t's process once proven; true when it was sent. */
static bool kill_process(struct tracked *t)
{
	t->flags |= T_KILLED;
	if (t->fd < 0 && !prove(t)) {
		mark_exited(t, 0); /* gone or someone else's: until the kernel says when */
		return false;
	}
	if (t->fd >= 0)
		return pidfd_send_signal(t->fd, SIGKILL, NULL, 0) == 0;
	return kill(t->pid, SIGKILL) == 0;
}

static size_t kill_round(struct guard *g)
{
	size_t sent = 0, cur = 0;
	struct tracked *t;
	while ((t = pidmap_next(g->map, &cur))) {
		if (forbidden(g, t->pid))
			continue;
		if (t->flags & T_GROUP)
			kill_group(t);
		if (!(t->flags & (T_EXITED | T_KILLED)) && kill_process(t))
			sent++;
	}
	return sent;
}

static bool dead(const struct tracked *t)
{
	if (t->fd >= 0) {
		struct pollfd p = { t->fd, POLLIN, 0 };
		return poll(&p, 1, 0) > 0 && (p.revents & POLLIN);
	}
	struct proc_stat st;
	return !proctable_stat(t->pid, &st) || st.start_ticks != t->lo || st.state == 'Z' ||
	       st.state == 'X';
}

/* Waits until what was killed is dead (a zombie at most), so every fork it
 * made has been reported. */
static void wait_dead(struct guard *g, double until)
{
	while (util_now() < until) {
		size_t pending = 0, cur = 0;
		struct tracked *t;
		while ((t = pidmap_next(g->map, &cur))) {
			if (!(t->flags & T_KILLED) || (t->flags & T_EXITED))
				continue;
			if (dead(t))
				mark_exited(t, clock_ns(CLOCK_MONOTONIC));
			else
				pending++;
		}
		if (!pending)
			return;
		poll(NULL, 0, 5);
	}
}

/* Credits the forks whose parent became known after them, until none is left. */
static void resolve_ring(struct guard *g)
{
	bool more = true;
	while (more) {
		more = false;
		for (size_t i = 0; i < RING; i++) {
			struct fork_seen *f = &g->ring[i];
			struct tracked *p = f->child ? pidmap_find(g->map, f->parent) : NULL;
			if (!p || !parent_of(p, f->ns))
				continue;
			struct tracked *c = pidmap_find(g->map, f->child);
			bool older = c && (c->flags & T_EXITED) && c->exit_ns && c->exit_ns < f->ns;
			if (!c || older)
				more |= add_child(g, f->child, f->ns);
			f->child = 0;
		}
	}
}

/* Reads the events the kernel sent until now (not those that keep coming
 * from the rest of the machine). */
static void drain(struct guard *g, double deadline)
{
	uint64_t now = clock_ns(CLOCK_MONOTONIC);
	unsigned lost = 0; /* nothing to do about them: the rounds check what lives */
	g->newest = 0;
	while (g->nl >= 0 && util_now() < deadline) {
		if (connector_receive(g->nl, DRAIN_BATCH, &lost, on_event, g) < DRAIN_BATCH ||
		    g->newest > now)
			break;
	}
}

static void kill_rounds(struct guard *g)
{
	double deadline = util_now() + KILL_SECONDS;
	for (int round = 0; util_now() < deadline; round++) {
		drain(g, deadline);
		resolve_ring(g);
		if (!kill_round(g) && round >= MIN_ROUNDS - 1)
			break;
		double next = util_now() + ROUND_SECONDS;
		wait_dead(g, next < deadline ? next : deadline);
	}
}

/* Never killed: the guardian, concmon, and concmon's ancestors. */
static void protect(struct guard *g, pid_t concmon)
{
	g->never[g->nnever++] = getpid();
	for (pid_t p = concmon; p > 1 && g->nnever < NEVER_MAX;) {
		g->never[g->nnever++] = p;
		struct proc_stat st;
		p = proctable_stat(p, &st) ? st.ppid : 0;
	}
}

/* concmon is a parent like any tracked process (never killed: protect):
 * what it launches is followed from its fork event on, so a program's
 * first forks count even if concmon's WATCH for it is read after them. */
static void follow_concmon(struct guard *g, pid_t concmon)
{
	unsigned long long start = proctable_start_ticks(concmon);
	if (!start)
		return;
	struct tracked *t = pidmap_insert(g->map, concmon, NULL);
	*t = (struct tracked){ .pid = concmon, .fd = -1, .flags = T_EXACT, .lo = start, .hi = start };
}

/* One descriptor per process followed: as many as the hard limit allows. */
static void raise_nofile(void)
{
	struct rlimit r;
	if (getrlimit(RLIMIT_NOFILE, &r) == 0 && r.rlim_cur < r.rlim_max) {
		r.rlim_cur = r.rlim_max;
		setrlimit(RLIMIT_NOFILE, &r);
	}
}

/* Deaf to the terminal and to concmon's own signals; stdio on /dev/null;
 * the socket on fd 3 and nothing else inherited. Returns the socket. */
static int detach(int sock)
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
	if (sock != 3) {
		dup2(sock, 3);
		sock = 3;
	}
	close_range(4, ~0U, 0);
	return sock;
}

/* Follows the tree until concmon's socket ends. The kernel's events are
 * read in batches at most every KERNEL_PAUSE_NS while they trickle in (a
 * wakeup per fork would cost the guardian more than the events), at once
 * while full batches wait; concmon's socket is served between batches. */
static void serve(struct guard *g)
{
	uint64_t gc_due = 0, kernel_due = 0;
	for (;;) {
		uint64_t now = clock_ns(CLOCK_MONOTONIC);
		bool kernel = g->nl >= 0 && now >= kernel_due;
		struct pollfd p[SLOTS] = {
			[SLOT_CONCMON] = { g->sock, POLLIN, 0 },
			[SLOT_KERNEL] = { kernel ? g->nl : -1, POLLIN, 0 },
		};
		int wait = kernel || g->nl < 0 ? 1000 : (int)((kernel_due - now) / 1000000) + 1;
		/* Only end-of-file means concmon is gone: ENOMEM passes. */
		if (poll(p, SLOTS, wait) < 0 && errno != EINTR && errno != ENOMEM)
			return;
		unsigned lost = 0;
		/* No pause once the buffer overflowed: it is too small for one. */
		if (p[SLOT_KERNEL].revents &&
		    connector_receive(g->nl, DRAIN_BATCH, &lost, on_event, g) < DRAIN_BATCH && !lost)
			kernel_due = clock_ns(CLOCK_MONOTONIC) + KERNEL_PAUSE_NS;
		if (p[SLOT_CONCMON].revents && !read_messages(g))
			return;
		now = clock_ns(CLOCK_MONOTONIC);
		if (now >= gc_due) {
			collect(g, now);
			gc_due = now + 1000000000ull;
		}
	}
}

void guardian_proc_run(int sock, const char *cgroup, pid_t concmon)
{
	struct guard *g = xcalloc(1, sizeof *g);
	g->sock = detach(sock);
	raise_nofile();
	g->map = pidmap_new(sizeof(struct tracked));
	g->tick_ns = 1000000000ull / (uint64_t)proctable_hz();
	protect(g, concmon);
	follow_concmon(g, concmon);
	char err[160];
	g->nl = connector_subscribe(true, err, sizeof err);
	char follows = g->nl >= 0;
	while (send(g->sock, &follows, 1, MSG_NOSIGNAL) < 0 && errno == EINTR)
		;
	serve(g);
	/* concmon is gone: the cgroup first, whole, then what was followed. */
	if (cgroup)
		cgroup_kill_path(cgroup, 1.0);
	kill_rounds(g);
	_exit(0);
}
