/* panels_knobs.c - the knob line of the panels and the keys that select a
 * knob and turn it. The view never writes a knob itself: it asks
 * tui_actions.set_knob and says what came of it. */
#include "panels_knobs.h"

#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "act.h"
#include "prompt.h"
#include "text.h"
#include "tui_state.h"
#include "util/escape.h"
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

	/* The knob a typed value (v) or a restart offer is about. */
	pid_t ask_prog;
	char ask_name[CM_NAME_MAX];
	char ask_what[CM_NAME_MAX + 16];    /* "demo NAME" or the program's name, for messages */
	long ask_value, ask_min, ask_max;
	bool ask_at_start;
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
	snprintf(buf, len, "%s %ld [%ld..%ld]%s", k->name, k->value, k->min, k->max,
		 k->at_start ? " (at start)" : "");
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
		text_put(y, 1, KNOBS_LABEL, text_cols(), t->attr[UI_HEADER]);
		if (first)
			text_put(y, x0 - 2, "..", 2, t->attr[UI_GREY]);
	}
	for (size_t i = first; i < last; i++) {
		knobs_item(&s->knobs[i], item, sizeof item);
		int w = text_width(item);
		if (x + w > text_cols() && x > x0) {
			line++;
			x = x0;
		}
		if (line >= lines)
			return lines;
		if (draw)
			text_put(y + line, x, item, text_cols() - x,
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
	bool away = value == 0 || (dir > 0) == (value > 0);    /* from zero, or towards it */
	long next = away ? series_above(mag) : series_below(mag);
	if (next == LONG_MAX)
		return dir > 0 ? max : min;     /* no series number beyond: the bound */
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

/* Remembers knob k of pr as the one a prompt or an offer is about. */
static void knobs_ask_about(struct tui *t, const struct program *pr, const struct telemetry_knob *k)
{
	struct panels_knobs *p = t->knobs;
	p->ask_prog = pr->pid;
	snprintf(p->ask_name, sizeof p->ask_name, "%s", k->name);
	char safe[CM_NAME_MAX];
	escape_text(pr->demo ? pr->demo : pr->name, safe, sizeof safe);
	snprintf(p->ask_what, sizeof p->ask_what, "%s%s", pr->demo ? "demo " : "", safe);
	p->ask_value = k->value;
	p->ask_min = k->min;
	p->ask_max = k->max;
	p->ask_at_start = k->at_start;
}

/* The restart offer for a knob read only at start: y restarts. */
static enum tui_reaction knobs_confirm_key(struct tui *t, const struct tui_actions *a, int ch)
{
	struct panels_knobs *p = t->knobs;
	tui_mode_pop(t);
	if (ch != 'y' && ch != 'Y') {
		tui_message(t, false, "%s not changed: it is read only at start", p->ask_name);
		return TUI_REDRAW;
	}
	act_restart_program(t, a, p->ask_prog, p->ask_what, p->ask_name, p->ask_value);
	return TUI_REDRAW | TUI_RESAMPLE;
}

static void knobs_confirm_draw(struct tui *t)
{
	const struct panels_knobs *p = t->knobs;
	char q[TUI_TEXT_MAX];
	snprintf(q, sizeof q, "%s is read only at start: restart %s with %s=%ld? (y/n)", p->ask_name,
		 p->ask_what, p->ask_name, p->ask_value);
	text_fill(LINES - 1, 0, COLS, t->attr[UI_HEADER]);
	text_put(LINES - 1, 0, q, COLS, t->attr[UI_HEADER] | A_BOLD);
}

static const struct tui_mode knobs_confirm_mode = {
	.name = "restart?",
	.key = knobs_confirm_key,
	.draw = knobs_confirm_draw,
};

/* Sets the asked-about knob to v, or offers the restart a knob read only
 * at start needs. */
static enum tui_reaction knobs_apply(struct tui *t, const struct tui_actions *a, long v)
{
	struct panels_knobs *p = t->knobs;
	const char *name = p->ask_name;
	p->ask_value = v;
	if (p->ask_at_start) {
		tui_mode_push(t, &knobs_confirm_mode);
		return TUI_REDRAW;
	}
	int rc = a->set_knob ? a->set_knob(a->ctx, p->ask_prog, name, v) : ENOSYS;
	if (rc) {
		tui_message(t, true, "cannot set %s to %ld: %s", name, v, knobs_why(rc));
		return TUI_REDRAW;
	}
	p->pend = true;
	p->pend_gen = t->programs_gen;
	p->pend_prog = p->ask_prog;
	p->pend_value = v;
	snprintf(p->pend_name, sizeof p->pend_name, "%s", name);
	tui_message(t, false, "%s = %ld", name, v);
	return TUI_REDRAW | TUI_RESAMPLE;
}

/* The value the keys start from: the last one set while the snapshot
 * does not show it yet. */
static long knobs_base(const struct tui *t, const struct program *pr, const struct telemetry_knob *k)
{
	const struct panels_knobs *p = t->knobs;
	if (p->pend && p->pend_gen == t->programs_gen && p->pend_prog == pr->pid &&
	    strcmp(p->pend_name, k->name) == 0)
		return p->pend_value;
	return k->value;
}

enum tui_reaction panels_knob_change(struct tui *t, const struct tui_actions *a,
				     const struct program *pr, int dir)
{
	int i = knobs_target(t, pr);
	if (i < 0)
		return TUI_REDRAW;
	const struct telemetry_knob *k = &pr->snap->knobs[i];
	long base = knobs_base(t, pr, k);
	long v = panels_knob_next(base, k->min, k->max, dir);
	t->knobs->prog = pr->pid;
	snprintf(t->knobs->name, sizeof t->knobs->name, "%s", k->name);
	if (v == base) {
		tui_message(t, false, "%s is already at its %s, %ld", k->name,
			    dir > 0 ? "maximum" : "minimum", v);
		return TUI_REDRAW;
	}
	knobs_ask_about(t, pr, k);
	return knobs_apply(t, a, v);
}

enum tui_reaction panels_knob_ask(struct tui *t, const struct program *pr)
{
	int i = knobs_target(t, pr);
	if (i < 0)
		return TUI_REDRAW;
	const struct telemetry_knob *k = &pr->snap->knobs[i];
	t->knobs->prog = pr->pid;
	snprintf(t->knobs->name, sizeof t->knobs->name, "%s", k->name);
	knobs_ask_about(t, pr, k);
	t->knobs->ask_value = knobs_base(t, pr, k);
	prompt_open(t, PROMPT_KNOB);
	return TUI_REDRAW;
}

void panels_knob_label(const struct tui *t, char *buf, size_t len)
{
	const struct panels_knobs *p = t->knobs;
	snprintf(buf, len, "%s [%ld..%ld]%s: ", p->ask_name, p->ask_min, p->ask_max,
		 p->ask_at_start ? " (at start)" : "");
}

void panels_knob_prefill(const struct tui *t, char *buf, size_t len)
{
	snprintf(buf, len, "%ld", t->knobs->ask_value);
}

enum tui_reaction panels_knob_typed(struct tui *t, const struct tui_actions *a, const char *text)
{
	const struct panels_knobs *p = t->knobs;
	long v;
	if (!util_parse_long(text, &v)) {
		tui_message(t, true, "%s: \"%s\" is not a whole number; not changed", p->ask_name, text);
		return TUI_REDRAW;
	}
	if (v < p->ask_min || v > p->ask_max) {
		tui_message(t, true, "%s must be from %ld to %ld; %ld refused", p->ask_name, p->ask_min,
			    p->ask_max, v);
		return TUI_REDRAW;
	}
	return knobs_apply(t, a, v);
}
