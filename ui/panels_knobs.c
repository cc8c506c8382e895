/* panels_knobs.c - the knob line of the panels and the keys that select a
 * knob and turn it. The view never writes a knob itself: it asks
 * tui_actions.set_knob and says what came of it. */
#include "panels_knobs.h"

#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "text.h"
#include "tui_state.h"
#include "util/util.h"

#define KNOBS_LABEL "KNOBS "
#define KNOBS_GAP 2

struct panels_knobs {
	pid_t prog;                     /* the selected knob, by name, in that program */
	char name[CM_NAME_MAX];

	/* The last value set, until the next publish shows it: a burst of
	 * + keys then counts from it, not from the stale snapshot. */
	bool pend;
	unsigned pend_gen;              /* the tui's programs_gen when it was set */
	pid_t pend_prog;
	char pend_name[CM_NAME_MAX];
	long pend_value;
};

struct panels_knobs *panels_knobs_new(void)
{
	return xcalloc(1, sizeof(struct panels_knobs));
}

void panels_knobs_free(struct panels_knobs *k)
{
	free(k);
}

static const struct telemetry_snapshot *knobs_snap(const struct program *pr)
{
	return pr && pr->snap && pr->snap->attaches > 0 ? pr->snap : NULL;
}

/* Index of the selected knob in pr's snapshot, or -1 when it has none. */
static int knobs_index(const struct tui *t, const struct program *pr)
{
	const struct telemetry_snapshot *s = knobs_snap(pr);
	if (!s || s->n_knobs == 0)
		return -1;
	if (t->knobs->prog == pr->pid)
		for (size_t i = 0; i < s->n_knobs; i++)
			if (strcmp(s->knobs[i].name, t->knobs->name) == 0)
				return (int)i;
	return 0;
}

static void knobs_item(const struct telemetry_knob *k, char *buf, size_t len)
{
	snprintf(buf, len, "%s %ld [%ld..%ld]", k->name, k->value, k->min, k->max);
}

/* Places knobs [first, last) from line y on, wrapping at the screen edge,
 * over at most lines lines; draws them when draw is set. Returns the lines
 * used. */
static int knobs_flow(const struct tui *t, const struct telemetry_snapshot *s, size_t first,
		      size_t last, int sel, int y, int lines, bool draw)
{
	int x0 = 1 + (int)strlen(KNOBS_LABEL) + (first ? 2 : 0);
	int x = x0, line = 0;
	char item[CM_NAME_MAX + 80];
	if (draw) {
		text_put(y, 1, KNOBS_LABEL, COLS, t->attr[UI_HEADER]);
		if (first)
			text_put(y, x0 - 2, "..", 2, t->attr[UI_GREY]);
	}
	for (size_t i = first; i < last; i++) {
		knobs_item(&s->knobs[i], item, sizeof item);
		int w = text_width(item);
		if (x + w > COLS && x > x0) {
			line++;
			x = x0;
		}
		if (line >= lines)
			return lines;
		if (draw)
			text_put(y + line, x, item, COLS - x,
				 (int)i == sel ? t->attr[UI_MENU_SEL] | A_BOLD : A_NORMAL);
		x += w + KNOBS_GAP;
	}
	return line + 1;
}

int panels_knob_lines(const struct tui *t, const struct program *pr, int y, int lines, bool draw)
{
	const struct telemetry_snapshot *s = knobs_snap(pr);
	if (!s || s->n_knobs == 0 || lines <= 0)
		return 0;
	int sel = knobs_index(t, pr);
	size_t first = 0;
	/* Short of lines: start at the selected knob so it stays in sight. */
	if (sel > 0 && knobs_flow(t, s, 0, (size_t)sel + 1, sel, y, INT_MAX, false) > lines)
		first = (size_t)sel;
	return knobs_flow(t, s, first, s->n_knobs, sel, y, lines, draw);
}

/* The smallest of 1, 2, 5, 10, 20, 50, ... above v (v >= 0); LONG_MAX
 * when none fits in a long. */
static long series_above(long v)
{
	static const long mult[] = { 1, 2, 5 };
	for (long p = 1;; p *= 10) {
		for (size_t i = 0; i < sizeof mult / sizeof mult[0]; i++) {
			if (p > LONG_MAX / mult[i])
				return LONG_MAX;
			if (p * mult[i] > v)
				return p * mult[i];
		}
		if (p > LONG_MAX / 10)
			return LONG_MAX;
	}
}

/* The largest of 1, 2, 5, 10, ... below v (v >= 0); 0 when v <= 1. */
static long series_below(long v)
{
	long best = 0;
	for (long c = series_above(0); c < v && c != LONG_MAX; c = series_above(c))
		best = c;
	return best;
}

long panels_knob_next(long value, long min, long max, int dir)
{
	if (value >= max && dir > 0)
		return max;
	if (value <= min && dir < 0)
		return min;
	if (value > max || value < min)
		return value > max ? max : min;
	if ((unsigned long)max - (unsigned long)min <= PANELS_KNOB_FINE)
		return dir > 0 ? value + 1 : value - 1;
	/* Negative values mirror the series: -1, -2, -5, ... */
	long mag = value == LONG_MIN ? LONG_MAX : value < 0 ? -value : value;
	long next;
	if ((dir > 0) == (value >= 0))
		next = series_above(mag);
	else
		next = series_below(mag);
	if (value < 0 || (value == 0 && dir < 0))
		next = -next;
	return next > max ? max : next < min ? min : next;
}

/* The knob of pr the keys act on; reports and returns -1 if none. */
static int knobs_target(struct tui *t, const struct program *pr)
{
	int i = knobs_index(t, pr);
	if (i < 0)
		tui_message(t, true, "no knobs: the selected task's program publishes none "
			    "(F2 launches a demo that does)");
	return i;
}

enum tui_reaction panels_knob_select(struct tui *t, const struct program *pr, int dir)
{
	int i = knobs_target(t, pr);
	if (i < 0)
		return TUI_REDRAW;
	const struct telemetry_snapshot *s = pr->snap;
	long n = (long)s->n_knobs;
	i = (int)(((long)i + (dir < 0 ? n - 1 : 1)) % n);
	const struct telemetry_knob *k = &s->knobs[i];
	t->knobs->prog = pr->pid;
	snprintf(t->knobs->name, sizeof t->knobs->name, "%s", k->name);
	tui_message(t, false, "knob %s = %ld [%ld..%ld]%s: + and - step it, v types a value",
		    k->name, k->value, k->min, k->max, k->at_start ? " (at start)" : "");
	return TUI_REDRAW;
}

static const char *knobs_why(int rc)
{
	switch (rc) {
	case ESRCH: return "the program has ended";
	case ENOENT: return "no such knob, or the value is outside its range";
	case ENODATA: return "the program has no telemetry";
	default: return strerror(rc);
	}
}

enum tui_reaction panels_knob_change(struct tui *t, const struct tui_actions *a,
				     const struct program *pr, int dir)
{
	int i = knobs_target(t, pr);
	if (i < 0)
		return TUI_REDRAW;
	struct panels_knobs *p = t->knobs;
	const struct telemetry_knob *k = &pr->snap->knobs[i];
	char name[CM_NAME_MAX];
	snprintf(name, sizeof name, "%s", k->name);
	pid_t pid = pr->pid;
	long base = k->value, min = k->min, max = k->max;
	if (p->pend && p->pend_gen == t->programs_gen && p->pend_prog == pid &&
	    strcmp(p->pend_name, name) == 0)
		base = p->pend_value;
	long v = panels_knob_next(base, min, max, dir);
	p->prog = pid;
	snprintf(p->name, sizeof p->name, "%s", name);
	if (v == base) {
		tui_message(t, false, "%s is already at its %s, %ld", name,
			    dir > 0 ? "maximum" : "minimum", v);
		return TUI_REDRAW;
	}
	int rc = a->set_knob ? a->set_knob(a->ctx, pid, name, v) : ENOSYS;
	if (rc) {
		tui_message(t, true, "cannot set %s to %ld: %s", name, v, knobs_why(rc));
		return TUI_REDRAW;
	}
	p->pend = true;
	p->pend_gen = t->programs_gen;
	p->pend_prog = pid;
	p->pend_value = v;
	snprintf(p->pend_name, sizeof p->pend_name, "%s", name);
	tui_message(t, false, "%s = %ld", name, v);
	return TUI_REDRAW | TUI_RESAMPLE;
}
