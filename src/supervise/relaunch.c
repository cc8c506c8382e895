/* relaunch.c - see relaunch.h. */
#include "supervise/relaunch.h"

#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "util/util.h"

/* "NAME,k=v,...": the knobs of the last snapshot (each name once: forked
 * processes of a demo share them), knob at value. Without a snapshot the
 * arguments of the first launch stand. */
static char *relaunch_demo_spec(const struct program *pr, const char *knob, long value)
{
	size_t cap = strlen(pr->demo) + 1 + (pr->n_knobs + 1) * (CM_NAME_MAX + 24);
	for (size_t i = 2; pr->argv && pr->argv[1] && pr->argv[i]; i++)
		cap += strlen(pr->argv[i]) + 1;
	char *s = xmalloc(cap);
	size_t len = (size_t)snprintf(s, cap, "%s", pr->demo);
	bool knob_done = false;
	for (size_t i = 0; i < pr->n_knobs; i++) {
		const struct telemetry_knob *k = &pr->knobs[i];
		if (programs_knob(pr, k->name) != k)
			continue;       /* a later record of a name already written */
		bool it = knob && strcmp(k->name, knob) == 0;
		knob_done |= it;
		len += (size_t)snprintf(s + len, cap - len, ",%s=%ld", k->name, it ? value : k->value);
	}
	if (!pr->n_knobs)
		for (size_t i = 2; pr->argv && pr->argv[1] && pr->argv[i]; i++)
			len += (size_t)snprintf(s + len, cap - len, ",%s", pr->argv[i]);
	if (knob && !knob_done)
		snprintf(s + len, cap - len, ",%s=%ld", knob, value);
	return s;
}

void relaunch_of(const struct program *pr, const char *knob, long value, struct relaunch *r)
{
	memset(r, 0, sizeof *r);
	r->restart.spec = pr->restart.spec;
	r->old = pr->pid;
	if (pr->demo) {
		r->demo = relaunch_demo_spec(pr, knob, value);
	} else if (pr->argv) {
		size_t n = 0;
		while (pr->argv[n])
			n++;
		r->argv = xcalloc(n + 1, sizeof *r->argv);
		for (size_t i = 0; i < n; i++)
			r->argv[i] = xstrdup(pr->argv[i]);
	} else {
		size_t len = strlen(pr->name) + sizeof "--trace ";
		r->line = xmalloc(len);
		snprintf(r->line, len, "%s%s", pr->trace ? "--trace " : "", pr->name);
	}
}

void relaunch_clear(struct relaunch *r)
{
	for (size_t i = 0; r->argv && r->argv[i]; i++)
		free(r->argv[i]);
	free(r->argv);
	free(r->line);
	free(r->demo);
	memset(r, 0, sizeof *r);
}

struct pending {
	pid_t old;
	bool due;               /* old is gone */
	struct relaunch r;
};

struct relaunches {
	struct pending *list;
	size_t n, cap;
};

struct relaunches *relaunches_new(void)
{
	return xcalloc(1, sizeof(struct relaunches));
}

void relaunches_free(struct relaunches *q)
{
	if (!q)
		return;
	for (size_t i = 0; i < q->n; i++)
		relaunch_clear(&q->list[i].r);
	free(q->list);
	free(q);
}

/* Removes entry i, its restart moved into *r. */
static void relaunches_remove(struct relaunches *q, size_t i, struct relaunch *r)
{
	*r = q->list[i].r;
	q->list[i] = q->list[--q->n];
}

void relaunches_add(struct relaunches *q, pid_t old, struct relaunch *r)
{
	struct relaunch gone;
	for (size_t i = 0; i < q->n; i++) {
		if (q->list[i].old == old && !q->list[i].due) {
			relaunches_remove(q, i, &gone);
			relaunch_clear(&gone);
			break;
		}
	}
	if (q->n == q->cap) {
		q->cap = q->cap ? 2 * q->cap : 4;
		q->list = xrealloc(q->list, q->cap * sizeof *q->list);
	}
	q->list[q->n++] = (struct pending){ old, false, *r };
	memset(r, 0, sizeof *r);
}

void relaunches_gone(struct relaunches *q, pid_t old)
{
	for (size_t i = 0; i < q->n; i++)
		if (q->list[i].old == old)
			q->list[i].due = true;
}

bool relaunches_due(struct relaunches *q, struct relaunch *r)
{
	for (size_t i = 0; i < q->n; i++) {
		if (q->list[i].due) {
			relaunches_remove(q, i, r);
			return true;
		}
	}
	return false;
}

int relaunches_request(struct relaunches *q, struct programs *progs, struct supervisor *sup,
		       pid_t pid, unsigned long long start, const char *knob, long value,
		       struct relaunch *now, char *err, size_t errlen)
{
	size_t n;
	struct program *list = programs_list_mut(progs, &n), *pr = NULL;
	/* A PID comes back: a live row (start known) is the running program
	 * started then; else the newest program of that PID. */
	for (size_t i = n; i-- > 0 && !pr;)
		if (list[i].pid == pid && (!start || (!list[i].ended && (!list[i].start_ticks ||
						       list[i].start_ticks == start))))
			pr = &list[i];
	if (!pr) {
		snprintf(err, errlen, "%d is not a program concmon launched (or it is gone)", (int)pid);
		return ESRCH;
	}
	relaunch_of(pr, knob, value, now);
	if (pr->ended) {
		pr->restart_at = 0;     /* this launch replaces the planned one */
		pr->given_up = false;
		return 0;
	}
	int rc = start ? supervisor_terminate(sup, pid, start, util_now()) : 0;
	if (rc) {
		snprintf(err, errlen, "cannot stop %d: %s", (int)pid, strerror(rc));
		relaunch_clear(now);
		return rc;
	}
	relaunches_add(q, pid, now);
	return EINPROGRESS;
}

static struct restart_spec default_policy = { RESTART_NEVER, 0 };

void relaunch_set_default_policy(const struct restart_spec *s)
{
	default_policy = *s;
}

struct restart_spec relaunch_default_policy(void)
{
	return default_policy;
}

void relaunch_plan(struct programs *p, pid_t pid, int code, int sig, double now)
{
	size_t n;
	struct program *list = programs_list_mut(p, &n);
	for (size_t i = 0; i < n; i++) {
		struct program *pr = &list[i];
		if (pr->pid != pid || !pr->ended || pr->restart_decided)
			continue;
		pr->restart_decided = true;
		bool by_user = pr->signaled || (sig > 0 && sig < 64 && (pr->sent & (1ull << sig)));
		struct restart_decision d = restart_decide(&pr->restart.spec, code, sig, by_user,
							   pr->restart.restarts, pr->restart.streak,
							   now - pr->started_at);
		pr->given_up = d.given_up;
		pr->restart.streak = d.streak;
		if (d.restart) {
			pr->restart_delay = d.delay;
			pr->restart_at = now + d.delay;
		}
	}
}

double relaunch_next(const struct programs *p, double now)
{
	size_t n;
	const struct program *list = programs_list(p, &n);
	double next = -1;
	for (size_t i = 0; i < n; i++) {
		if (list[i].restart_at <= 0)
			continue;
		double w = list[i].restart_at > now ? list[i].restart_at - now : 0;
		if (next < 0 || w < next)
			next = w;
	}
	return next;
}

bool relaunch_take_due(struct programs *p, double now, struct relaunch *r)
{
	size_t n;
	struct program *list = programs_list_mut(p, &n);
	for (size_t i = 0; i < n; i++) {
		struct program *pr = &list[i];
		if (pr->restart_at <= 0 || pr->restart_at > now)
			continue;
		relaunch_of(pr, NULL, 0, r);
		r->restart = pr->restart;
		r->restart.restarts++;
		r->backoff = pr->restart_delay;
		pr->restart_at = 0;
		return true;
	}
	return false;
}

/* pr is program pid, ended, and waits for a restart or gave up. */
static bool is_held(const struct program *pr, pid_t pid)
{
	return pr->pid == pid && pr->ended && (pr->restart_at > 0 || pr->given_up);
}

bool relaunch_holds(const struct programs *p, pid_t pid, unsigned long long start_ticks)
{
	size_t n;
	const struct program *list = programs_list(p, &n);
	for (size_t i = 0; i < n; i++)   /* by identity: a later program may reuse the PID */
		if (is_held(&list[i], pid) && (!start_ticks || !list[i].start_ticks ||
					       list[i].start_ticks == start_ticks))
			return true;
	return false;
}

bool relaunch_dismiss(struct programs *p, pid_t pid)
{
	size_t n;
	struct program *list = programs_list_mut(p, &n);
	bool found = false;
	for (size_t i = 0; i < n; i++) {
		if (!is_held(&list[i], pid))
			continue;
		list[i].restart_at = 0;
		list[i].given_up = false;
		found = true;
	}
	return found;
}

void relaunch_describe(const struct program *pr, double now, char *buf, size_t len)
{
	unsigned n = pr->restart.restarts, max = pr->restart.spec.max;
	char count[48];
	if (max)
		snprintf(count, sizeof count, "restarts %u/%u", n, max);
	else
		snprintf(count, sizeof count, "restarts %u", n);
	if (pr->given_up)
		snprintf(buf, len, "[%s: given up]", count);
	else if (pr->restart_at > 0)
		snprintf(buf, len, "[%s, next in %.0fs]", count,
			 pr->restart_at > now ? ceil(pr->restart_at - now) : 0.0);
	else if (n)
		snprintf(buf, len, "[%s]", count);
	else if (len)
		buf[0] = '\0';
}
