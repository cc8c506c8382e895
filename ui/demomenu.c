/* demomenu.c - the demo launch menu. It takes every line but the status
 * line, so a launch error stays readable under it, and the whole catalogue
 * (twenty demos in six groups) fits a normal terminal without scrolling. */
#include "demomenu.h"

#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "act.h"
#include "text.h"
#include "tui_state.h"
#include "util/util.h"

static const char *const demomenu_missing[] = {
	"No demos: concmon-demo was not found, or `concmon-demo --list` listed nothing.",
	"concmon looks for concmon-demo next to its own executable, then on PATH.",
	"Build it (cmake --build BUILD-DIR) or put it on PATH; `concmon --list-demos` runs the same.",
	"",
	"Esc, q or F10 closes this menu.",
};

/* The rows and cursor. A row >= 0 is a demo index; a row < 0 is the
 * heading of the group of demo -row - 1. */
struct demomenu {
	long *rows;
	size_t nrows;
	size_t cur, top;        /* cur is always a demo row when there is one */
};

struct demomenu *demomenu_new(void)
{
	return xcalloc(1, sizeof(struct demomenu));
}

/* Groups in the order they first appear, demos in catalogue order. */
void demomenu_set(struct demomenu *m, const struct demo_info *d, size_t n)
{
	free(m->rows);
	m->rows = xcalloc(2 * n + 1, sizeof *m->rows);
	m->nrows = 0;
	bool *placed = xcalloc(n + 1, sizeof *placed);
	for (size_t i = 0; i < n; i++) {
		if (placed[i])
			continue;
		m->rows[m->nrows++] = -(long)i - 1;
		for (size_t j = i; j < n; j++) {
			if (!placed[j] && strcmp(d[j].group, d[i].group) == 0) {
				m->rows[m->nrows++] = (long)j;
				placed[j] = true;
			}
		}
	}
	free(placed);
	m->cur = m->nrows > 1 ? 1 : 0;
	m->top = 0;
}

void demomenu_free(struct demomenu *m)
{
	if (!m)
		return;
	free(m->rows);
	free(m);
}

void demomenu_open(struct tui *t)
{
	tui_mode_push(t, &demomenu_mode);
}

/* Lines of the list: all but the title and the status line. */
static int demomenu_height(void)
{
	int h = LINES - 2;
	return h > 0 ? h : 1;
}

/* The demo row nearest to row i, looking in direction dir first. */
static size_t demomenu_snap(const struct demomenu *m, long i, int dir)
{
	if (m->nrows == 0)
		return 0;
	if (i < 0)
		i = 0;
	if (i >= (long)m->nrows)
		i = (long)m->nrows - 1;
	for (int pass = 0; pass < 2; pass++, dir = -dir)
		for (long j = i; j >= 0 && j < (long)m->nrows; j += dir)
			if (m->rows[j] >= 0)
				return (size_t)j;
	return m->cur;
}

static enum tui_reaction demomenu_launch(struct tui *t, const struct tui_actions *a)
{
	const struct demomenu *m = t->demomenu;
	if (m->nrows == 0 || m->rows[m->cur] < 0)
		return TUI_REDRAW;
	const struct demo_info *d = &t->demos[m->rows[m->cur]];
	if (act_launch_demo(t, a, d->name) == 0)
		tui_mode_pop(t);
	return TUI_REDRAW | TUI_RESAMPLE;
}

static enum tui_reaction demomenu_key(struct tui *t, const struct tui_actions *a, int ch)
{
	struct demomenu *m = t->demomenu;
	long cur = (long)m->cur, page = demomenu_height() - 1;
	if (page < 1)
		page = 1;
	switch (ch) {
	case KEY_UP: case 'k': m->cur = demomenu_snap(m, cur - 1, -1); break;
	case KEY_DOWN: case 'j': m->cur = demomenu_snap(m, cur + 1, 1); break;
	case KEY_PPAGE: m->cur = demomenu_snap(m, cur - page, -1); break;
	case KEY_NPAGE: m->cur = demomenu_snap(m, cur + page, 1); break;
	case KEY_HOME: m->cur = demomenu_snap(m, 0, 1); break;
	case KEY_END: m->cur = demomenu_snap(m, (long)m->nrows - 1, -1); break;
	case '\n': case '\r': case KEY_ENTER:
		return demomenu_launch(t, a);
	case 27: case 'q': case KEY_F(10): case KEY_F(2): case 'd':
		tui_mode_pop(t);
		break;
	default:
		return TUI_NONE;
	}
	return TUI_REDRAW;
}

/* Keeps the cursor in sight, with its group's heading when it is the
 * group's first demo. */
static void demomenu_scroll(struct demomenu *m, size_t h)
{
	if (m->cur < m->top)
		m->top = m->cur;
	if (m->cur == m->top && m->cur > 0 && m->rows[m->cur - 1] < 0)
		m->top = m->cur - 1;
	if (m->cur >= m->top + h)
		m->top = m->cur - h + 1;
	if (m->nrows <= h)
		m->top = 0;
	else if (m->top > m->nrows - h)
		m->top = m->nrows - h;
}

static void demomenu_row(const struct tui *t, size_t r, int y, int namew)
{
	const struct demomenu *m = t->demomenu;
	long v = m->rows[r];
	if (v < 0) {
		text_put(y, 1, t->demos[-v - 1].group, COLS - 1, t->attr[UI_HEADER]);
		return;
	}
	const struct demo_info *d = &t->demos[v];
	bool sel = r == m->cur;
	attr_t a = sel ? t->attr[UI_MENU_SEL] : A_NORMAL;
	if (sel) {
		/* The mark shows the cursor without colour too. */
		text_fill(y, 0, COLS, a);
		text_put(y, 1, ">", 1, a | A_BOLD);
	}
	text_put(y, 3, d->name, namew, a | A_BOLD);
	text_put(y, 3 + namew + 2, d->description, COLS - namew - 5, a);
}

static void demomenu_draw(struct tui *t)
{
	struct demomenu *m = t->demomenu;
	for (int y = 0; y < LINES - 1; y++)
		text_fill(y, 0, COLS, A_NORMAL);
	text_fill(0, 0, COLS, t->attr[UI_TITLE]);
	text_put(0, 1, "Demos: each teaches one lesson; Enter launches it under concmon",
		 COLS - 1, t->attr[UI_TITLE] | A_BOLD);
	/* The table's key bar would be wrong here; a message stays. */
	if (!t->status[0]) {
		text_fill(LINES - 1, 0, COLS, A_NORMAL);
		text_put(LINES - 1, 0, "Up/Down PgUp/PgDn Home/End move   Enter launch   Esc q F10 close",
			 COLS, t->attr[UI_BAR_LABEL]);
	}
	int h = demomenu_height();
	if (m->nrows == 0) {
		for (size_t i = 0; i < sizeof demomenu_missing / sizeof demomenu_missing[0]; i++)
			if ((int)i < h)
				text_put(1 + (int)i, 1, demomenu_missing[i], COLS - 1,
					 i == 0 ? t->attr[UI_ERROR] : A_NORMAL);
		return;
	}
	int namew = 0;
	for (size_t i = 0; i < t->ndemos; i++) {
		int w = text_width(t->demos[i].name);
		namew = w > namew ? w : namew;
	}
	if (namew > COLS / 3)
		namew = COLS / 3;
	demomenu_scroll(m, (size_t)h);
	for (int r = 0; r < h && m->top + (size_t)r < m->nrows; r++)
		demomenu_row(t, m->top + (size_t)r, 1 + r, namew);
}

const struct tui_mode demomenu_mode = {
	.name = "demos",
	.key = demomenu_key,
	.draw = demomenu_draw,
};
