/* panels_locks.c - the lock lines of the panels: per lock its kind, state, waiters, contention
 * and wait times, then who holds it and who waits for it, by TID and role.
 * A lock that others wait for while its holder is itself waiting is drawn
 * in the error colour: that is how a deadlock looks (detecting the cycle is
 * the wait graph's job, not this panel's). */
#include "panels_locks.h"

#include <stdarg.h>
#include <stdio.h>
#include <string.h>
#include <time.h>

#include "text.h"
#include "tui_state.h"

#define LOCK_NAME_W 14
#define LOCK_WHO_MAX 512

static const char *const lock_kinds[CM_LOCK_KIND_MAX + 1] = {
	[CM_LOCK_MUTEX] = "mutex",
	[CM_LOCK_RECURSIVE] = "recursive",
	[CM_LOCK_SEMAPHORE] = "semaphore",
	[CM_LOCK_CONDITION] = "condition",
	[CM_LOCK_EVENT] = "event",
	[CM_LOCK_FILE] = "file lock",
};

/* Column positions: mark, name, kind, state, waiting, contended %, average
 * and maximum wait, then the holders and waiters as free text. */
enum { LC_NAME = 1, LC_KIND = LC_NAME + LOCK_NAME_W + 1, LC_STATE = LC_KIND + 10,
       LC_WAIT = LC_STATE + 12, LC_CONT = LC_WAIT + 5, LC_AVG = LC_CONT + 6,
       LC_MAX = LC_AVG + 8, LC_WHO = LC_MAX + 9 };

static const char *lock_kind_name(enum cm_lock_kind k)
{
	return k >= 1 && k <= CM_LOCK_KIND_MAX && lock_kinds[k] ? lock_kinds[k] : "?";
}

/* Kinds where a waiter waits for a holder (not for a signal or an event). */
static bool lock_exclusive(enum cm_lock_kind k)
{
	return k == CM_LOCK_MUTEX || k == CM_LOCK_RECURSIVE || k == CM_LOCK_SEMAPHORE ||
	       k == CM_LOCK_FILE;
}

static const struct telemetry_thread *lock_thread(const struct telemetry_snapshot *s, pid_t tid)
{
	for (size_t i = 0; i < s->n_threads; i++)
		if (s->threads[i].tid == tid)
			return &s->threads[i];
	return NULL;
}

/* What thread th waits for, as "fork-2" or "room in clothes"; "" if nothing. */
static void lock_waits_for(const struct telemetry_snapshot *s, const struct telemetry_thread *th,
			   char *buf, size_t len)
{
	buf[0] = '\0';
	if (!th || th->wait < 0)
		return;
	size_t w = (size_t)th->wait;
	if (th->wait_kind == CM_WAIT_LOCK && w < s->n_locks)
		snprintf(buf, len, "%s", s->locks[w].name);
	else if (th->wait_kind == CM_WAIT_QUEUE_PUT && w < s->n_queues)
		snprintf(buf, len, "room in %s", s->queues[w].name);
	else if (th->wait_kind == CM_WAIT_QUEUE_GET && w < s->n_queues)
		snprintf(buf, len, "an item from %s", s->queues[w].name);
}

/* True when some listed holder of lock i is itself waiting. */
static bool lock_holder_waits(const struct telemetry_snapshot *s, const struct telemetry_lock *lk)
{
	for (unsigned h = 0; h < lk->n_holders; h++) {
		const struct telemetry_thread *th = lock_thread(s, lk->holders[h]);
		if (th && th->wait_kind != CM_WAIT_NONE && th->wait >= 0)
			return true;
	}
	return false;
}

/* Appends printf output to buf at *at, never past len. */
static void __attribute__((format(printf, 4, 5)))
lock_cat(char *buf, size_t len, size_t *at, const char *fmt, ...)
{
	if (*at + 1 >= len)
		return;
	va_list ap;
	va_start(ap, fmt);
	int n = vsnprintf(buf + *at, len - *at, fmt, ap);
	va_end(ap);
	if (n > 0)
		*at += (size_t)n < len - *at ? (size_t)n : len - *at - 1;
}

/* "1234 washer" or "1234" when the role is unknown. */
static void lock_who(const struct telemetry_snapshot *s, pid_t tid, char *buf, size_t len,
		     size_t *at)
{
	const struct telemetry_thread *th = lock_thread(s, tid);
	if (th && th->role[0])
		lock_cat(buf, len, at, "%d %s", (int)tid, th->role);
	else
		lock_cat(buf, len, at, "%d", (int)tid);
}

/* "1234 philosopher-1 (waits for fork-2), 1240 worker-3 +2 more": the
 * column title says these are the holders. */
static void lock_holders(const struct telemetry_snapshot *s, const struct telemetry_lock *lk,
			 char *buf, size_t len)
{
	size_t at = 0;
	char wf[CM_NAME_MAX + 32];
	buf[0] = '\0';
	for (unsigned h = 0; h < lk->n_holders; h++) {
		if (h)
			lock_cat(buf, len, &at, ", ");
		lock_who(s, lk->holders[h], buf, len, &at);
		lock_waits_for(s, lock_thread(s, lk->holders[h]), wf, sizeof wf);
		if (wf[0])
			lock_cat(buf, len, &at, " (waits for %s)", wf);
	}
	if (lk->holder_count > lk->n_holders && lk->n_holders)
		lock_cat(buf, len, &at, " +%u more", lk->holder_count - lk->n_holders);
	else if (lk->holder_count > lk->n_holders)
		lock_cat(buf, len, &at, "%u holder%s", lk->holder_count,
			 lk->holder_count == 1 ? "" : "s");
}

/* "waiting: 1235 philosopher-2 4.2s, 1236 worker-5 0.3s", "" if nobody. */
static void lock_waiters(const struct telemetry_snapshot *s, size_t i, uint64_t now_ns, char *buf,
			 size_t len)
{
	size_t at = 0;
	unsigned listed = 0;
	buf[0] = '\0';
	for (size_t k = 0; k < s->n_threads; k++) {
		const struct telemetry_thread *th = &s->threads[k];
		if (th->wait_kind != CM_WAIT_LOCK || th->wait != (int)i)
			continue;
		lock_cat(buf, len, &at, listed++ ? ", " : "waiting: ");
		lock_who(s, th->tid, buf, len, &at);
		if (th->wait_since_ns && th->wait_since_ns <= now_ns)
			lock_cat(buf, len, &at, " %.1fs", (double)(now_ns - th->wait_since_ns) / 1e9);
	}
}

/* Whether lock i needs a second line for its waiters at this width. */
static bool lock_split(const struct telemetry_snapshot *s, size_t i, uint64_t now_ns)
{
	char who[LOCK_WHO_MAX], waiting[LOCK_WHO_MAX];
	lock_holders(s, &s->locks[i], who, sizeof who);
	lock_waiters(s, i, now_ns, waiting, sizeof waiting);
	return waiting[0] && text_width(who) + 2 + text_width(waiting) > text_cols() - LC_WHO;
}

static uint64_t lock_now_ns(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000000000u + (uint64_t)ts.tv_nsec;
}

int panels_lock_need(const struct telemetry_snapshot *s)
{
	uint64_t now = lock_now_ns();
	int n = 0;
	for (size_t i = 0; i < s->n_locks; i++)
		n += 1 + lock_split(s, i, now);
	return n;
}

/* "free", "held", "depth 3", "3/3 used", "set", "clear", "-". */
static void lock_state(const struct telemetry_lock *lk, char *buf, size_t len)
{
	bool held = lk->holder_count > 0 || lk->n_holders > 0;
	switch (lk->kind) {
	case CM_LOCK_SEMAPHORE:
		snprintf(buf, len, "%u/%u used", lk->holder_count, lk->permits);
		break;
	case CM_LOCK_RECURSIVE:
		if (held)
			snprintf(buf, len, "depth %u", lk->depth);
		else
			snprintf(buf, len, "free");
		break;
	case CM_LOCK_EVENT:
		snprintf(buf, len, "%s", lk->value ? "set" : "clear");
		break;
	case CM_LOCK_CONDITION:
		snprintf(buf, len, "-");
		break;
	default:
		snprintf(buf, len, "%s", held ? "held" : "free");
		break;
	}
}

static void lock_ms(char *buf, size_t len, bool known, uint64_t ns)
{
	double ms = (double)ns / 1e6;
	if (!known)
		snprintf(buf, len, "-");
	else if (ms < 1)
		snprintf(buf, len, "%.2f", ms);
	else if (ms < 1000)
		snprintf(buf, len, "%.1f", ms);
	else
		snprintf(buf, len, "%.0f", ms);
}

static void lock_right(int y, int x, int w, const char *s, attr_t a)
{
	int sw = text_width(s);
	text_put(y, x + (sw < w ? w - sw : 0), s, w, a);
}

static void lock_head(const struct tui *t, const struct telemetry_snapshot *s, int y, int rows)
{
	attr_t a = t->attr[UI_HEADER];
	text_put(y, LC_NAME, "LOCK", LOCK_NAME_W, a);
	text_put(y, LC_KIND, "KIND", 10, a);
	text_put(y, LC_STATE, "STATE", 12, a);
	lock_right(y, LC_WAIT, 4, "WAIT", a);
	lock_right(y, LC_CONT, 5, "CONT%", a);
	lock_right(y, LC_AVG, 7, "AVG ms", a);
	lock_right(y, LC_MAX, 7, "MAX ms", a);
	int x = LC_WHO + text_put(y, LC_WHO, "HOLDERS / WAITING", text_cols(), a);
	if ((size_t)rows < s->n_locks) {
		char more[32];
		snprintf(more, sizeof more, "+%zu more", s->n_locks - (size_t)rows);
		int w = text_width(more);
		if (text_cols() - w > x + 2)
			text_put(y, text_cols() - w, more, w, t->attr[UI_GREY]);
	}
}

/* Draws lock i on y and, when split, its waiters on y + 1. */
static void lock_line(const struct tui *t, const struct telemetry_snapshot *s, size_t i, int y,
		      bool split, uint64_t now_ns)
{
	const struct telemetry_lock *lk = &s->locks[i];
	char buf[LOCK_WHO_MAX], waiting[LOCK_WHO_MAX];
	bool contended = lock_exclusive(lk->kind) && lk->waiters > 0;
	bool stuck = contended && lock_holder_waits(s, lk);
	attr_t hot = stuck ? t->attr[UI_ERROR] : contended ? t->attr[UI_STOP] : A_NORMAL;
	text_put(y, 0, stuck ? "!" : contended ? "*" : " ", 1, hot);
	text_put(y, LC_NAME, lk->name, LOCK_NAME_W, hot);
	text_put(y, LC_KIND, lock_kind_name(lk->kind), 9, A_NORMAL);
	lock_state(lk, buf, sizeof buf);
	text_put(y, LC_STATE, buf, 11, A_NORMAL);
	snprintf(buf, sizeof buf, "%u", lk->waiters);
	lock_right(y, LC_WAIT, 4, buf, lk->waiters ? hot : A_NORMAL);
	if (lk->acquisitions)
		snprintf(buf, sizeof buf, "%.0f",
			 100.0 * (double)lk->contended / (double)lk->acquisitions);
	else
		snprintf(buf, sizeof buf, "-");
	lock_right(y, LC_CONT, 5, buf, A_NORMAL);
	/* The average over the acquisitions that had to wait: what waiting
	 * costs when it happens (conditions and events: over every wait). */
	uint64_t waits = lock_exclusive(lk->kind) ? lk->contended : lk->acquisitions;
	lock_ms(buf, sizeof buf, waits > 0, waits ? lk->wait_ns_total / waits : 0);
	lock_right(y, LC_AVG, 7, buf, A_NORMAL);
	lock_ms(buf, sizeof buf, waits > 0, lk->wait_ns_max);
	lock_right(y, LC_MAX, 7, buf, A_NORMAL);
	lock_holders(s, lk, buf, sizeof buf);
	int x = LC_WHO + text_put(y, LC_WHO, buf, text_cols(), stuck ? hot : A_NORMAL);
	lock_waiters(s, i, now_ns, waiting, sizeof waiting);
	if (split)
		text_put(y + 1, LC_NAME + 2, waiting, text_cols(), contended ? hot : A_NORMAL);
	else if (waiting[0])
		text_put(y, x + (x > LC_WHO ? 2 : 0), waiting, text_cols(), contended ? hot : A_NORMAL);
}

int panels_lock_lines(const struct tui *t, const struct telemetry_snapshot *s, int y, int lines)
{
	uint64_t now = lock_now_ns();
	/* Plan first: the header says how many locks did not fit. */
	size_t shown = 0;
	int used = 0;
	while (shown < s->n_locks && used < lines) {
		used += 1 + (used + 2 <= lines && lock_split(s, shown, now));
		shown++;
	}
	lock_head(t, s, y, (int)shown);
	int row = y + 1;
	for (size_t i = 0; i < shown; i++) {
		bool split = row + 2 <= y + 1 + lines && lock_split(s, i, now);
		lock_line(t, s, i, row, split, now);
		row += 1 + split;
	}
	return row - y;
}
