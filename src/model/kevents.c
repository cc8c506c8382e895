/* kevents.c - see kevents.h. The connector reports every process on the
 * machine; a small hash set of the tree's processes decides what concerns
 * us. An entry outlives its exit event (marked exited) so its name is
 * still known when concmon reaps it, and so a snapshot read just before
 * the exit cannot put it back; sweeps drop what /proc shows is gone. */
#include "model/kevents.h"

#include <errno.h>
#include <linux/cn_proc.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "kernel/connector.h"
#include "kernel/procparse.h"
#include "kernel/proctable.h"
#include "util/util.h"

#define SET_EMPTY 0
#define SET_GONE (-1)

/* A process of the tree, with its name kept for when it is gone. */
struct entry {
	pid_t pid;                /* 0 empty, -1 deleted */
	bool exited;              /* its exit was reported; kept for its name */
	bool zombie;              /* /proc still showed it after its exit: unreaped */
	unsigned gen;             /* the sweep round it was last tracked or forked in */
	unsigned long long start; /* clock ticks after boot, 0 if unknown */
	char comm[16];
};

struct kevents {
	int fd;
	pid_t self, hide;
	struct events *ev;
	struct entry *set;        /* open addressing */
	size_t cap, used, live;   /* used counts live and deleted slots */
	unsigned gen;
	kevents_exit_fn on_exit;
	void *on_exit_arg;
	char launch_name[16];     /* kevents_name_launch's, "" when none */
	/* The period kevents_peaks reports on: forks and exits of processes,
	 * threads (main ones included) started minus ended since it began and
	 * the most that sum reached, the most unreaped zombies seen at once. */
	struct kevents_peaks period;
	int thread_change;
	unsigned exits_read;      /* process exits in the batch being read */
};

static size_t slot(pid_t pid, size_t cap)
{
	return ((size_t)(unsigned)pid * 2654435761u) & (cap - 1);
}

static struct entry *find(const struct kevents *k, pid_t pid)
{
	for (size_t s = slot(pid, k->cap); k->set[s].pid != SET_EMPTY; s = (s + 1) & (k->cap - 1))
		if (k->set[s].pid == pid)
			return &k->set[s];
	return NULL;
}

/* A process of the tree that has not exited (self included). */
static bool tracked(const struct kevents *k, pid_t pid)
{
	const struct entry *e;
	return pid == k->self || ((e = find(k, pid)) && !e->exited);
}

static struct entry *set_insert(struct kevents *k, pid_t pid);

/* Rebuilds the table, without its deleted slots, at a size for n live
 * entries: a power of two, at least 256, at most a quarter used. Sized by
 * what lives, not by what it held: processes come and go for days. */
static void rehash(struct kevents *k, size_t n)
{
	size_t cap = 256;
	while (cap < 4 * n)
		cap *= 2;
	struct entry *old = k->set;
	size_t oldcap = k->cap;
	k->set = xcalloc(cap, sizeof *k->set);
	k->cap = cap;
	k->used = k->live = 0;
	for (size_t i = 0; i < oldcap; i++)
		if (old[i].pid > 0)
			*set_insert(k, old[i].pid) = old[i];
	free(old);
}

/* The entry for pid, added when new; NULL for pids never followed. */
static struct entry *set_insert(struct kevents *k, pid_t pid)
{
	if (pid <= 0 || pid == k->hide || pid == k->self)
		return NULL;
	struct entry *e = find(k, pid);
	if (e)
		return e;
	/* At most half used (deleted slots included). */
	if ((k->used + 1) * 2 > k->cap)
		rehash(k, k->live + 1);
	size_t s = slot(pid, k->cap);
	while (k->set[s].pid > 0)
		s = (s + 1) & (k->cap - 1);
	if (k->set[s].pid == SET_EMPTY)
		k->used++;
	k->live++;
	k->set[s] = (struct entry){ .pid = pid, .gen = k->gen };
	return &k->set[s];
}

static void set_remove(struct kevents *k, pid_t pid)
{
	struct entry *e = find(k, pid);
	if (e) {
		e->pid = SET_GONE;
		k->live--;
	}
}

/* Reads pid's name and start time from its stat; false when it is gone. */
static bool identity(pid_t pid, char *comm, size_t len, unsigned long long *start)
{
	struct proc_stat st;
	if (!proctable_stat(pid, &st))
		return false;
	if (comm)
		snprintf(comm, len, "%.*s", (int)(len ? len - 1 : 0), st.comm);
	*start = st.start_ticks;
	return true;
}

/* Whether entry e, whose exit was reported, is still in /proc: a zombie
 * nobody has reaped (its start time tells a recycled PID apart). */
static bool still_there(const struct entry *e)
{
	unsigned long long now;
	return identity(e->pid, NULL, 0, &now) && (!e->start || now == e->start);
}

/* Zombies of the tree now: those seen after their exit and not reaped
 * since. One stat each, so called only when the count may have risen. */
static int zombies_now(struct kevents *k)
{
	int n = 0;
	for (size_t i = 0; i < k->cap; i++) {
		struct entry *e = &k->set[i];
		if (e->pid > 0 && e->zombie && !(e->zombie = still_there(e)))
			continue;
		n += e->pid > 0 && e->zombie;
	}
	return n;
}

void kevents_peaks(struct kevents *k, struct kevents_peaks *out)
{
	*out = k->period;
	int z = zombies_now(k);
	k->period = (struct kevents_peaks){ .zombies = z };
	k->thread_change = 0;
}

void kevents_track(struct kevents *k, pid_t pid, unsigned long long start_ticks)
{
	struct entry *e = set_insert(k, pid);
	if (!e)
		return;
	if (e->start != start_ticks && start_ticks) {
		/* A new entry, or the PID now names a later process. */
		*e = (struct entry){ .pid = pid, .start = start_ticks };
	}
	e->gen = k->gen;
}

void kevents_sweep(struct kevents *k)
{
	for (size_t i = 0; i < k->cap; i++) {
		struct entry *e = &k->set[i];
		if (e->pid <= 0 || e->gen == k->gen)
			continue;
		unsigned long long now;
		if (e->start && identity(e->pid, NULL, 0, &now) && now == e->start)
			e->gen = k->gen; /* missed by the snapshot, still there */
		else
			set_remove(k, e->pid);
	}
	k->gen++;
}

void kevents_forget(struct kevents *k, pid_t pid) { set_remove(k, pid); }

bool kevents_lookup(const struct kevents *k, pid_t pid, char *comm, size_t len,
		    unsigned long long *start_ticks)
{
	const struct entry *e = find(k, pid);
	if (!e)
		return false;
	snprintf(comm, len, "%s", e->comm);
	*start_ticks = e->start;
	return true;
}

void kevents_name_launch(struct kevents *k, const char *name)
{
	snprintf(k->launch_name, sizeof k->launch_name, "%s", name ? name : "");
}

void kevents_on_exit(struct kevents *k, kevents_exit_fn fn, void *arg)
{
	k->on_exit = fn;
	k->on_exit_arg = arg;
}

void kevents_ignore(struct kevents *k, pid_t hide)
{
	k->hide = hide;
	set_remove(k, hide);
}

struct kevents *kevents_open(pid_t self, struct events *ev, char *err, size_t errlen)
{
	int fd = connector_subscribe(false, err, errlen);
	if (fd < 0)
		return NULL;
	struct kevents *k = xcalloc(1, sizeof *k);
	k->fd = fd;
	k->self = self;
	k->ev = ev;
	k->cap = 256;
	k->set = xcalloc(k->cap, sizeof *k->set);
	return k;
}

void kevents_close(struct kevents *k)
{
	if (!k)
		return;
	connector_unsubscribe(k->fd);
	free(k->set);
	free(k);
}

int kevents_fd(const struct kevents *k) { return k->fd; }

/* The kernel stamps events in CLOCK_MONOTONIC nanoseconds. */
static double wall_time(unsigned long long ns)
{
	struct timespec mono;
	clock_gettime(CLOCK_MONOTONIC, &mono);
	double age = (double)mono.tv_sec + (double)mono.tv_nsec / 1e9 - (double)ns / 1e9;
	return util_wall() - (age > 0 ? age : 0);
}

static void set_comm(char *dst, size_t len, const char *src)
{
	snprintf(dst, len, "%.15s", src);
}

/* A new process forked by a process of the tree. A child gone before this
 * is read was still its parent's copy: it bears the parent's name, or for
 * a launch of concmon's the name of what it was to run. */
static bool handle_fork(struct kevents *k, const struct proc_event *p, struct event *e)
{
	pid_t parent = p->event_data.fork.parent_tgid;
	if (!tracked(k, parent) || p->event_data.fork.child_tgid == k->hide)
		return false;
	e->pid = p->event_data.fork.child_tgid;
	e->tid = p->event_data.fork.child_pid;
	e->other = parent;
	e->kind = e->tid == e->pid ? EV_SPAWNED : EV_THREAD;
	unsigned long long start = 0;
	if (!identity(e->tid, e->comm, sizeof e->comm, &start)) {
		const struct entry *pe = find(k, parent);
		if (parent == k->self && k->launch_name[0])
			set_comm(e->comm, sizeof e->comm, k->launch_name);
		else if (pe)
			set_comm(e->comm, sizeof e->comm, pe->comm);
	}
	if (++k->thread_change > k->period.thread_rise)
		k->period.thread_rise = k->thread_change;
	k->period.forks += e->kind == EV_SPAWNED;
	struct entry *known;
	if (e->kind == EV_SPAWNED && (known = set_insert(k, e->pid))) {
		*known = (struct entry){ .pid = e->pid, .gen = k->gen, .start = start };
		set_comm(known->comm, sizeof known->comm, e->comm);
	}
	return true;
}

/* An exit concerns us only when it is provably the process we know: its
 * parent is in the tree (or concmon), or /proc still shows its start time.
 * Anything else is a later process that was given a recycled PID. */
static bool exit_is_ours(const struct kevents *k, const struct entry *known,
			 const struct proc_event *p)
{
	pid_t parent = p->event_data.exit.parent_tgid;
	if (parent == k->self || tracked(k, parent))
		return true;
	unsigned long long now;
	return known->start && identity(known->pid, NULL, 0, &now) && now == known->start;
}

bool kevents_exit_seen(const struct kevents *k, pid_t pid)
{
	const struct entry *known = find(k, pid);
	return known && known->exited;
}

static bool handle_exit(struct kevents *k, const struct proc_event *p, struct event *e)
{
	pid_t pid = p->event_data.exit.process_tgid;
	struct entry *known = find(k, pid);
	if (pid != k->self && known && (!known->exited || p->event_data.exit.process_pid != pid))
		k->thread_change--; /* a thread of the tree ended (a main one too) */
	if (p->event_data.exit.process_pid != pid || pid == k->self || !known || known->exited)
		return false; /* a thread, or not ours */
	if (!exit_is_ours(k, known, p)) {
		set_remove(k, pid);
		return false;
	}
	int status = (int)p->event_data.exit.exit_code;
	e->pid = e->tid = pid;
	e->kind = WIFSIGNALED(status) ? EV_KILLED : EV_EXITED;
	e->code = WIFSIGNALED(status) ? WTERMSIG(status) : WEXITSTATUS(status);
	snprintf(e->comm, sizeof e->comm, "%s", known->comm);
	known->exited = true;
	/* concmon reaps its own children at once: only others' count. */
	known->zombie = p->event_data.exit.parent_tgid != k->self && still_there(known);
	k->period.exits++;
	k->exits_read++;
	if (k->on_exit)
		k->on_exit(k->on_exit_arg, pid, e->time);
	return true;
}

static void on_event(void *arg, const struct proc_event *p)
{
	struct kevents *k = arg;
	struct event e = { .time = wall_time(p->timestamp_ns), .exact = true };
	struct entry *known;
	unsigned long long start;
	switch (p->what) {
	case PROC_EVENT_FORK:
		if (!handle_fork(k, p, &e))
			return;
		break;
	case PROC_EVENT_EXEC:
		if (!tracked(k, p->event_data.exec.process_tgid) || p->event_data.exec.process_tgid == k->self)
			return;
		e.kind = EV_EXEC;
		e.pid = p->event_data.exec.process_tgid;
		e.tid = p->event_data.exec.process_pid;
		known = find(k, e.pid);
		if (identity(e.tid, e.comm, sizeof e.comm, &start) && known)
			set_comm(known->comm, sizeof known->comm, e.comm);
		else if (known) /* gone already: the name it had is all there is */
			snprintf(e.comm, sizeof e.comm, "%s", known->comm);
		break;
	case PROC_EVENT_COMM:
		/* The name a process gives itself (prctl, pthread_setname_np on
		 * its main thread) is the one later events use. */
		if (p->event_data.comm.process_pid == p->event_data.comm.process_tgid &&
		    (known = find(k, p->event_data.comm.process_tgid)) && !known->exited)
			set_comm(known->comm, sizeof known->comm, p->event_data.comm.comm);
		return;
	case PROC_EVENT_EXIT:
		if (!handle_exit(k, p, &e))
			return;
		break;
	default:
		return;
	}
	events_add(k->ev, e);
}

unsigned kevents_read(struct kevents *k)
{
	unsigned lost = 0;
	k->exits_read = 0;
	connector_receive(k->fd, 0, &lost, on_event, k);
	if (k->exits_read) {
		int z = zombies_now(k);
		if (z > k->period.zombies)
			k->period.zombies = z;
	}
	return lost;
}
