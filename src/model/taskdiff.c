/* taskdiff.c - see taskdiff.h. Both snapshots are sorted by TID, so one
 * merge pass finds what appeared, changed and vanished. */
#include "model/taskdiff.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "util/util.h"

struct seen {
	pid_t tid, pid, ppid;
	char state;
	unsigned long long start;
	uint64_t cmd_hash;
	char comm[32];
	bool exited;              /* a lingering row */
	bool reap_logged;         /* exited, and its reaping was logged when it was learned */
};

struct taskdiff {
	pid_t self;
	struct seen *prev, *next;
	size_t nprev, cap;
};

struct taskdiff *taskdiff_new(pid_t self)
{
	struct taskdiff *d = xcalloc(1, sizeof *d);
	d->self = self;
	return d;
}

void taskdiff_free(struct taskdiff *d)
{
	if (!d)
		return;
	free(d->prev);
	free(d->next);
	free(d);
}

static uint64_t fnv1a(const char *s)
{
	uint64_t h = 1469598103934665603ull;
	for (; *s; s++)
		h = (h ^ (unsigned char)*s) * 1099511628211ull;
	return h;
}

static bool stopped(char s) { return s == 'T' || s == 't'; }

static void emit(struct events *ev, enum event_kind k, const struct seen *s, pid_t other, int code)
{
	struct event e = { .kind = k, .pid = s->pid, .tid = s->tid, .other = other, .code = code };
	memcpy(e.comm, s->comm, sizeof e.comm);
	events_add(ev, e);
}

/* A new task; one already a zombie or stopped when first seen says so too. */
static void appeared(const struct seen *s, bool exact, struct events *ev)
{
	if (!exact)
		emit(ev, s->tid == s->pid ? EV_SPAWNED : EV_THREAD, s, s->ppid, 0);
	if (s->tid != s->pid)
		return;
	if (s->state == 'Z')
		emit(ev, EV_ZOMBIE, s, s->ppid, 0);
	else if (stopped(s->state))
		emit(ev, EV_STOPPED, s, 0, 0);
}

static void changed(struct taskdiff *d, const struct seen *o, const struct seen *s, bool exact,
		    struct events *ev)
{
	if (s->tid != s->pid)
		return; /* threads share their process's story */
	if (o->ppid != s->ppid && s->ppid == d->self)
		emit(ev, EV_REPARENTED, s, o->ppid, (int)d->self);
	if (!exact && o->cmd_hash != s->cmd_hash)
		emit(ev, EV_EXEC, s, 0, 0);
	if (s->state == 'Z' && o->state != 'Z')
		emit(ev, EV_ZOMBIE, s, s->ppid, 0);
	else if (stopped(s->state) && !stopped(o->state))
		emit(ev, EV_STOPPED, s, 0, 0);
	else if (!stopped(s->state) && stopped(o->state))
		emit(ev, EV_CONTINUED, s, 0, 0);
}

/* A process gone without concmon reaping it: its parent did. */
static void vanished(const struct seen *o, bool exact, struct events *ev)
{
	if (o->tid != o->pid)
		return;
	if (o->state != 'Z' && !exact)
		emit(ev, EV_EXITED, o, 0, -1);
	emit(ev, EV_REAPED, o, o->ppid, 0);
}

/* The same TID in both snapshots. Reapings already logged (concmon's, and
 * those proven when the parent exited) are not logged again; a lingering
 * row says nothing new. */
static void compare(struct taskdiff *d, const struct seen *o, const struct seen *s, bool exact,
		    struct events *ev)
{
	if (o->exited)
		return;
	if (o->start != s->start) {
		vanished(o, exact, ev);
		if (!s->exited)
			appeared(s, exact, ev);
	} else if (s->exited) {
		if (!s->reap_logged)
			vanished(o, exact, ev);
	} else {
		changed(d, o, s, exact, ev);
	}
}

static void remember(struct seen *s, const struct task *t)
{
	s->tid = t->tid;
	s->pid = t->pid;
	s->ppid = t->ppid;
	s->state = t->state;
	s->start = t->start_ticks;
	s->cmd_hash = fnv1a(t->cmdline);
	s->exited = t->exited;
	s->reap_logged = t->exited && (t->exit_known || t->reaped);
	memcpy(s->comm, t->comm, sizeof s->comm - 1);
	s->comm[sizeof s->comm - 1] = '\0';
}

void taskdiff_update(struct taskdiff *d, const struct task *tasks, size_t n, bool exact,
		     struct events *ev)
{
	/* prev still holds the last refresh's nprev entries. */
	size_t cap = util_fit_cap(d->cap, n > d->nprev ? n : d->nprev, 16);
	if (cap != d->cap) {
		d->next = util_resize(d->next, d->cap, cap, 0, sizeof *d->next);
		d->prev = util_resize(d->prev, d->cap, cap, d->nprev, sizeof *d->prev);
		d->cap = cap;
	}
	size_t k = 0;
	for (size_t i = 0; i < n; i++) {
		if (tasks[i].supervised)
			remember(&d->next[k++], &tasks[i]);
	}
	size_t i = 0, j = 0;
	while (i < d->nprev || j < k) {
		const struct seen *o = i < d->nprev ? &d->prev[i] : NULL;
		const struct seen *s = j < k ? &d->next[j] : NULL;
		if (o && (!s || o->tid < s->tid)) {
			if (!o->exited)
				vanished(o, exact, ev);
			i++;
		} else if (s && (!o || s->tid < o->tid)) {
			if (!s->exited)
				appeared(s, exact, ev);
			j++;
		} else {
			compare(d, o, s, exact, ev);
			i++;
			j++;
		}
	}
	struct seen *t = d->prev;
	d->prev = d->next;
	d->next = t;
	d->nprev = k;
}
