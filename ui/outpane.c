/* outpane.c - the output pane (o): what the selected task's program wrote,
 * newest at the bottom, stderr lines marked with a red "!", scrollback and
 * search. The first line says how many older lines the ring dropped. */
#include <stdio.h>
#include <string.h>

#include "output.h"
#include "panes.h"
#include "report.h"
#include "text.h"
#include "tui_state.h"

size_t panes_output_lines(const struct tui *t, const struct program *pr)
{
	(void)t;
	return pr && pr->out ? output_count(pr->out) : 0;
}

/* A new program in the pane starts at its newest line. */
static const struct program *out_program(struct tui *t)
{
	const struct program *pr = panes_output_program(t);
	pid_t pid = pr ? pr->pid : 0;
	if (pid != t->panes.out_prog) {
		t->panes.out_prog = pid;
		t->panes.anchor[PANE_OUTPUT] = 0;
		t->panes.find_hit = 0;
	}
	return pr;
}

static void out_title(const struct tui *t, const struct program *pr, int y, size_t n, bool back)
{
	char title[TUI_TEXT_MAX * 2], name[TUI_TEXT_MAX];
	if (pr) {
		report_sanitize(pr->demo ? pr->demo : pr->name, name, sizeof name);
		snprintf(title, sizeof title, " Output of %d %s%s: %zu line%s%s", (int)pr->pid, name,
			 pr->ended ? " (ended)" : "", n, n == 1 ? "" : "s",
			 back ? ", scrolled back (End follows)" : "");
	} else {
		snprintf(title, sizeof title, " Output");
	}
	panes_title(t, y, title, t->panes.focus ? "PgUp/PgDn scroll  / find  n N  Tab table  o hides " :
			"! = stderr  Tab scrolls  o hides ");
}

static void out_line(const struct tui *t, const struct output_line *l, int y, bool hit)
{
	static char safe[OUTPUT_LINE_MAX * 4 + 1];
	report_sanitize(l->text, safe, sizeof safe);
	attr_t a = hit ? t->attr[UI_MENU_SEL] : A_NORMAL;
	if (l->err) {
		text_put(y, 0, "!", 1, t->attr[UI_ERROR]);
		if (!hit)
			a = t->attr[UI_ERROR] & ~A_BOLD;
	}
	if (hit)
		text_fill(y, 1, COLS - 1, a);
	text_put(y, 1, safe, COLS - 1, a);
}

void panes_output_draw(struct tui *t, int y, int height)
{
	const struct program *pr = out_program(t);
	size_t n = panes_output_lines(t, pr);
	size_t bottom = panes_bottom(t, pr, n);
	int rows = height - 1;
	out_title(t, pr, y, n, n && bottom + 1 < n);
	if (!pr) {
		text_put(y + 1, 1, t->nprograms ? "select a row of a program concmon launched" :
			 "no program launched yet (: or F2 launches one)", COLS - 1, t->attr[UI_GREY]);
		return;
	}
	uint64_t dropped = pr->out ? output_dropped(pr->out) : 0;
	if (dropped && rows > 1) {
		char msg[64];
		snprintf(msg, sizeof msg, "%llu older line%s dropped", (unsigned long long)dropped,
			 dropped == 1 ? "" : "s");
		text_put(y + 1, 1, msg, COLS - 1, t->attr[UI_GREY]);
		y++;
		rows--;
	}
	if (n == 0) {
		text_put(y + 1, 1, "no output yet", COLS - 1, t->attr[UI_GREY]);
		return;
	}
	size_t first = panes_window(n, bottom, rows);
	int used = (int)(bottom + 1 - first);
	for (int r = 0; r < used; r++) {
		struct output_line l = output_get(pr->out, first + (size_t)r);
		out_line(t, &l, y + 1 + rows - used + r, l.seq == t->panes.find_hit);
	}
}

/* Looks for the search text from line from in direction dir (-1 older,
 * +1 newer), without wrapping; shows the match as the bottom line. */
static bool out_find_from(struct tui *t, const struct program *pr, size_t n, long from, int dir)
{
	for (long i = from; i >= 0 && i < (long)n; i += dir) {
		struct output_line l = output_get(pr->out, (size_t)i);
		if (strcasestr(l.text, t->panes.find)) {
			t->panes.find_hit = l.seq;
			/* Keep a full window: the match goes at the bottom, or as
			 * low as the first lines allow. */
			panes_set_bottom(t, pr, n, (size_t)i);
			return true;
		}
	}
	return false;
}

void panes_find(struct tui *t, const char *text)
{
	snprintf(t->panes.find, sizeof t->panes.find, "%s", text);
	t->panes.find_hit = 0;
	if (!text[0])
		return;
	const struct program *pr = out_program(t);
	size_t n = panes_output_lines(t, pr);
	if (n == 0 || !out_find_from(t, pr, n, (long)panes_bottom(t, pr, n), -1))
		tui_message(t, true, "no output line contains \"%s\"", text);
}

void panes_find_next(struct tui *t, int dir)
{
	if (!t->panes.find[0]) {
		tui_message(t, true, "nothing to find: press / first");
		return;
	}
	const struct program *pr = out_program(t);
	size_t n = panes_output_lines(t, pr);
	long from = (long)panes_bottom(t, pr, n) + (dir > 0 ? -1 : 1);
	if (n == 0 || !out_find_from(t, pr, n, from, dir > 0 ? -1 : 1))
		tui_message(t, true, "no %s line contains \"%s\"", dir > 0 ? "older" : "newer",
			    t->panes.find);
}
