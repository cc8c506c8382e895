/* panes.c - the bottom area: which panes are open, in what order, how the
 * lines under the table are shared among them, and where the focus is.
 * What a pane shows is its own business (panels.c, explainpane.c,
 * logpane.c, outpane.c); this file calls it through struct pane_ops. */
#include "panes.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "text.h"
#include "tui_state.h"
#include "util/util.h"

struct panes {
	const struct pane_ops *open[PANES_MAX];  /* top to bottom, in opening order */
	size_t n;
	int fixed[PANES_MAX];                    /* lines set by ( and ), title included; 0: auto */
	const struct pane_ops *focus;            /* NULL: the keys go to the table */
	size_t split;                            /* panes_splits: the layout | chose */
};

struct panes *panes_new(void)
{
	return xcalloc(1, sizeof(struct panes));
}

void panes_free(struct panes *p)
{
	free(p);
}

/* Lines under the table the panes may share, and whether the screen is so
 * short that only panes that squeeze the table get any. */
static int panes_room(const struct tui *t, bool *short_screen)
{
	int body = tui_body_lines(t) - 1;        /* the column titles */
	int room = body - PANES_MIN_TASK_ROWS;
	*short_screen = room < 2;
	if (*short_screen)
		room = body - PANES_LEAST_TASK_ROWS;
	return room;
}

/* Grants want[i] to panes that want no more than an equal share of left,
 * then splits what remains evenly among the others; lines[i] receives it. */
static void panes_share(const int want[PANES_MAX], size_t n, int left, int lines[PANES_MAX])
{
	size_t waiting = 0;
	for (size_t i = 0; i < n; i++) {
		lines[i] = 0;
		waiting += want[i] > 0;
	}
	while (waiting > 0) {
		int share = left / (int)waiting, extra = left % (int)waiting;
		bool granted = false;
		for (size_t i = 0; i < n; i++) {
			if (want[i] > 0 && lines[i] == 0 && want[i] <= share) {
				lines[i] = want[i];
				left -= want[i];
				waiting--;
				granted = true;
			}
		}
		if (granted)
			continue;
		for (size_t i = 0; i < n; i++)
			if (want[i] > 0 && lines[i] == 0)
				lines[i] = share + (extra-- > 0);
		waiting = 0;
	}
}

/* The layouts | goes through, in order: the left column's share of the
 * width in sixths (0: stacked), and what the next press gives. */
static const struct panes_split_kind {
	int left_sixths;
	const char *name, *next;
	const char *key;        /* in concmonrc (layout=) */
} panes_splits[] = {
	{ 0, "stacked", "side by side", "stacked" },
	{ 3, "side by side", "left wider", "side" },
	{ 4, "side by side, left wider", "right wider", "left" },
	{ 2, "side by side, right wider", "stacked", "right" },
};
#define PANES_SPLITS (sizeof panes_splits / sizeof panes_splits[0])

bool panes_set_layout(struct tui *t, const char *key)
{
	for (size_t i = 0; i < PANES_SPLITS; i++) {
		if (strcmp(panes_splits[i].key, key) == 0) {
			t->panes->split = i;
			return true;
		}
	}
	return false;
}

int panes_split_width(int cols, int left_sixths)
{
	int usable = cols - 1;                   /* the separator */
	if (left_sixths <= 0 || usable < 2 * PANES_COLUMN_MIN)
		return 0;
	int left = usable * left_sixths / 6;
	if (left < PANES_COLUMN_MIN)
		left = PANES_COLUMN_MIN;
	if (usable - left < PANES_COLUMN_MIN)
		left = usable - PANES_COLUMN_MIN;
	return left;
}

size_t panes_split_left(size_t n)
{
	return (n + 1) / 2;
}

/* Where each open pane goes at the last layout. */
struct panes_geom {
	int lines[PANES_MAX];   /* 0: not drawn */
	int top[PANES_MAX];     /* its first line, from the top of the area */
	int x0[PANES_MAX], width[PANES_MAX];
	int left_w;             /* the left column's width; 0: stacked */
	int height;             /* the taller column */
};

/* Shares room among the n panes idx[] (opening order), one under the
 * other, in a column of width columns from x0 (want() is asked with that
 * region set). Each drawn pane has at least two lines (its title and one
 * more); when not all can, the panes opened last (what the user asked for
 * just now) keep theirs. A pane sized with ( and ) gets its lines first;
 * the lines beyond those two are shared by panes_share among the others.
 * Returns the lines used. */
static int panes_stack(const struct tui *t, const size_t *idx, size_t n, int x0, int width,
		       struct panes_geom *g)
{
	const struct panes *p = t->panes;
	bool short_screen;
	int room = panes_room(t, &short_screen), more[PANES_MAX], left = room;
	text_region(x0, width);
	for (size_t k = n; k-- > 0;) {
		size_t i = idx[k];
		bool fits = left >= 2 && (!short_screen || p->open[i]->squeeze);
		int want = fits ? p->open[i]->want(t, room) : 0;
		if (want > 0 && p->fixed[i] > 0)
			want = p->fixed[i];
		more[k] = want >= 2 ? (want < room ? want : room) - 2 : -1;
		if (more[k] >= 0)
			left -= 2;
	}
	text_region_reset();
	int extra[PANES_MAX], got[PANES_MAX], fixed_got[PANES_MAX];
	for (size_t k = 0; k < n; k++) {
		bool fixed = p->fixed[idx[k]] > 0 && more[k] > 0;
		fixed_got[k] = fixed ? (more[k] < left ? more[k] : left) : 0;
		left -= fixed_got[k];
		extra[k] = more[k] > 0 && !fixed ? more[k] : 0;
	}
	panes_share(extra, n, left, got);
	int total = 0;
	for (size_t k = 0; k < n; k++) {
		size_t i = idx[k];
		g->lines[i] = more[k] >= 0 ? 2 + got[k] + fixed_got[k] : 0;
		g->top[i] = total;
		g->x0[i] = x0;
		g->width[i] = width;
		total += g->lines[i];
	}
	return total;
}

/* The open panes that have something to show (want() > 0 on the whole
 * width) into idx, in opening order; returns how many. Only these are
 * parted into columns, so an empty pane (panels without telemetry) does
 * not take a column. */
static size_t panes_showing(const struct tui *t, size_t idx[PANES_MAX])
{
	const struct panes *p = t->panes;
	bool short_screen;
	int room = panes_room(t, &short_screen);
	size_t m = 0;
	for (size_t i = 0; i < p->n; i++)
		if (room >= 2 && p->open[i]->want(t, room) > 0)
			idx[m++] = i;
	return m;
}

/* The left column's width for the panes showing: 0 stacked, by choice, or
 * because fewer than two show or the screen is too narrow (the choice
 * stays for when they do). */
static int panes_left_width(const struct panes *p, size_t showing)
{
	return showing < 2 ? 0 : panes_split_width(COLS, panes_splits[p->split].left_sixths);
}

static void panes_layout(const struct tui *t, struct panes_geom *g)
{
	const struct panes *p = t->panes;
	size_t all[PANES_MAX], idx[PANES_MAX];
	for (size_t i = 0; i < p->n; i++) {
		all[i] = i;
		g->lines[i] = 0;
	}
	size_t m = p->split ? panes_showing(t, idx) : 0;
	g->left_w = panes_left_width(p, m);
	if (g->left_w == 0) {
		g->height = panes_stack(t, all, p->n, 0, COLS, g);
		return;
	}
	size_t nl = panes_split_left(m);
	int hl = panes_stack(t, idx, nl, 0, g->left_w, g);
	int hr = panes_stack(t, idx + nl, m - nl, g->left_w + 1, COLS - g->left_w - 1, g);
	g->height = hl > hr ? hl : hr;
}

int panes_height(const struct tui *t)
{
	struct panes_geom g;
	panes_layout(t, &g);
	return g.height;
}

static size_t panes_index(const struct panes *p, const struct pane_ops *ops)
{
	for (size_t i = 0; i < p->n; i++)
		if (p->open[i] == ops)
			return i;
	return p->n;
}

int panes_lines_of(const struct tui *t, const struct pane_ops *ops)
{
	struct panes_geom g;
	panes_layout(t, &g);
	size_t i = panes_index(t->panes, ops);
	return i < t->panes->n ? g.lines[i] : 0;
}

void panes_draw(struct tui *t, int y, int height)
{
	const struct panes *p = t->panes;
	struct panes_geom g;
	panes_layout(t, &g);
	for (size_t i = 0; i < p->n; i++) {
		if (g.lines[i] == 0 || g.top[i] + g.lines[i] > height)
			continue;
		text_region(g.x0[i], g.width[i]);
		p->open[i]->draw(t, y + g.top[i], g.lines[i], p->focus == p->open[i]);
		text_region_reset();
	}
	if (g.left_w > 0 && height > 0)
		text_vline(y, g.left_w, height < g.height ? height : g.height, t->attr[UI_TITLE]);
}

bool panes_is_open(const struct tui *t, const struct pane_ops *ops)
{
	return panes_index(t->panes, ops) < t->panes->n;
}

bool panes_switch(struct tui *t, const struct pane_ops *ops)
{
	struct panes *p = t->panes;
	size_t i = panes_index(p, ops);
	if (i < p->n) {
		memmove(&p->open[i], &p->open[i + 1], (p->n - i - 1) * sizeof p->open[0]);
		memmove(&p->fixed[i], &p->fixed[i + 1], (p->n - i - 1) * sizeof p->fixed[0]);
		p->n--;
		if (p->focus == ops)
			p->focus = NULL;
		return false;
	}
	if (p->n == PANES_MAX) {        /* each kind opens once: a bug */
		fprintf(stderr, "concmon: more than %d panes opening %s\n", PANES_MAX, ops->name);
		abort();
	}
	p->fixed[p->n] = 0;
	p->open[p->n++] = ops;
	if (ops->opened)
		ops->opened(t);
	return true;
}

void panes_open(struct tui *t, const struct pane_ops *ops)
{
	if (!panes_is_open(t, ops))
		panes_switch(t, ops);
}

/* The pane ( and ) size: the focused one, else the last opened one drawn. */
static size_t panes_sized(const struct tui *t, const int lines[PANES_MAX])
{
	const struct panes *p = t->panes;
	const struct pane_ops *f = panes_focused(t);
	if (f)
		return panes_index(p, f);
	for (size_t i = p->n; i-- > 0;)
		if (lines[i] > 0)
			return i;
	return p->n;
}

enum tui_reaction panes_resize(struct tui *t, int delta)
{
	struct panes *p = t->panes;
	struct panes_geom g;
	panes_layout(t, &g);
	size_t i = panes_sized(t, g.lines);
	if (i == p->n) {
		tui_message(t, true, "no pane open to resize: e events, E explanation, o output, "
			    "p panels");
		return TUI_REDRAW;
	}
	int was = g.lines[i];
	p->fixed[i] = was + delta < 2 ? 2 : was + delta;
	int now = panes_lines_of(t, p->open[i]);
	if (now == was && delta > 0)
		p->fixed[i] = was;   /* no room: do not pile up presses that did nothing */
	tui_message(t, now == was, "%s: %d lines%s (( fewer, ) more, Tab picks the pane)",
		    p->open[i]->name, now,
		    now != was ? "" : delta > 0 ? ", no more room" : ", the least it can have");
	return TUI_REDRAW;
}

enum tui_reaction panes_toggle(struct tui *t, const struct pane_ops *ops)
{
	if (!panes_switch(t, ops))
		tui_message(t, false, "%s hidden", ops->name);
	else if (panes_lines_of(t, ops) == 0)
		tui_message(t, true, "the terminal is too short for the %s", ops->name);
	return TUI_REDRAW;
}

/* Appends the names of the n panes idx[] to buf, ", " between them. */
static void panes_names(const struct panes *p, const size_t *idx, size_t n, char *buf,
			size_t len)
{
	for (size_t k = 0; k < n; k++) {
		size_t at = strlen(buf);
		snprintf(buf + at, len - at, "%s%s", k ? ", " : "", p->open[idx[k]]->name);
	}
}

/* Why the panes cannot go side by side now, in words; NULL when they can. */
static const char *panes_split_refused(size_t showing, char *buf, size_t len)
{
	if (showing < 2)
		return "side by side needs two panes open (e events, E explanation, o output, "
		       "p panels)";
	if (panes_split_width(COLS, panes_splits[1].left_sixths) > 0)
		return NULL;
	snprintf(buf, len, "too narrow for panes side by side: %d columns, each needs %d", COLS,
		 PANES_COLUMN_MIN);
	return buf;
}

enum tui_reaction panes_split_next(struct tui *t)
{
	struct panes *p = t->panes;
	size_t next = (p->split + 1) % PANES_SPLITS, idx[PANES_MAX];
	size_t m = panes_showing(t, idx);
	char why[96];
	const char *refused = next ? panes_split_refused(m, why, sizeof why) : NULL;
	if (refused) {
		p->split = 0;
		tui_message(t, true, "%s; panes stay stacked", refused);
		return TUI_REDRAW;
	}
	p->split = next;
	if (next == 0) {
		tui_message(t, false, "panes stacked (| puts them side by side)");
		return TUI_REDRAW;
	}
	char names[TUI_TEXT_MAX] = "";
	size_t nl = panes_split_left(m);
	panes_names(p, idx, nl, names, sizeof names);
	size_t at = strlen(names);
	snprintf(names + at, sizeof names - at, " | ");
	panes_names(p, idx + nl, m - nl, names, sizeof names);
	int lw = panes_left_width(p, m);
	tui_message(t, false, "panes %s: %s (%d | %d columns; | again: %s)",
		    panes_splits[next].name, names, lw, COLS - lw - 1, panes_splits[next].next);
	return TUI_REDRAW;
}

bool panes_focus_next(struct tui *t)
{
	struct panes *p = t->panes;
	size_t from = p->focus ? panes_index(p, p->focus) + 1 : 0;
	size_t i = from;
	while (i < p->n && !p->open[i]->scroll_by)
		i++;
	if (i == p->n && !p->focus)
		return false;
	p->focus = i < p->n ? p->open[i] : NULL;
	if (p->focus)
		tui_message(t, false, "keys go to the %s: Up/Down/PgUp/PgDn/Home/End scroll, Tab goes "
			    "on to the next pane, then back to the table", p->focus->name);
	else
		tui_message(t, false, "keys go to the table");
	return true;
}

const struct pane_ops *panes_focused(const struct tui *t)
{
	const struct pane_ops *f = t->panes->focus;
	return f && panes_lines_of(t, f) > 0 ? f : NULL;
}

void panes_scroll(struct tui *t, int how)
{
	const struct pane_ops *f = panes_focused(t);
	if (f)
		f->scroll_by(t, how, panes_lines_of(t, f) - 2);
}

const struct pane_ops *panes_at(const struct tui *t, int y, int x)
{
	const struct panes *p = t->panes;
	struct panes_geom g;
	panes_layout(t, &g);
	for (size_t i = 0; i < p->n; i++)
		if (g.lines[i] > 0 && y >= g.top[i] && y < g.top[i] + g.lines[i] &&
		    x >= g.x0[i] && x < g.x0[i] + g.width[i])
			return p->open[i];
	return NULL;
}

void panes_focus(struct tui *t, const struct pane_ops *ops)
{
	t->panes->focus = ops && ops->scroll_by && panes_is_open(t, ops) ? ops : NULL;
}

void panes_scroll_pane(struct tui *t, const struct pane_ops *ops, int how)
{
	int lines = panes_lines_of(t, ops);
	if (ops->scroll_by && lines > 0)
		ops->scroll_by(t, how, lines - 2);
}

void panes_title(const struct tui *t, int y, const char *title, const char *hint, bool focused)
{
	attr_t a = t->attr[UI_TITLE];
	int cols = text_cols();
	text_fill(y, 0, cols, a);
	int x = text_put(y, 0, title, cols, a | A_BOLD);
	if (focused)
		x += text_put(y, x, " [keys here]", cols - x, a);
	int w = text_width(hint);
	if (cols - w > x + 2)
		text_put(y, cols - w, hint, w, a);
}

int panes_want_lines(const struct tui *t)
{
	int want = (tui_body_lines(t) - 1) * 2 / 5;
	return want > 6 ? want : 6;
}

long panes_scroll_step(int how, int page)
{
	long step = how == 1 || how == -1 ? 1 : how == 2 || how == -2 ? (page > 0 ? page : 1) :
		    1L << 30;
	return how < 0 ? -step : step;
}

size_t panes_window(size_t n, size_t bottom, int rows)
{
	if (rows <= 0 || n == 0)
		return 0;
	return bottom + 1 > (size_t)rows ? bottom + 1 - (size_t)rows : 0;
}

/* ---- scrolling by sequence number ------------------------------------- */

size_t panes_anchor_bottom(uint64_t anchor, size_t n, panes_seq_fn *seq, const void *ctx)
{
	if (n == 0)
		return 0;
	if (anchor == 0 || seq(ctx, n - 1) <= anchor)
		return n - 1;
	size_t lo = 0, hi = n;          /* the last line with seq <= anchor */
	while (hi - lo > 1) {
		size_t mid = lo + (hi - lo) / 2;
		if (seq(ctx, mid) <= anchor)
			lo = mid;
		else
			hi = mid;
	}
	return lo;
}

uint64_t panes_anchor_at(size_t n, size_t bottom, panes_seq_fn *seq, const void *ctx)
{
	return n == 0 || bottom + 1 >= n ? 0 : seq(ctx, bottom);
}

uint64_t panes_anchor_scroll(uint64_t anchor, size_t n, int how, int page, panes_seq_fn *seq,
			     const void *ctx)
{
	if (n == 0)
		return anchor;
	long step = panes_scroll_step(how, page);
	long b = (long)panes_anchor_bottom(anchor, n, seq, ctx);
	/* The bottom line must leave a full window above it. */
	long least = page < (long)n - 1 ? page : (long)n - 1;
	b += step;
	if (b < least)
		b = least;
	if (b > (long)n - 1)
		b = (long)n - 1;
	return panes_anchor_at(n, (size_t)b, seq, ctx);
}
