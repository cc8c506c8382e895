/* lifecycle.c - keeps tasks between refreshes so CPU% has a previous value,
 * an adopted process is recognised as an orphan of its former parent, and
 * an exited task stays visible for a few seconds with how it ended. */
#include "model/lifecycle.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "util/util.h"

/* Processes concmon launched but has not seen in a snapshot yet. */
struct pending {
	pid_t *pids;
	size_t n, cap;
};

struct lifecycle {
	pid_t self;
	double boot_time;
	double last_update;       /* monotonic time of the previous update; 0 before the first */
	struct task *tasks;       /* sorted by tid, at most one entry per tid */
	unsigned long long *ticks; /* CPU ticks at the last update, parallel to tasks */
	size_t n, cap;
	struct task *next_tasks;  /* the second buffer of the merge */
	unsigned long long *next_ticks;
	size_t next_cap;
	size_t *order;            /* the samples in TID order; kept to spare a malloc a refresh */
	size_t order_cap;
	struct pending launched;
	struct pending dismissed; /* exited processes the next update drops */
	double linger;            /* seconds an exited task is shown */
	double mem_total_kb;      /* for %MEM; 0 unknown */
	lifecycle_hold_fn *hold;  /* keeps a launched program's row past the linger */
	void *hold_ctx;
};

struct lifecycle *lifecycle_new(pid_t self)
{
	struct lifecycle *lc = xcalloc(1, sizeof *lc);
	lc->self = self;
	lc->boot_time = proctable_boot_time();
	lc->linger = LIFECYCLE_LINGER;
	lc->mem_total_kb = (double)proctable_mem_total_kb();
	return lc;
}

void lifecycle_set_linger(struct lifecycle *lc, double seconds)
{
	lc->linger = seconds > 0 ? seconds : 0;
}

double lifecycle_linger(const struct lifecycle *lc)
{
	return lc->linger;
}

void lifecycle_set_hold(struct lifecycle *lc, lifecycle_hold_fn *hold, void *ctx)
{
	lc->hold = hold;
	lc->hold_ctx = ctx;
}

/* Exited tasks are kept at least LIFECYCLE_LINGER seconds whatever is
 * shown: taskdiff, the reaping checks and the guard against stale samples
 * all need to know a task has ended; views hide them sooner (linger). */
static double retain(const struct lifecycle *lc)
{
	return lc->linger > LIFECYCLE_LINGER ? lc->linger : LIFECYCLE_LINGER;
}

/* Frees what a task owns. */
static void task_release(struct task *t)
{
	free(t->cmdline);
	free(t->cgroup);
	t->cmdline = t->cgroup = NULL;
}

void lifecycle_free(struct lifecycle *lc)
{
	if (!lc)
		return;
	for (size_t i = 0; i < lc->n; i++)
		task_release(&lc->tasks[i]);
	free(lc->tasks);
	free(lc->ticks);
	free(lc->next_tasks);
	free(lc->next_ticks);
	free(lc->order);
	free(lc->launched.pids);
	free(lc->dismissed.pids);
	free(lc);
}

static bool pending_take(struct pending *p, pid_t pid)
{
	for (size_t i = 0; i < p->n; i++) {
		if (p->pids[i] == pid) {
			p->pids[i] = p->pids[--p->n];
			return true;
		}
	}
	return false;
}

static void pending_add(struct pending *p, pid_t pid)
{
	if (p->n == p->cap) {
		p->cap = p->cap ? p->cap * 2 : 8;
		p->pids = xrealloc(p->pids, p->cap * sizeof *p->pids);
	}
	p->pids[p->n++] = pid;
}

void lifecycle_note_launched(struct lifecycle *lc, pid_t pid)
{
	pending_add(&lc->launched, pid);
}

/* Whether p holds pid. */
static bool pending_has(const struct pending *p, pid_t pid)
{
	for (size_t i = 0; i < p->n; i++)
		if (p->pids[i] == pid)
			return true;
	return false;
}

static int cmp_tid(const void *a, const void *b)
{
	pid_t x = *(const pid_t *)a, y = *(const pid_t *)b;
	return (x > y) - (x < y);
}

static struct task *find(const struct lifecycle *lc, pid_t tid)
{
	/* struct task starts with tid, so the array can be searched by it. */
	if (!lc->n)
		return NULL;
	return bsearch(&tid, lc->tasks, lc->n, sizeof *lc->tasks, cmp_tid);
}

const struct task *lifecycle_find(const struct lifecycle *lc, pid_t tid)
{
	return find(lc, tid);
}

const struct task *lifecycle_tasks(const struct lifecycle *lc, size_t *n)
{
	*n = lc->n;
	return lc->tasks;
}

static void mark_exited(struct task *t, double now)
{
	if (t->exited)
		return;
	t->exited = true;
	t->state = 'X';
	t->cpu = 0;
	t->exited_at = now;
}

/* Fills a new task from a sample. */
static void task_create(struct lifecycle *lc, struct task *t, const struct sample *s, long hz)
{
	memset(t, 0, sizeof *t);
	t->tid = s->tid;
	t->pid = s->pid;
	t->start_ticks = s->start_ticks;
	t->start_time = lc->boot_time + (double)s->start_ticks / (double)hz;
	t->cmdline = xstrdup(s->cmdline);
	t->ppid = s->ppid;
	t->exit_code = -1;
	t->shr_kb = -1;
	t->io_read_bps = t->io_write_bps = -1;
	if (s->tid == s->pid)
		t->launched = pending_take(&lc->launched, s->pid);
}

/* Bytes per second between two counter readings; -1 when unknown. */
static double io_rate(bool known, unsigned long long prev, unsigned long long now, double elapsed)
{
	return known && elapsed > 0 && now >= prev ? (double)(now - prev) / elapsed : -1;
}

/* The optional columns' facts (task.h); the extra ones only when read. */
static void task_refresh_more(struct lifecycle *lc, struct task *t, const struct sample *s,
			      double elapsed, long hz)
{
	t->tty_nr = s->tty_nr;
	t->priority = s->priority;
	t->nice = s->nice;
	t->vsize_kb = s->vsize_kb;
	t->mem_pct = lc->mem_total_kb > 0 ? (double)s->rss_kb * 100.0 / lc->mem_total_kb : 0;
	t->time_ticks = s->ticks;
	t->time_s = (double)s->ticks / (double)hz;
	const struct proc_extras *e = s->extra;
	if (!e) {
		t->user = NULL;
		t->shr_kb = -1;
		t->io_known = false;
		t->io_read_bps = t->io_write_bps = -1;
		t->wchan[0] = '\0';
		free(t->cgroup);
		t->cgroup = NULL;
		return;
	}
	t->user = e->user;
	t->shr_kb = e->shr_kb;
	t->io_read_bps = io_rate(t->io_known && e->io_known, t->io_rchar, e->io_rchar, elapsed);
	t->io_write_bps = io_rate(t->io_known && e->io_known, t->io_wchar, e->io_wchar, elapsed);
	t->io_known = e->io_known;
	t->io_rchar = e->io_rchar;
	t->io_wchar = e->io_wchar;
	memcpy(t->wchan, e->wchan, sizeof t->wchan);
	t->wchan[sizeof t->wchan - 1] = '\0';
	if (!e->cgroup[0]) {
		free(t->cgroup);
		t->cgroup = NULL;
	} else if (!t->cgroup || strcmp(t->cgroup, e->cgroup) != 0) {
		free(t->cgroup);
		t->cgroup = xstrdup(e->cgroup);
	}
}

/* Refreshes t from s; prev_ticks/elapsed give CPU%. */
static void task_refresh(struct lifecycle *lc, struct task *t, const struct sample *s,
			 unsigned long long prev_ticks, double elapsed, long hz)
{
	if (s->ppid != t->ppid && s->ppid == lc->self)
		t->former_ppid = t->ppid;
	/* A dying thread's stat shows parent 0: the one known stays. */
	if (s->ppid > 0 || !t->ppid)
		t->ppid = s->ppid;
	t->state = s->state;
	memcpy(t->comm, s->comm, sizeof t->comm);
	t->comm[sizeof t->comm - 1] = '\0';
	if (strcmp(t->cmdline, s->cmdline) != 0) {
		free(t->cmdline);
		t->cmdline = xstrdup(s->cmdline);
	}
	t->rss_kb = s->rss_kb;
	t->threads = s->threads;
	t->cpu = 0;
	if (elapsed > 0 && s->ticks >= prev_ticks)
		t->cpu = (double)(s->ticks - prev_ticks) / (double)hz / elapsed * 100.0;
	t->orphan = t->tid == t->pid && t->ppid == lc->self && !t->launched;
	task_refresh_more(lc, t, s, elapsed, hz);
}

static void reserve_next(struct lifecycle *lc, size_t need)
{
	size_t cap = util_fit_cap(lc->next_cap, need, 16);
	if (cap == lc->next_cap)
		return;
	lc->next_tasks = util_resize(lc->next_tasks, lc->next_cap, cap, 0, sizeof *lc->next_tasks);
	lc->next_ticks = util_resize(lc->next_ticks, lc->next_cap, cap, 0, sizeof *lc->next_ticks);
	lc->next_cap = cap;
}

static void swap_buffers(struct lifecycle *lc, size_t n)
{
	struct task *t = lc->tasks;
	unsigned long long *k = lc->ticks;
	size_t cap = lc->cap;
	lc->tasks = lc->next_tasks;
	lc->ticks = lc->next_ticks;
	lc->cap = lc->next_cap;
	lc->n = n;
	lc->next_tasks = t;
	lc->next_ticks = k;
	lc->next_cap = cap;
}

/* Asks the hold whether the exited main task of a launched program stays
 * (then it is held); one released lingers from now. */
static void weigh_hold(const struct lifecycle *lc, struct task *t, double now)
{
	bool hold = lc->hold && t->launched && !task_is_thread(t) && lc->hold(lc->hold_ctx, t->pid, t->start_ticks);
	if (t->held && !hold)
		t->exited_at = now;
	t->held = hold;
}

/* Keeps an old task that is not in this snapshot, or drops it. A thread
 * that was not looked for is dropped: not seeing it says nothing. */
static bool keep_vanished(const struct lifecycle *lc, struct task *t, double now, bool threads)
{
	if (!threads && task_is_thread(t) && !t->exited) {
		task_release(t);
		return false;
	}
	mark_exited(t, now);
	weigh_hold(lc, t, now);
	bool dismissed = pending_has(&lc->dismissed, t->pid);
	if (dismissed || (!t->held && now - t->exited_at > retain(lc))) {
		task_release(t);
		return false;
	}
	return true;
}

static void mark_supervised(struct lifecycle *lc)
{
	for (size_t i = 0; i < lc->n; i++) {
		struct task *t = &lc->tasks[i];
		pid_t up = t->ppid;
		t->supervised = false;
		/* Bounded: a ppid loop in a racy snapshot must not hang us. */
		for (int hops = 0; hops < 4096 && up > 0; hops++) {
			if (up == lc->self) {
				t->supervised = true;
				break;
			}
			const struct task *p = find(lc, up);
			if (!p)
				break;
			up = p->ppid;
		}
	}
}

/* A thread first seen while dying shows parent 0: its process's is its own. */
static void adopt_process_ppid(struct lifecycle *lc)
{
	for (size_t i = 0; i < lc->n; i++) {
		struct task *t = &lc->tasks[i];
		const struct task *p;
		if (!t->ppid && task_is_thread(t) && (p = find(lc, t->pid)))
			t->ppid = p->ppid;
	}
}

static int cmp_sample_index(const void *a, const void *b, void *base)
{
	const struct sample *s = base;
	pid_t x = s[*(const size_t *)a].tid, y = s[*(const size_t *)b].tid;
	return (x > y) - (x < y);
}

void lifecycle_update(struct lifecycle *lc, const struct sample *s, size_t n, double now, long hz,
		      bool threads)
{
	size_t cap = util_fit_cap(lc->order_cap, n, 64);
	if (cap != lc->order_cap) {
		lc->order = util_resize(lc->order, lc->order_cap, cap, 0, sizeof *lc->order);
		lc->order_cap = cap;
	}
	size_t *order = lc->order;
	for (size_t i = 0; i < n; i++)
		order[i] = i;
	if (n)
		qsort_r(order, n, sizeof *order, cmp_sample_index, (void *)s);

	double elapsed = lc->last_update > 0 ? now - lc->last_update : 0;
	reserve_next(lc, lc->n + n);
	size_t i = 0, j = 0, out = 0;
	while (i < lc->n || j < n) {
		struct task *old = i < lc->n ? &lc->tasks[i] : NULL;
		const struct sample *smp = j < n ? &s[order[j]] : NULL;
		struct task *dst = &lc->next_tasks[out];
		if (smp && j + 1 < n && s[order[j + 1]].tid == smp->tid) {
			j++; /* a racy duplicate: keep the later one */
			continue;
		}
		if (old && (!smp || old->tid < smp->tid)) {
			i++;
			if (keep_vanished(lc, old, now, threads)) {
				*dst = *old;
				lc->next_ticks[out++] = lc->ticks[i - 1];
			}
			continue;
		}
		if (old && old->tid == smp->tid && old->start_ticks == smp->start_ticks && old->exited &&
		    (old->held || now - old->exited_at <= retain(lc))) {
			*dst = *old; /* read before it went: the model knows better */
			lc->next_ticks[out++] = lc->ticks[i++];
			j++;
			continue;
		}
		if (old && old->tid == smp->tid && old->start_ticks == smp->start_ticks) {
			*dst = *old;
			task_refresh(lc, dst, smp, lc->ticks[i], elapsed, hz);
			i++;
		} else {
			if (old && old->tid == smp->tid) {
				task_release(old); /* the TID was reused: the old task is gone */
				i++;
			}
			task_create(lc, dst, smp, hz);
			task_refresh(lc, dst, smp, smp->ticks, 0, hz);
		}
		lc->next_ticks[out++] = smp->ticks;
		j++;
	}
	swap_buffers(lc, out);
	lc->dismissed.n = 0;
	adopt_process_ppid(lc);
	mark_supervised(lc);
	lc->last_update = now;
}

/* Makes t a process of concmon's that was never sampled and has ended. */
static void init_unsampled(struct lifecycle *lc, struct task *t, pid_t pid, const char *name,
			   double now)
{
	memset(t, 0, sizeof *t);
	t->tid = t->pid = pid;
	t->ppid = lc->self;
	t->supervised = true;
	snprintf(t->comm, sizeof t->comm, "%s", name ? name : "?");
	t->cmdline = xstrdup(name ? name : "");
	t->launched = pending_take(&lc->launched, pid);
	t->orphan = !t->launched;
	t->shr_kb = -1;
	t->io_read_bps = t->io_write_bps = -1;
	mark_exited(t, now);
}

static struct task *insert_exited(struct lifecycle *lc, pid_t pid, const char *name, double now)
{
	if (lc->n == lc->cap) {
		lc->cap = lc->cap ? lc->cap * 2 : 16;
		lc->tasks = xrealloc(lc->tasks, lc->cap * sizeof *lc->tasks);
		lc->ticks = xrealloc(lc->ticks, lc->cap * sizeof *lc->ticks);
	}
	size_t at = 0;
	while (at < lc->n && lc->tasks[at].tid < pid)
		at++;
	memmove(&lc->tasks[at + 1], &lc->tasks[at], (lc->n - at) * sizeof *lc->tasks);
	memmove(&lc->ticks[at + 1], &lc->ticks[at], (lc->n - at) * sizeof *lc->ticks);
	lc->n++;
	lc->ticks[at] = 0;
	init_unsampled(lc, &lc->tasks[at], pid, name, now);
	return &lc->tasks[at];
}

/* Marks process pid and its threads exited. */
static void mark_process_exited(struct lifecycle *lc, pid_t pid, double now)
{
	for (size_t i = 0; i < lc->n; i++)
		if (lc->tasks[i].pid == pid)
			mark_exited(&lc->tasks[i], now);
}

void lifecycle_note_exit(struct lifecycle *lc, pid_t pid, const char *name, int code, int sig,
			 double now)
{
	struct task *t = find(lc, pid);
	if (!t) {
		t = insert_exited(lc, pid, name, now);
	} else if (t->exit_known) {
		/* The PID was reused by a process that lived between two samples. */
		task_release(t);
		init_unsampled(lc, t, pid, name, now);
	} else {
		pending_take(&lc->launched, pid);
		/* Only its parent can reap a process: concmon had adopted it. */
		if (!t->exited && t->ppid != lc->self) {
			t->former_ppid = t->ppid;
			t->ppid = lc->self;
			t->orphan = !t->launched;
		}
	}
	mark_exited(t, now);
	t->exit_known = true;
	t->exit_code = sig ? -1 : code;
	t->exit_signal = sig;
	mark_process_exited(lc, pid, now);
}

bool lifecycle_dismiss(struct lifecycle *lc, pid_t pid)
{
	const struct task *t = find(lc, pid);
	if (!t || !t->exited)
		return false;
	/* Dropped by the next update, not here: the view holds the array. */
	pending_add(&lc->dismissed, pid);
	return true;
}

void lifecycle_note_reaped(struct lifecycle *lc, pid_t pid, double now)
{
	struct task *t = find(lc, pid);
	if (!t || t->exited)
		return;
	mark_process_exited(lc, pid, now);
	t->reaped = true;
}

void lifecycle_note_identity(struct lifecycle *lc, pid_t pid, const char *comm,
			     unsigned long long start_ticks, long hz)
{
	struct task *t = find(lc, pid);
	if (!t || !t->exited || t->start_ticks)
		return;
	if (comm && comm[0]) {
		snprintf(t->comm, sizeof t->comm, "%s", comm);
		if (!t->cmdline[0]) {
			free(t->cmdline);
			t->cmdline = xstrdup(comm);
		}
	}
	t->start_ticks = start_ticks;
	if (start_ticks)
		t->start_time = lc->boot_time + (double)start_ticks / (double)hz;
}
