/* timectl.c - see timectl.h. Frozen, the view must not point into the
 * model's arrays, which the model reallocates as it goes on: it shows a
 * copy of the tasks (command lines included) made when it froze or
 * stepped. The launched programs' panels are the model's and stay live. */
#include "timectl.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "text.h"
#include "tui_state.h"
#include "util/util.h"

struct timectl {
	bool frozen;
	bool step;                  /* frozen: the next publish is shown */
	struct task *copy;          /* frozen: what the view shows, owned */
	size_t ncopy;
	struct task *old;           /* the copy replaced, freed by timectl_release */
	size_t nold;
	uint64_t events_upto;       /* frozen: the newest event shown */
	struct peak_frame peaks;
};

struct timectl *timectl_new(void)
{
	return xcalloc(1, sizeof(struct timectl));
}

static void timectl_free_tasks(struct task *tasks, size_t n)
{
	for (size_t i = 0; i < n; i++)
		free(tasks[i].cmdline);
	free(tasks);
}

void timectl_free(struct timectl *c)
{
	if (!c)
		return;
	timectl_free_tasks(c->copy, c->ncopy);
	timectl_free_tasks(c->old, c->nold);
	free(c);
}

bool timectl_admits(const struct tui *t)
{
	return !t->timectl->frozen || t->timectl->step;
}

const struct task *timectl_take(struct tui *t, const struct task *tasks, size_t n)
{
	struct timectl *c = t->timectl;
	timectl_release(t);
	c->old = c->copy;
	c->nold = c->ncopy;
	c->copy = NULL;
	c->ncopy = 0;
	if (!c->frozen)
		return tasks;
	c->step = false;
	c->events_upto = t->events ? events_last(t->events) : 0;
	c->copy = n ? xcalloc(n, sizeof *c->copy) : NULL;
	c->ncopy = n;
	for (size_t i = 0; i < n; i++) {
		c->copy[i] = tasks[i];
		c->copy[i].cmdline = xstrdup(tasks[i].cmdline ? tasks[i].cmdline : "");
	}
	return c->copy;
}

void timectl_release(struct tui *t)
{
	struct timectl *c = t->timectl;
	timectl_free_tasks(c->old, c->nold);
	c->old = NULL;
	c->nold = 0;
}

uint64_t timectl_event_limit(const struct tui *t)
{
	return t->timectl->frozen ? t->timectl->events_upto : UINT64_MAX;
}

void timectl_set_peaks(struct tui *t, const struct peak_frame *p)
{
	if (timectl_admits(t))
		t->timectl->peaks = *p;
}

enum tui_reaction timectl_freeze(struct tui *t)
{
	struct timectl *c = t->timectl;
	c->step = false;
	if (c->frozen) {
		c->frozen = false;
		tui_message(t, false, "live again");
		return TUI_REDRAW | TUI_RESAMPLE; /* the latest, not the copy */
	}
	c->frozen = true;
	tui_show_tasks(t, timectl_take(t, t->tasks, t->ntasks), t->ntasks);
	timectl_release(t);
	tui_message(t, false, "frozen: concmon goes on recording; . steps one refresh, Z thaws");
	return TUI_REDRAW;
}

enum tui_reaction timectl_step(struct tui *t)
{
	if (!t->timectl->frozen) {
		tui_message(t, false, "not frozen: Z freezes the view, then . shows one refresh at a time");
		return TUI_REDRAW;
	}
	t->timectl->step = true;
	return TUI_REDRAW | TUI_RESAMPLE;
}

enum tui_reaction timectl_delay(struct tui *t, int dir)
{
	if (t->delay <= 0) {
		tui_message(t, true, "no delay (-d 0): every pass samples; { and } need a delay");
		return TUI_REDRAW;
	}
	double d = dir > 0 ? t->delay * 2 : t->delay / 2;
	d = d < TIMECTL_DELAY_MIN ? TIMECTL_DELAY_MIN : d > TIMECTL_DELAY_MAX ? TIMECTL_DELAY_MAX : d;
	if (d == t->delay) {
		tui_message(t, true, "refresh every %gs already: the %s", d,
			    dir > 0 ? "slowest ({ slows, up to 10s)" : "fastest (} speeds up, down to 0.05s)");
		return TUI_REDRAW;
	}
	t->delay = d;
	tui_message(t, false, "refresh every %gs ({ slower, } faster)", d);
	return TUI_REDRAW | TUI_RETIME;
}

int timectl_header_mark(const struct tui *t, int y, int x)
{
	if (!t->timectl->frozen)
		return 0;
	int used = text_put(y, x, " ", COLS, A_NORMAL);
	return used + text_put(y, x + used, "FROZEN", COLS, t->attr[UI_ERROR] | A_REVERSE | A_BOLD);
}

int timectl_header_peaks(const struct tui *t, int y, int x, int room)
{
	const struct peak_frame *p = &t->timectl->peaks;
	if (!p->known)
		return 0;
	char buf[96];
	snprintf(buf, sizeof buf, " | peak %d thr, %d Z; %.0f forks, %.0f exits/s", p->threads,
		 p->zombies, p->forks_per_s, p->exits_per_s);
	if (text_width(buf) > room)   /* the view's mode matters more than the rates */
		snprintf(buf, sizeof buf, " | peak %d thr, %d Z", p->threads, p->zombies);
	if (text_width(buf) > room)
		return 0;
	return text_put(y, x, buf, COLS, t->attr[UI_HEADER]);
}
