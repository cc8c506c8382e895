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
#include "timectl.h"
#include "tui_state.h"
#include "util/escape.h"
#include "util/util.h"
#include "view.h"

#define LOG_PULL 256

struct logpane {
	struct event *ring;             /* a copy of the newest events */
	size_t n;                       /* how many it holds */
	uint64_t total;                 /* events ever copied: the k-th is at ring[k % KEEP] */
	uint64_t last;                  /* newest seq copied */
	/* The filter's matches as positions k (a ring, oldest first): new
	 * events extend it, so a frame never scans the whole copy. */
	uint64_t *idx;
	size_t ni, ihead;
	pid_t idx_pid;                  /* the filter idx was built for */
	bool idx_valid;
	pid_t pid;                      /* filter: events of this PID; 0 all */
	bool follow;                    /* f: pid tracks the selected task */
	uint64_t anchor;                /* seq of the newest line shown; 0 follows */
	char find[LOGPANE_FIND_MAX];    /* the search (/ in the focused pane) */
	uint64_t find_hit;              /* seq of the matching line shown, 0 none */
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

/* An event concerns pid when pid is its process, its thread, or the other
 * party (the parent of a spawn, the reaper, the former parent). */
static bool logpane_match(const struct event *e, pid_t pid)
{
	return pid == 0 || (pid > 0 && (e->pid == pid || e->tid == pid || e->other == pid));
}

/* Drops the matches whose events the copy no longer holds. */
static void logpane_trim(struct logpane *l)
{
	uint64_t oldest = l->total - l->n;
	while (l->ni && l->idx[l->ihead] < oldest) {
		l->ihead = (l->ihead + 1) % LOGPANE_KEEP;
		l->ni--;
	}
}

static void logpane_index(struct logpane *l, uint64_t pos)
{
	l->idx[(l->ihead + l->ni++) % LOGPANE_KEEP] = pos;
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
		uint64_t upto = timectl_event_limit(t);
		for (size_t i = 0; i < got; i++) {
			if (buf[i].seq > upto)
				return; /* frozen: shown when stepped or thawed */
			uint64_t pos = l->total++;
			l->ring[pos % LOGPANE_KEEP] = buf[i];
			if (l->n < LOGPANE_KEEP)
				l->n++;
			logpane_trim(l);
			if (l->idx_valid && logpane_match(&buf[i], l->idx_pid))
				logpane_index(l, pos);
			l->last = buf[i].seq;
		}
	}
}

/* The i-th line after the filter. */
static const struct event *logpane_line(const struct logpane *l, size_t i)
{
	return &l->ring[l->idx[(l->ihead + i) % LOGPANE_KEEP] % LOGPANE_KEEP];
}

static pid_t logpane_filter_pid(const struct tui *t)
{
	if (t->logpane->follow) {
		const struct task *k = view_selected(t);
		return k ? k->pid : -1;
	}
	return t->logpane->pid;
}

/* The lines after the filter: the index is rebuilt only when the filter
 * changed, else extended by what is new. */
static size_t logpane_count(struct tui *t)
{
	struct logpane *l = t->logpane;
	pid_t pid = logpane_filter_pid(t);
	if (pid != l->idx_pid)
		l->idx_valid = false;
	logpane_pull(t);
	if (!l->idx_valid && l->ring) {
		l->ni = l->ihead = 0;
		for (uint64_t pos = l->total - l->n; pos < l->total; pos++)
			if (logpane_match(&l->ring[pos % LOGPANE_KEEP], pid))
				logpane_index(l, pos);
		l->idx_pid = pid;
		l->idx_valid = true;
	}
	return l->ni;
}

static uint64_t logpane_seq(const void *ctx, size_t i)
{
	return logpane_line(ctx, i)->seq;
}

/* How each kind of event is coloured: what went wrong stands out. */
static const enum ui_color logpane_colors[EV_KIND_COUNT] = {
	[EV_SPAWNED] = UI_RUN,     [EV_THREAD] = UI_THREAD, [EV_EXEC] = UI_RUN,
	[EV_EXITED] = UI_NORMAL,   [EV_KILLED] = UI_ERROR,  [EV_ZOMBIE] = UI_ZOMBIE,
	[EV_REAPED] = UI_NORMAL,   [EV_REPARENTED] = UI_ORPHAN, [EV_STOPPED] = UI_STOP,
	[EV_CONTINUED] = UI_RUN,   [EV_SIGNAL] = UI_HEADER_MODE,
	[EV_RESTARTED] = UI_RUN,
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
	panes_title(t, y, title, focused ? "PgUp/PgDn scroll  / find  n N  Tab next  e hides " :
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
		text_put(y + 1, 1, t->events ? "no events yet" : "no event log", text_cols() - 1,
			 t->attr[UI_GREY]);
		return;
	}
	/* Newest at the bottom: when there are fewer lines than rows, they
	 * sit at the bottom of the pane, like a terminal. */
	size_t first = panes_window(n, bottom, rows);
	int used = (int)(bottom + 1 - first);
	char line[256], safe[4 * sizeof line + 1];
	for (int r = 0; r < used; r++) {
		const struct event *e = logpane_line(l, first + (size_t)r);
		events_describe(e, line, sizeof line);
		escape_text(line, safe, sizeof safe);
		enum ui_color c = e->kind < EV_KIND_COUNT ? logpane_colors[e->kind] : UI_NORMAL;
		attr_t a = e->seq == l->find_hit ? t->attr[UI_MENU_SEL] : t->attr[c];
		if (e->seq == l->find_hit)
			text_fill(y + 1 + rows - used + r, 1, text_cols() - 1, a);
		text_put(y + 1 + rows - used + r, 1, safe, text_cols() - 1, a);
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

const char *logpane_find_text(const struct tui *t)
{
	return t->logpane->find;
}

/* Looks for the search text from line from in direction dir (-1 older,
 * +1 newer), without wrapping; the match becomes the bottom line. */
static bool logpane_find_from(struct tui *t, size_t n, long from, int dir)
{
	struct logpane *l = t->logpane;
	char line[256];
	for (long i = from; i >= 0 && i < (long)n; i += dir) {
		const struct event *e = logpane_line(l, (size_t)i);
		events_describe(e, line, sizeof line);
		if (strcasestr(line, l->find)) {
			l->find_hit = e->seq;
			l->anchor = panes_anchor_at(n, (size_t)i, logpane_seq, l);
			return true;
		}
	}
	return false;
}

void logpane_find(struct tui *t, const char *text)
{
	struct logpane *l = t->logpane;
	snprintf(l->find, sizeof l->find, "%s", text);
	l->find_hit = 0;
	if (!text[0])
		return;
	size_t n = logpane_count(t);
	if (n == 0 || !logpane_find_from(t, n, (long)panes_anchor_bottom(l->anchor, n, logpane_seq, l), -1))
		tui_message(t, true, "no event contains \"%s\"", text);
}

void logpane_find_next(struct tui *t, int dir)
{
	struct logpane *l = t->logpane;
	if (!l->find[0]) {
		tui_message(t, true, "nothing to find: press / first");
		return;
	}
	size_t n = logpane_count(t);
	long from = n ? (long)panes_anchor_bottom(l->anchor, n, logpane_seq, l) + (dir > 0 ? -1 : 1) : 0;
	if (n == 0 || !logpane_find_from(t, n, from, dir > 0 ? -1 : 1))
		tui_message(t, true, "no %s event contains \"%s\"", dir > 0 ? "older" : "newer", l->find);
}
