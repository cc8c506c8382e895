/* outpane.c - the output pane (o): what the selected task's program wrote,
 * newest at the bottom, stderr lines marked with a red "!", scrollback and
 * search. The first line says how many older lines the ring dropped. */
#include "outpane.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "panels.h"
#include "report/report.h"
#include "supervise/output.h"
#include "text.h"
#include "timectl.h"
#include "tui_state.h"
#include "util/escape.h"
#include "util/util.h"

struct outpane {
	uint64_t anchor;                /* seq of the newest line shown; 0 follows */
	pid_t prog;                     /* the anchor belongs to this program */
	char find[OUTPANE_FIND_MAX];    /* the search (/ in the focused pane) */
	uint64_t find_hit;              /* seq of the matching line shown, 0 none */
};

struct outpane *outpane_new(void)
{
	return xcalloc(1, sizeof(struct outpane));
}

void outpane_free(struct outpane *o)
{
	free(o);
}

const char *outpane_find_text(const struct tui *t)
{
	return t->outpane->find;
}

static uint64_t outpane_seq(const void *ctx, size_t i)
{
	const struct program *pr = ctx;
	return output_get(pr->out, i).seq;
}

/* The lines of pr's output the view shows: frozen, those written by then. */
static size_t outpane_lines(const struct tui *t, const struct program *pr)
{
	size_t n = pr && pr->out ? output_count(pr->out) : 0;
	uint64_t limit = pr ? timectl_output_limit(t, pr->pid) : UINT64_MAX;
	if (n == 0 || limit == UINT64_MAX)
		return n;
	if (outpane_seq(pr, 0) > limit)
		return 0;
	return panes_anchor_bottom(limit, n, outpane_seq, pr) + 1;
}

/* The launched program the selected task descends from, else the only
 * program; NULL if none. A new program in the pane starts at its newest
 * line. */
static const struct program *outpane_program(struct tui *t)
{
	struct outpane *o = t->outpane;
	size_t np;
	const struct program *progs = tui_programs(t, &np);
	const struct program *pr = panels_owner(t);
	if (!pr && np == 1)
		pr = &progs[0];
	if (pr && !pr->out) {     /* frozen: the output is the program's, as far as then */
		size_t nlive;
		const struct program *live = tui_programs_live(t, &nlive);
		for (size_t i = 0; i < nlive; i++)
			if (live[i].pid == pr->pid)
				pr = &live[i];
	}
	pid_t pid = pr ? pr->pid : 0;
	if (pid != o->prog) {
		o->prog = pid;
		o->anchor = 0;
		o->find_hit = 0;
	}
	return pr;
}

static void outpane_title(const struct tui *t, const struct program *pr, int y, size_t n,
			  bool back, bool focused)
{
	char title[TUI_TEXT_MAX * 2], name[TUI_TEXT_MAX];
	if (pr) {
		escape_text(pr->demo ? pr->demo : pr->name, name, sizeof name);
		snprintf(title, sizeof title, " Output of %d %s%s: %zu line%s%s", (int)pr->pid, name,
			 pr->ended ? " (ended)" : "", n, n == 1 ? "" : "s",
			 back ? ", scrolled back (End follows)" : "");
	} else {
		snprintf(title, sizeof title, " Output");
	}
	panes_title(t, y, title, focused ? "PgUp/PgDn scroll  / find  n N  Tab next  o hides " :
		    "! = stderr  Tab scrolls  o hides ", focused);
}

static void outpane_line(const struct tui *t, const struct output_line *l, int y, bool hit)
{
	static char safe[OUTPUT_LINE_MAX * 4 + 1];
	escape_text(l->text, safe, sizeof safe);
	attr_t a = hit ? t->attr[UI_MENU_SEL] : A_NORMAL;
	if (l->err) {
		text_put(y, 0, "!", 1, t->attr[UI_ERROR]);
		if (!hit)
			a = t->attr[UI_ERROR] & ~A_BOLD;
	}
	if (hit)
		text_fill(y, 1, text_cols() - 1, a);
	text_put(y, 1, safe, text_cols() - 1, a);
}

/* "N older lines dropped" on the first line; returns the lines it took. */
static int outpane_dropped(const struct tui *t, const struct program *pr, int y, int rows)
{
	uint64_t dropped = pr->out ? output_dropped(pr->out) : 0;
	if (!dropped || rows <= 1)
		return 0;
	char msg[64];
	snprintf(msg, sizeof msg, "%llu older line%s dropped", (unsigned long long)dropped,
		 dropped == 1 ? "" : "s");
	text_put(y, 1, msg, text_cols() - 1, t->attr[UI_GREY]);
	return 1;
}

static void outpane_draw(struct tui *t, int y, int height, bool focused)
{
	const struct program *pr = outpane_program(t);
	size_t n = outpane_lines(t, pr), np;
	size_t bottom = pr ? panes_anchor_bottom(t->outpane->anchor, n, outpane_seq, pr) : 0;
	int rows = height - 1;
	outpane_title(t, pr, y, n, n && bottom + 1 < n, focused);
	if (!pr) {
		tui_programs(t, &np);
		text_put(y + 1, 1, np ? "select a row of a program concmon launched" :
			 "no program launched yet (: or F2 launches one)", text_cols() - 1, t->attr[UI_GREY]);
		return;
	}
	int skip = outpane_dropped(t, pr, y + 1, rows);
	y += skip;
	rows -= skip;
	if (n == 0) {
		text_put(y + 1, 1, "no output yet", text_cols() - 1, t->attr[UI_GREY]);
		return;
	}
	size_t first = panes_window(n, bottom, rows);
	int used = (int)(bottom + 1 - first);
	for (int r = 0; r < used; r++) {
		struct output_line l = output_get(pr->out, first + (size_t)r);
		outpane_line(t, &l, y + 1 + rows - used + r, l.seq == t->outpane->find_hit);
	}
}

static int outpane_want(const struct tui *t, int room)
{
	(void)room;
	return panes_want_lines(t);
}

static void outpane_scroll(struct tui *t, int how, int page)
{
	const struct program *pr = outpane_program(t);
	if (pr)
		t->outpane->anchor = panes_anchor_scroll(t->outpane->anchor, outpane_lines(t, pr), how,
							 page, outpane_seq, pr);
}

const struct pane_ops outpane_ops = {
	.name = "output",
	.squeeze = true,
	.want = outpane_want,
	.draw = outpane_draw,
	.scroll_by = outpane_scroll,
};

/* Looks for the search text from line from in direction dir (-1 older,
 * +1 newer), without wrapping; shows the match as the bottom line. */
static bool outpane_find_from(struct tui *t, const struct program *pr, size_t n, long from,
			      int dir)
{
	struct outpane *o = t->outpane;
	for (long i = from; i >= 0 && i < (long)n; i += dir) {
		struct output_line l = output_get(pr->out, (size_t)i);
		if (strcasestr(l.text, o->find)) {
			o->find_hit = l.seq;
			/* Keep a full window: the match goes at the bottom, or as
			 * low as the first lines allow. */
			o->anchor = panes_anchor_at(n, (size_t)i, outpane_seq, pr);
			return true;
		}
	}
	return false;
}

void outpane_find(struct tui *t, const char *text)
{
	struct outpane *o = t->outpane;
	snprintf(o->find, sizeof o->find, "%s", text);
	o->find_hit = 0;
	if (!text[0])
		return;
	const struct program *pr = outpane_program(t);
	size_t n = outpane_lines(t, pr);
	if (n == 0 ||
	    !outpane_find_from(t, pr, n, (long)panes_anchor_bottom(o->anchor, n, outpane_seq, pr), -1))
		tui_message(t, true, "no output line contains \"%s\"", text);
}

void outpane_find_next(struct tui *t, int dir)
{
	struct outpane *o = t->outpane;
	if (!o->find[0]) {
		tui_message(t, true, "nothing to find: press / first");
		return;
	}
	const struct program *pr = outpane_program(t);
	size_t n = outpane_lines(t, pr);
	long from = n ? (long)panes_anchor_bottom(o->anchor, n, outpane_seq, pr) + (dir > 0 ? -1 : 1) : 0;
	if (n == 0 || !outpane_find_from(t, pr, n, from, dir > 0 ? -1 : 1))
		tui_message(t, true, "no %s line contains \"%s\"", dir > 0 ? "older" : "newer", o->find);
}
