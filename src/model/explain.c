/* explain.c - see explain.h. Templates hold {name} placeholders; each
 * explanation fills them from a small table of (name, value) pairs. */
#include "model/explain.h"

#include <stdio.h>
#include <string.h>

#include "model/sigtable.h"
#include "util/escape.h"

struct var {
	const char *name;
	char value[160];
};

const char *explain_find(const char *name)
{
	for (size_t i = 0; i < explain_texts_count; i++)
		if (strcmp(explain_texts[i].name, name) == 0)
			return explain_texts[i].text;
	return NULL;
}

static const char *lookup(const struct var *v, size_t n, const char *name, size_t len)
{
	for (size_t i = 0; i < n; i++)
		if (strlen(v[i].name) == len && memcmp(v[i].name, name, len) == 0)
			return v[i].value;
	return NULL;
}

/* Appends tpl to out at *at with placeholders replaced; unknown ones stay. */
static void fill(const char *tpl, const struct var *v, size_t n, char *out, size_t len, size_t *at)
{
	for (const char *p = tpl; *p && *at + 1 < len; p++) {
		const char *end = *p == '{' ? strchr(p, '}') : NULL;
		const char *val = end ? lookup(v, n, p + 1, (size_t)(end - p - 1)) : NULL;
		if (val) {
			int w = snprintf(out + *at, len - *at, "%s", val);
			*at += w > 0 ? (size_t)w : 0;
			if (*at >= len)
				*at = len - 1;
			p = end;
		} else {
			out[(*at)++] = *p;
		}
	}
	out[*at] = '\0';
}

static void set(struct var *v, const char *name, const char *fmt, long a)
{
	v->name = name;
	snprintf(v->value, sizeof v->value, fmt, a);
}

static void set_str(struct var *v, const char *name, const char *s)
{
	v->name = name;
	char clean[sizeof v->value * 4];
	escape_text(s, clean, sizeof clean);
	snprintf(v->value, sizeof v->value, "%.159s", clean);
}

/* The telemetry record of thread tid in prog, or NULL. */
static const struct telemetry_thread *probe_thread(const struct program *prog, pid_t tid)
{
	if (!prog || !prog->snap)
		return NULL;
	for (size_t i = 0; i < prog->snap->n_threads; i++)
		if (prog->snap->threads[i].tid == tid)
			return &prog->snap->threads[i];
	return NULL;
}

static void describe_cycle(const struct deadlocks *d, pid_t tid, char *buf, size_t len)
{
	buf[0] = '\0';
	for (size_t i = 0; d && i < deadlocks_count(d); i++) {
		struct deadlock c = deadlocks_get(d, i);
		bool mine = false;
		for (size_t k = 0; k < c.n; k++)
			mine |= c.links[k].tid == tid;
		size_t at = 0;
		for (size_t k = 0; mine && k < c.n && at + 1 < len; k++) {
			const struct deadlock_link *l = &c.links[k];
			int w = snprintf(buf + at, len - at, "%sT %d (%.31s) waits for %.31s <- held by T %d",
					 k ? "; " : "", (int)l->tid, l->role, l->lock, (int)l->holder);
			at += w > 0 ? (size_t)w : 0;
		}
		if (mine)
			return;
	}
	snprintf(buf, len, "thread %d waits behind a deadlocked lock", (int)tid);
}

/* Chooses the template for t and fills vars; returns the template name. */
static const char *choose(const struct task *t, const struct program *prog, const struct deadlocks *d,
			  struct var *v, size_t *n)
{
	set(&v[(*n)++], "pid", "%ld", t->pid);
	set(&v[(*n)++], "tid", "%ld", t->tid);
	set(&v[(*n)++], "ppid", "%ld", t->ppid);
	set_str(&v[(*n)++], "comm", t->comm);
	char st[2] = { t->state, 0 };
	set_str(&v[(*n)++], "state", st);
	/* {task} names the row itself: a thread is not its process. */
	char who[120];
	if (task_is_thread(t))
		snprintf(who, sizeof who, "thread %d (%.63s) of process %d", (int)t->tid, t->comm,
			 (int)t->pid);
	else
		snprintf(who, sizeof who, "%d (%.63s)", (int)t->pid, t->comm);
	set_str(&v[(*n)++], "task", who);
	if (t->exited) {
		char how[64];
		if (task_is_thread(t)) {
			snprintf(how, sizeof how, "the thread ended");
		} else if (t->exit_known && t->exit_signal) {
			const struct sigdesc *s = sigtable_find(t->exit_signal);
			snprintf(how, sizeof how, "killed by SIG%s", s ? s->name : "?");
		} else if (t->exit_known) {
			snprintf(how, sizeof how, "exit code %d", t->exit_code);
		} else {
			snprintf(how, sizeof how, "its parent collected the exit status");
		}
		set_str(&v[(*n)++], "how", how);
		return "exited";
	}
	if (t->state == 'Z' && !task_is_thread(t))
		return "zombie";
	if (t->state == 'T' || t->state == 't')
		return "stopped";
	if (d && deadlocks_stuck(d, t->tid)) {
		char cyc[160];
		describe_cycle(d, t->tid, cyc, sizeof cyc);
		set_str(&v[(*n)++], "cycle", cyc);
		return "deadlock";
	}
	const struct telemetry_thread *th = probe_thread(prog, t->tid);
	if (th && th->wait >= 0 && th->wait_kind == CM_WAIT_LOCK) {
		const struct telemetry_lock *l = &prog->snap->locks[th->wait];
		set_str(&v[(*n)++], "role", th->role);
		set_str(&v[(*n)++], "lock", l->name);
		set(&v[(*n)++], "holder", l->n_holders ? "thread %ld" : "nobody yet", l->n_holders ? l->holders[0] : 0);
		set(&v[(*n)++], "contended", "%ld", l->acquisitions ? (long)(100 * l->contended / l->acquisitions) : 0);
		return "blocked";
	}
	if (th && th->wait >= 0 && th->wait_kind == CM_WAIT_QUEUE_PUT) {
		const struct telemetry_queue *q = &prog->snap->queues[th->wait];
		set_str(&v[(*n)++], "queue", q->name);
		set(&v[(*n)++], "depth", "%ld", (long)q->depth);
		set(&v[(*n)++], "capacity", "%ld", (long)q->capacity);
		set(&v[(*n)++], "blocked", "%ld", (long)q->blocked_put);
		return "queue-full";
	}
	if (t->orphan) {
		set(&v[(*n)++], "former", t->former_ppid ? " (PID %ld)" : "", t->former_ppid);
		return "orphan";
	}
	return "running";
}

size_t explain_task(const struct task *t, const struct program *prog, const struct deadlocks *d,
		    char *out, size_t len)
{
	struct var v[16];
	size_t n = 0, at = 0;
	if (!len)
		return 0;
	out[0] = '\0';
	const char *name = choose(t, prog, d, v, &n);
	const char *tpl = explain_find(name);
	if (tpl)
		fill(tpl, v, n, out, len, &at);
	if (prog && prog->demo) {
		char key[80];
		snprintf(key, sizeof key, "demo:%s", prog->demo);
		const char *lesson = explain_find(key);
		if (lesson) {
			fill("\n", v, 0, out, len, &at);
			fill(lesson, v, n, out, len, &at);
		}
	}
	return at;
}
