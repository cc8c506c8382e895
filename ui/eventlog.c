/* eventlog.c - the lifecycle event log pane (e): every event of the
 * supervised tree with a millisecond timestamp, newest at the bottom,
 * following the end unless scrolled back; filtered by PID (#) or following
 * the selected task (f). The view keeps its own copy of the newest events
 * so that it can filter and scroll without asking the model each time. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "panes.h"
#include "report.h"
#include "text.h"
#include "tui.h"
#include "tui_state.h"
#include "util.h"
#include "view.h"

#define LOG_PULL 256

void tui_set_events(struct tui *t, const struct events *ev)
{
	t->events = ev;
}

void tui_events_changed(struct tui *t)
{
	/* The connector reports the whole machine: redraw only for our events. */
	if (t->events && events_last(t->events) != t->events_seen) {
		t->events_seen = events_last(t->events);
		t->dirty = true;
	}
}

void tui_set_deadlocks(struct tui *t, const struct deadlocks *d)
{
	t->deadlocks = d;
}

void panes_log_pull(struct tui *t)
{
	struct panes *p = &t->panes;
	if (!t->events)
		return;
	if (!p->log) {
		p->log = xcalloc(PANES_LOG_KEEP, sizeof *p->log);
		p->idx = xcalloc(PANES_LOG_KEEP, sizeof *p->idx);
	}
	struct event buf[LOG_PULL];
	size_t got;
	while ((got = events_since(t->events, p->log_last, buf, LOG_PULL)) > 0) {
		for (size_t i = 0; i < got; i++) {
			size_t at = (p->log_head + p->log_n) % PANES_LOG_KEEP;
			p->log[at] = buf[i];
			if (p->log_n < PANES_LOG_KEEP)
				p->log_n++;
			else
				p->log_head = (p->log_head + 1) % PANES_LOG_KEEP;
		}
		p->log_last = buf[got - 1].seq;
	}
}

static const struct event *log_at(const struct panes *p, size_t i)
{
	return &p->log[(p->log_head + i) % PANES_LOG_KEEP];
}

/* An event concerns pid when pid is its process, its thread, or the other
 * party (the parent of a spawn, the reaper, the former parent). */
static bool log_match(const struct event *e, pid_t pid)
{
	return pid <= 0 || e->pid == pid || e->tid == pid || e->other == pid;
}

static pid_t log_filter_pid(const struct tui *t)
{
	if (t->panes.log_follow) {
		const struct task *k = view_selected(t);
		return k ? k->pid : -1;
	}
	return t->panes.log_pid;
}

size_t panes_log_count(struct tui *t)
{
	struct panes *p = &t->panes;
	panes_log_pull(t);
	pid_t pid = log_filter_pid(t);
	size_t n = 0;
	for (size_t i = 0; i < p->log_n; i++)
		if (pid >= 0 && log_match(log_at(p, i), pid))
			p->idx[n++] = i;
	return n;
}

uint64_t panes_log_seq(const struct tui *t, size_t i)
{
	return log_at(&t->panes, t->panes.idx[i])->seq;
}

/* How each kind of event is coloured: what went wrong stands out. */
static const enum ui_color log_colors[EV_KIND_COUNT] = {
	[EV_SPAWNED] = UI_RUN,     [EV_THREAD] = UI_THREAD, [EV_EXEC] = UI_RUN,
	[EV_EXITED] = UI_NORMAL,   [EV_KILLED] = UI_ERROR,  [EV_ZOMBIE] = UI_ZOMBIE,
	[EV_REAPED] = UI_NORMAL,   [EV_REPARENTED] = UI_ORPHAN, [EV_STOPPED] = UI_STOP,
	[EV_CONTINUED] = UI_RUN,   [EV_SIGNAL] = UI_HEADER_MODE,
};

static void log_title(const struct tui *t, int y, size_t shown, bool back)
{
	char title[128];
	pid_t pid = log_filter_pid(t);
	int n = snprintf(title, sizeof title, " Events");
	if (t->panes.log_follow && pid > 0)
		n += snprintf(title + n, sizeof title - (size_t)n, " of PID %d (following, f stops)",
			      (int)pid);
	else if (pid > 0)
		n += snprintf(title + n, sizeof title - (size_t)n, " of PID %d (# 0 shows all)",
			      (int)pid);
	n += snprintf(title + n, sizeof title - (size_t)n, ": %zu", shown);
	if (back)
		snprintf(title + n, sizeof title - (size_t)n, ", scrolled back (End follows)");
	panes_title(t, y, title, t->panes.focus ? "Up/Down/PgUp/PgDn scroll  Tab table  e hides " :
			"f follows row  # PID  Tab scrolls  e hides ");
}

void panes_log_draw(struct tui *t, int y, int height)
{
	size_t n = panes_log_count(t);
	size_t bottom = panes_bottom(t, NULL, n);
	int rows = height - 1;
	log_title(t, y, n, n && bottom + 1 < n);
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
		const struct event *e = log_at(&t->panes, t->panes.idx[first + (size_t)r]);
		events_describe(e, line, sizeof line);
		report_sanitize(line, safe, sizeof safe);
		enum ui_color c = e->kind < EV_KIND_COUNT ? log_colors[e->kind] : UI_NORMAL;
		text_put(y + 1 + rows - used + r, 1, safe, COLS - 1, t->attr[c]);
	}
}

enum tui_reaction panes_follow(struct tui *t)
{
	struct panes *p = &t->panes;
	p->log_follow = !p->log_follow;
	p->anchor[PANE_LOG] = 0;
	if (p->kind != PANE_LOG)
		p->kind = PANE_LOG;
	const struct task *k = view_selected(t);
	if (p->log_follow)
		tui_message(t, false, "the log follows the selected task%s",
			    k ? "" : " (none selected)");
	else
		tui_message(t, false, "the log no longer follows the selection");
	return TUI_REDRAW;
}

bool panes_set_log_pid(struct tui *t, const char *text)
{
	struct panes *p = &t->panes;
	char *end = NULL;
	while (*text == ' ')
		text++;
	long v = *text ? strtol(text, &end, 10) : 0;
	if (*text && (!end || *end != '\0' || v < 0 || v > 0x3fffffff)) {
		tui_message(t, true, "not a PID: \"%s\"", text);
		return false;
	}
	p->log_pid = (pid_t)v;
	p->log_follow = false;
	p->anchor[PANE_LOG] = 0;
	p->kind = PANE_LOG;
	if (v)
		tui_message(t, false, "the log shows the events of PID %ld", v);
	else
		tui_message(t, false, "the log shows every event");
	return true;
}
