/* logpane.c - the lifecycle event log pane (e): every event of the
 * supervised tree with a millisecond timestamp, newest at the bottom,
 * following the end unless scrolled back; filtered by PID (#) or following
 * the selected task (f). The pane keeps its own copy of the newest events
 * so that it can filter and scroll without asking the model each time. */
#include "logpane.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "model/events.h"
#include "report/report.h"
#include "text.h"
#include "tui_state.h"
#include "util/escape.h"
#include "util/util.h"
#include "view.h"

#define LOG_PULL 256

struct logpane {
	struct event *ring;             /* a copy of the newest events */
	size_t n, head;                 /* count, index of the oldest */
	uint64_t last;                  /* newest seq copied */
	size_t *idx;                    /* the filtered positions, by logpane_count */
	pid_t pid;                      /* filter: events of this PID; 0 all */
	bool follow;                    /* f: pid tracks the selected task */
	uint64_t anchor;                /* seq of the newest line shown; 0 follows */
};

struct logpane *logpane_new(void)
{
	return xcalloc(1, sizeof(struct logpane));
}

void logpane_free(struct logpane *l)
{
	if (!l)
		return;
	free(l->ring);
	free(l->idx);
	free(l);
}

/* Copies the events that are new in the model's log. */
static void logpane_pull(struct tui *t)
{
	struct logpane *l = t->logpane;
	if (!t->events)
		return;
	if (!l->ring) {
		l->ring = xcalloc(LOGPANE_KEEP, sizeof *l->ring);
		l->idx = xcalloc(LOGPANE_KEEP, sizeof *l->idx);
	}
	struct event buf[LOG_PULL];
	size_t got;
	while ((got = events_since(t->events, l->last, buf, LOG_PULL)) > 0) {
		for (size_t i = 0; i < got; i++) {
			size_t at = (l->head + l->n) % LOGPANE_KEEP;
			l->ring[at] = buf[i];
			if (l->n < LOGPANE_KEEP)
				l->n++;
			else
				l->head = (l->head + 1) % LOGPANE_KEEP;
		}
		l->last = buf[got - 1].seq;
	}
}

static const struct event *logpane_at(const struct logpane *l, size_t i)
{
	return &l->ring[(l->head + i) % LOGPANE_KEEP];
}

/* An event concerns pid when pid is its process, its thread, or the other
 * party (the parent of a spawn, the reaper, the former parent). */
static bool logpane_match(const struct event *e, pid_t pid)
{
	return pid <= 0 || e->pid == pid || e->tid == pid || e->other == pid;
}

static pid_t logpane_filter_pid(const struct tui *t)
{
	if (t->logpane->follow) {
		const struct task *k = view_selected(t);
		return k ? k->pid : -1;
	}
	return t->logpane->pid;
}

/* The lines after the filter; fills idx. */
static size_t logpane_count(struct tui *t)
{
	struct logpane *l = t->logpane;
	logpane_pull(t);
	pid_t pid = logpane_filter_pid(t);
	size_t n = 0;
	for (size_t i = 0; i < l->n; i++)
		if (pid >= 0 && logpane_match(logpane_at(l, i), pid))
			l->idx[n++] = i;
	return n;
}

static uint64_t logpane_seq(const void *ctx, size_t i)
{
	const struct logpane *l = ctx;
	return logpane_at(l, l->idx[i])->seq;
}

/* How each kind of event is coloured: what went wrong stands out. */
static const enum ui_color logpane_colors[EV_KIND_COUNT] = {
	[EV_SPAWNED] = UI_RUN,     [EV_THREAD] = UI_THREAD, [EV_EXEC] = UI_RUN,
	[EV_EXITED] = UI_NORMAL,   [EV_KILLED] = UI_ERROR,  [EV_ZOMBIE] = UI_ZOMBIE,
	[EV_REAPED] = UI_NORMAL,   [EV_REPARENTED] = UI_ORPHAN, [EV_STOPPED] = UI_STOP,
	[EV_CONTINUED] = UI_RUN,   [EV_SIGNAL] = UI_HEADER_MODE,
};

static void logpane_title(const struct tui *t, int y, size_t shown, bool back, bool focused)
{
	char title[128];
	pid_t pid = logpane_filter_pid(t);
	int n = snprintf(title, sizeof title, " Events");
	if (t->logpane->follow && pid > 0)
		n += snprintf(title + n, sizeof title - (size_t)n, " of PID %d (following, f stops)",
			      (int)pid);
	else if (pid > 0)
		n += snprintf(title + n, sizeof title - (size_t)n, " of PID %d (# 0 shows all)",
			      (int)pid);
	n += snprintf(title + n, sizeof title - (size_t)n, ": %zu", shown);
	if (back)
		snprintf(title + n, sizeof title - (size_t)n, ", scrolled back (End follows)");
	panes_title(t, y, title, focused ? "Up/Down/PgUp/PgDn scroll  Tab next  e hides " :
		    "f follows row  # PID  Tab scrolls  e hides ", focused);
}

static void logpane_draw(struct tui *t, int y, int height, bool focused)
{
	const struct logpane *l = t->logpane;
	size_t n = logpane_count(t);
	size_t bottom = panes_anchor_bottom(l->anchor, n, logpane_seq, l);
	int rows = height - 1;
	logpane_title(t, y, n, n && bottom + 1 < n, focused);
	if (n == 0) {
		text_put(y + 1, 1, t->events ? "no events yet" : "no event log", COLS - 1,
			 t->attr[UI_GREY]);
		return;
	}
	/* Newest at the bottom: when there are fewer lines than rows, they
	 * sit at the bottom of the pane, like a terminal. */
	size_t first = panes_window(n, bottom, rows);
	int used = (int)(bottom + 1 - first);
	char line[256], safe[4 * sizeof line + 1];
	for (int r = 0; r < used; r++) {
		const struct event *e = logpane_at(l, l->idx[first + (size_t)r]);
		events_describe(e, line, sizeof line);
		escape_text(line, safe, sizeof safe);
		enum ui_color c = e->kind < EV_KIND_COUNT ? logpane_colors[e->kind] : UI_NORMAL;
		text_put(y + 1 + rows - used + r, 1, safe, COLS - 1, t->attr[c]);
	}
}

static int logpane_want(const struct tui *t, int room)
{
	(void)room;
	return panes_want_lines(t);
}

static void logpane_scroll(struct tui *t, int how, int page)
{
	struct logpane *l = t->logpane;
	size_t n = logpane_count(t);
	l->anchor = panes_anchor_scroll(l->anchor, n, how, page, logpane_seq, l);
}

const struct pane_ops logpane_ops = {
	.name = "event log",
	.squeeze = true,
	.want = logpane_want,
	.draw = logpane_draw,
	.scroll_by = logpane_scroll,
};

enum tui_reaction logpane_follow(struct tui *t)
{
	struct logpane *l = t->logpane;
	l->follow = !l->follow;
	l->anchor = 0;
	panes_open(t, &logpane_ops);
	const struct task *k = view_selected(t);
	if (l->follow)
		tui_message(t, false, "the log follows the selected task%s",
			    k ? "" : " (none selected)");
	else
		tui_message(t, false, "the log no longer follows the selection");
	return TUI_REDRAW;
}

bool logpane_set_pid(struct tui *t, const char *text)
{
	struct logpane *l = t->logpane;
	char *end = NULL;
	while (*text == ' ')
		text++;
	long v = *text ? strtol(text, &end, 10) : 0;
	if (*text && (!end || *end != '\0' || v < 0 || v > 0x3fffffff)) {
		tui_message(t, true, "not a PID: \"%s\"", text);
		return false;
	}
	l->pid = (pid_t)v;
	l->follow = false;
	l->anchor = 0;
	panes_open(t, &logpane_ops);
	if (v)
		tui_message(t, false, "the log shows the events of PID %ld", v);
	else
		tui_message(t, false, "the log shows every event");
	return true;
}
