/* panels.c - the telemetry panels (queues and values here; knobs in
 * panels_knobs.c, locks in panels_locks.c) of the program the selected task
 * belongs to: which program that is, how many lines each part gets, and the
 * queue lines.
 *
 * The panels are a bottom pane that never squeezes the table below
 * PANES_MIN_TASK_ROWS rows; when lines are short the parts are granted in
 * the order a student needs them: the title, the knobs (to act) and values
 * (the lesson's numbers), one queue and one lock, then the rest. */
#include "panels.h"

#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "panels_knobs.h"
#include "panels_locks.h"
#include "spark.h"
#include "text.h"
#include "tui_state.h"
#include "util/util.h"
#include "view.h"

/* Queue history is kept this long after its last sample (a minute shown,
 * and a program lingers a few seconds after it ends). */
#define PANELS_HIST_AGE (SPARK_SPAN + 10.0)
/* Ancestors followed from the selected task to its program. */
#define PANELS_MAX_DEPTH 64
#define PANELS_NAME_W 14
#define PANELS_SPARK_MIN 8
#define PANELS_SPARK_MAX 60
#define PANELS_VALUES_LABEL "VALUES "
#define PANELS_GAP 2

struct panels {
	struct spark_set hist;          /* queue histories */
	/* After a launch: select the new program's row once it shows up. */
	bool want_new;
	pid_t prev_last;                /* the newest program before the launch, 0 if none */
	int want_tries;
};

/* Lines granted to each part of the panels. */
struct layout {
	const struct program *pr;
	const struct telemetry_snapshot *s;  /* NULL: only the error line */
	bool error;
	int qrows, lrows, klines, vlines;
	bool qhead, lhead;
	int total;
};

struct panels *panels_new(void)
{
	return xcalloc(1, sizeof(struct panels));
}

void panels_free(struct panels *p)
{
	if (!p)
		return;
	spark_set_free(&p->hist);
	free(p);
}

static const struct telemetry_snapshot *panels_snap(const struct program *pr)
{
	return pr->snap && pr->snap->attaches > 0 ? pr->snap : NULL;
}

/* A corrupt segment is always worth saying; "no telemetry" only for a demo,
 * which should have had some (a plain command usually has no probe). */
static bool panels_show_error(const struct program *pr)
{
	if (!pr->error[0])
		return false;
	return strncmp(pr->error, "corrupt", 7) == 0 || pr->demo != NULL;
}

static bool panels_has_telemetry(const struct program *pr)
{
	return panels_snap(pr) || panels_show_error(pr);
}

static const struct program *panels_find_program(const struct tui *t, pid_t pid)
{
	size_t n;
	const struct program *progs = tui_programs(t, &n);
	for (size_t i = 0; i < n; i++)
		if (progs[i].pid == pid)
			return &progs[i];
	return NULL;
}

/* The process row of pid; a live one over an exited one with the same PID. */
static const struct task *panels_find_process(const struct tui *t, pid_t pid)
{
	const struct task *found = NULL;
	for (size_t i = 0; i < t->ntasks; i++) {
		const struct task *k = &t->tasks[i];
		if (k->tid == pid && (!found || found->exited))
			found = k;
	}
	return found;
}

const struct program *panels_owner(const struct tui *t)
{
	size_t n;
	if (!tui_programs(t, &n))
		return NULL;
	const struct task *k = view_selected(t);
	pid_t pid = k ? k->pid : 0;
	for (int depth = 0; pid > 0 && depth < PANELS_MAX_DEPTH; depth++) {
		const struct program *pr = panels_find_program(t, pid);
		if (pr)
			return pr;
		const struct task *p = panels_find_process(t, pid);
		if (!p)
			break;
		/* An adopted orphan still belongs to the program it left. */
		pid_t next = p->orphan && p->former_ppid > 0 ? p->former_ppid : p->ppid;
		if (next == pid)
			break;
		pid = next;
	}
	return NULL;
}

const struct program *panels_program(const struct tui *t)
{
	const struct program *pr = panels_owner(t);
	size_t n;
	const struct program *progs = tui_programs(t, &n);
	if (pr || !progs)
		return pr;
	const struct program *only = NULL;
	for (size_t i = 0; i < n; i++) {
		if (!panels_has_telemetry(&progs[i]))
			continue;
		if (only)
			return NULL;
		only = &progs[i];
	}
	return only;
}

/* Selects the row of the program launched last, once it is in the table. */
static void panels_select_new(struct tui *t)
{
	struct panels *p = t->panels;
	size_t n;
	const struct program *progs = tui_programs(t, &n);
	if (!p->want_new || n == 0)
		return;
	pid_t pid = progs[n - 1].pid;
	if (pid == p->prev_last) {
		if (++p->want_tries > 10)
			p->want_new = false;
		return;
	}
	for (size_t i = 0; i < t->nrows; i++) {
		if (t->rows[i].task && t->rows[i].task->tid == pid) {
			view_select(t, i);
			p->want_new = false;
			return;
		}
	}
	if (++p->want_tries > 10)
		p->want_new = false;
}

void panels_published(struct tui *t)
{
	struct panels *p = t->panels;
	size_t n;
	const struct program *progs = tui_programs(t, &n);
	double now = util_now();
	for (size_t i = 0; i < n; i++) {
		const struct telemetry_snapshot *s = panels_snap(&progs[i]);
		if (!s || progs[i].ended)
			continue;
		for (size_t q = 0; q < s->n_queues; q++) {
			const struct telemetry_queue *tq = &s->queues[q];
			struct spark *h = spark_find(&p->hist, progs[i].pid, tq->slot, tq->name, true);
			spark_add(h, now, tq->capacity, tq->depth, tq->puts, tq->gets);
		}
	}
	spark_prune(&p->hist, now, PANELS_HIST_AGE);
	panels_select_new(t);
}

void panels_launching(struct tui *t)
{
	struct panels *p = t->panels;
	size_t n;
	const struct program *progs = tui_programs(t, &n);
	p->want_new = true;
	p->want_tries = 0;
	p->prev_last = n ? progs[n - 1].pid : 0;
}

void panels_launch_failed(struct tui *t)
{
	t->panels->want_new = false;
}

/* Gives up to want lines (all or nothing when whole) out of *left. */
static int panels_take(int *left, int want, bool whole)
{
	if (want <= 0 || *left <= 0 || (whole && want > *left))
		return 0;
	int got = want < *left ? want : *left;
	*left -= got;
	return got;
}

/* Grants the parts at most avail lines. False when there is nothing to show. */
static bool panels_layout(const struct tui *t, int avail, struct layout *L)
{
	memset(L, 0, sizeof *L);
	if (!(L->pr = panels_program(t)))
		return false;
	L->s = panels_snap(L->pr);
	L->error = panels_show_error(L->pr);
	if (!L->s && !L->error)
		return false;
	if (avail < 2)
		return false;
	int left = avail - 1;      /* the title */
	if (L->error)
		panels_take(&left, 1, true);
	const struct telemetry_snapshot *s = L->s;
	if (s) {
		int kneed = s->n_knobs ? panels_knob_lines(t, L->pr, 0, INT_MAX, false) : 0;
		L->klines = panels_take(&left, kneed ? 1 : 0, true);
		L->vlines = panels_take(&left, s->n_values ? 1 : 0, true);
		if (s->n_queues && panels_take(&left, 2, true)) {
			L->qhead = true;
			L->qrows = 1;
		}
		if (s->n_locks && panels_take(&left, 2, true)) {
			L->lhead = true;
			L->lrows = 1;
		}
		L->klines += panels_take(&left, kneed - L->klines, false);
		if (L->qhead)
			L->qrows += panels_take(&left, (int)s->n_queues - L->qrows, false);
		if (L->lhead)
			L->lrows += panels_take(&left, panels_lock_need(s) - L->lrows, false);
	}
	L->total = avail - left;
	return true;
}

static int panels_want(const struct tui *t, int room)
{
	struct layout L;
	return panels_layout(t, room, &L) ? L.total : 0;
}

static void plural(char *buf, size_t len, size_t n, const char *what)
{
	snprintf(buf, len, "%zu %s%s", n, what, n == 1 ? "" : "s");
}

/* True when a probe or traced program's snapshot also holds inferred records. */
static bool panels_also_inferred(const struct program *pr)
{
	const struct telemetry_snapshot *s = pr->snap;
	if (!s || !pr->sight || strcmp(pr->sight, "inferred") == 0)
		return false;
	for (size_t i = 0; i < s->n_locks; i++)
		if (s->locks[i].source == TEL_INFERRED)
			return true;
	for (size_t i = 0; i < s->n_queues; i++)
		if (s->queues[i].source == TEL_INFERRED)
			return true;
	return false;
}

static void panels_draw_title(const struct tui *t, const struct layout *L, int y)
{
	const struct program *pr = L->pr;
	attr_t a = t->attr[UI_TITLE];
	char buf[TUI_TEXT_MAX], q[32], l[32], th[32];
	text_fill(y, 0, text_cols(), a);
	snprintf(buf, sizeof buf, " %d %s%s", (int)pr->pid, pr->demo ? pr->demo : pr->name,
		 pr->ended ? " (ended)" : "");
	int x = text_put(y, 0, buf, text_cols() / 2 > 20 ? text_cols() / 2 : text_cols(), a | A_BOLD);
	if (L->s) {
		plural(q, sizeof q, L->s->n_queues, "queue");
		plural(l, sizeof l, L->s->n_locks, "lock");
		plural(th, sizeof th, L->s->n_threads, "thread");
		snprintf(buf, sizeof buf, "  %s%s: %s, %s, %s", pr->sight ? pr->sight : "telemetry",
			 panels_also_inferred(pr) ? "+inferred" : "", q, l, th);
		x += text_put(y, x, buf, text_cols() - x, a);
	}
	const char *hint = L->s && L->s->n_knobs ? "[ ] knob  + - change  p hides " : "p hides ";
	int w = text_width(hint);
	if (text_cols() - w > x + 2)
		text_put(y, text_cols() - w, hint, w, a);
}

/* "12.5", "340", or "-" when unknown. */
static void panels_num(char *buf, size_t len, bool known, double v)
{
	if (!known)
		snprintf(buf, len, "-");
	else if (v < 100)
		snprintf(buf, len, "%.1f", v);
	else
		snprintf(buf, len, "%.0f", v);
}

/* Column positions of the queue lines for this width. */
struct qcols {
	int name, bar, num, spark, sw, put, get, blocked;
};

#define QBAR_W 10

static struct qcols panels_qcols(void)
{
	struct qcols c;
	c.name = 1;
	c.bar = c.name + PANELS_NAME_W + 1;
	c.num = c.bar + QBAR_W + 2;
	c.spark = c.num + 10;
	int tail = 8 + 8 + 16;        /* put/s, get/s, blocked */
	c.sw = text_cols() - c.spark - 1 - tail;
	if (c.sw > PANELS_SPARK_MAX)
		c.sw = PANELS_SPARK_MAX;
	if (c.sw < PANELS_SPARK_MIN)
		c.sw = 0;
	c.put = c.spark + (c.sw ? c.sw + 1 : 0);
	c.get = c.put + 8;
	c.blocked = c.get + 9;
	return c;
}

static void panels_right(int y, int x, int w, const char *s, attr_t a)
{
	int sw = text_width(s);
	text_put(y, x + (sw < w ? w - sw : 0), s, w, a);
}

static void panels_queue_head(const struct tui *t, const struct layout *L, int y)
{
	struct qcols c = panels_qcols();
	attr_t a = t->attr[UI_HEADER];
	text_put(y, c.name, "QUEUE", PANELS_NAME_W, a);
	text_put(y, c.bar, "DEPTH/CAPACITY", c.spark - c.bar, a);
	if (c.sw)
		text_put(y, c.spark, "LAST 60s", c.sw, a);
	panels_right(y, c.put, 7, "PUT/s", a);
	panels_right(y, c.get, 7, "GET/s", a);
	text_put(y, c.blocked, "BLOCKED", text_cols(), a);
	if ((size_t)L->qrows < L->s->n_queues) {
		char more[32];
		snprintf(more, sizeof more, "+%zu more", L->s->n_queues - (size_t)L->qrows);
		int w = text_width(more);
		if (text_cols() - w > c.blocked + 10)
			text_put(y, text_cols() - w, more, w, t->attr[UI_GREY]);
	}
}

/* "3/8" items or messages; bytes of a pipe or socket as "64K/64K". */
static void panels_depth(const struct telemetry_queue *q, char *buf, size_t len)
{
	if (q->kind == TEL_QUEUE_ITEMS || q->kind == TEL_QUEUE_MQUEUE) {
		snprintf(buf, len, "%llu/%llu", (unsigned long long)q->depth,
			 (unsigned long long)q->capacity);
		return;
	}
	char d[16], c[16];
	text_human_kb((unsigned long)(q->depth / 1024), d, sizeof d);
	text_human_kb((unsigned long)(q->capacity / 1024), c, sizeof c);
	if (q->depth < 1024)
		snprintf(d, sizeof d, "%lluB", (unsigned long long)q->depth);
	snprintf(buf, len, "%s/%s", d, c);
}

/* A kernel queue's ends: "pipe 311->312", "unix 400->?", from the inferred layer. */
static void panels_kernel_ends(const struct telemetry_queue *q, char *buf, size_t len)
{
	static const char *const kinds[] = {
		[TEL_QUEUE_PIPE] = "pipe", [TEL_QUEUE_UNIX] = "unix", [TEL_QUEUE_TCP] = "tcp",
		[TEL_QUEUE_MQUEUE] = "mqueue",
	};
	const char *k = (size_t)q->kind < sizeof kinds / sizeof *kinds && kinds[q->kind] ? kinds[q->kind]
		: "kernel";
	char r[16] = "?";
	if (q->reader > 0)
		snprintf(r, sizeof r, "%d", (int)q->reader);
	snprintf(buf, len, "%s %d->%s (inferred)", k, (int)q->pid, r);
}

static void panels_queue_line(const struct tui *t, const struct layout *L, size_t i, int y)
{
	const struct telemetry_queue *q = &L->s->queues[i];
	struct qcols c = panels_qcols();
	bool full = q->depth >= q->capacity;
	char buf[PANELS_SPARK_MAX * 4 + 8], fill[QBAR_W * 4], empty[QBAR_W * 4];
	text_put(y, c.name, q->name, PANELS_NAME_W, A_NORMAL);
	spark_bar(q->depth, q->capacity, QBAR_W, t->utf8, fill, empty, sizeof fill);
	int x = c.bar + text_put(y, c.bar, "[", 1, A_NORMAL);
	x += text_put(y, x, fill, QBAR_W, t->attr[full ? UI_STOP : UI_RUN]);
	x += text_put(y, x, empty, QBAR_W, t->attr[UI_GREY]);
	text_put(y, x, "]", 1, A_NORMAL);
	panels_depth(q, buf, sizeof buf);
	panels_right(y, c.num, 9, buf, full ? t->attr[UI_STOP] : A_NORMAL);
	const struct spark *h = spark_lookup(&t->panels->hist, L->pr->pid, q->slot, q->name);
	double put = 0, get = 0;
	bool rated = h && spark_rates(h, &put, &get);
	if (c.sw && h) {
		spark_line(h, c.sw, t->utf8, buf, sizeof buf);
		text_put(y, c.spark, buf, c.sw, t->attr[UI_THREAD]);
	}
	panels_num(buf, sizeof buf, rated, put);
	panels_right(y, c.put, 7, buf, A_NORMAL);
	panels_num(buf, sizeof buf, rated, get);
	panels_right(y, c.get, 7, buf, A_NORMAL);
	if (q->kind != TEL_QUEUE_ITEMS)
		panels_kernel_ends(q, buf, sizeof buf);
	else
		snprintf(buf, sizeof buf, "%u put %u get%s", q->blocked_put, q->blocked_get,
			 q->closed ? "  closed" : "");
	attr_t ba = q->blocked_put || q->blocked_get ? t->attr[UI_STOP] : A_NORMAL;
	text_put(y, c.blocked, buf, text_cols(), q->closed ? t->attr[UI_GREY] : ba);
}

/* The published values ("expected 400000  actual 391234") on y. */
static void panels_values_line(const struct tui *t, const struct telemetry_snapshot *s, int y)
{
	int x = 1 + text_put(y, 1, PANELS_VALUES_LABEL, text_cols(), t->attr[UI_HEADER]);
	char item[CM_NAME_MAX + 32];
	for (size_t i = 0; i < s->n_values && x < text_cols(); i++) {
		x += text_put(y, x, s->values[i].name, text_cols() - x, A_NORMAL);
		snprintf(item, sizeof item, " %ld", s->values[i].value);
		x += text_put(y, x, item, text_cols() - x, A_BOLD);
		x += PANELS_GAP;
	}
}

static void panels_draw(struct tui *t, int y, int height, bool focused)
{
	(void)focused;          /* nothing to scroll: never focused */
	struct layout L;
	if (height <= 0 || !panels_layout(t, height, &L))
		return;
	int end = y + (height < L.total ? height : L.total);
	panels_draw_title(t, &L, y++);
	if (L.error && y < end)
		text_put(y++, 1, L.pr->error, text_cols() - 1, t->attr[UI_ERROR]);
	if (!L.s)
		return;
	if (L.qhead && y < end) {
		panels_queue_head(t, &L, y++);
		for (int i = 0; i < L.qrows && y < end; i++)
			panels_queue_line(t, &L, (size_t)i, y++);
	}
	if (L.lhead && y < end) {
		int n = L.lrows < end - y - 1 ? L.lrows : end - y - 1;
		y += panels_lock_lines(t, L.s, y, n);
	}
	if (L.klines && y < end)
		y += panels_knob_lines(t, L.pr, y, L.klines < end - y ? L.klines : end - y, true);
	if (L.vlines && y < end)
		panels_values_line(t, L.s, y);
}

const struct pane_ops panels_ops = {
	.name = "telemetry panels",
	.want = panels_want,
	.draw = panels_draw,
};

enum tui_reaction panels_toggle(struct tui *t)
{
	const struct program *pr = panels_program(t);
	if (!panes_switch(t, &panels_ops))
		tui_message(t, false, "p: telemetry panels hidden (p shows them)");
	else if (panes_lines_of(t, &panels_ops) > 0)
		tui_message(t, false, "p: telemetry panels shown (p hides them)");
	else if (pr && panels_has_telemetry(pr))
		tui_message(t, false, "p: telemetry panels on, but the terminal has no room for them "
			    "(close a pane, or ( shrinks the focused one)");
	else if (pr)
		tui_message(t, false, "p: panels on, but no telemetry for this program (PID %d): it has "
			    "no probe; they show when you select one that has", (int)pr->pid);
	else
		tui_message(t, false, "p: panels on, but the selected task belongs to no launched "
			    "program: no telemetry (F2 launches a demo that has some)");
	return TUI_REDRAW;
}
