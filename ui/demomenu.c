/* demomenu.c - the demo launch menu. It takes every line but the status
 * line, so a launch error stays readable under it; the catalogue (29 demos
 * in six groups) scrolls on a terminal shorter than it. */
#include "demomenu.h"

#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "act.h"
#include "explainpane.h"
#include "model/explain.h"
#include "mouse.h"
#include "prompt.h"
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
	bool lesson;            /* l: the lesson of the current demo fills the screen */
	int lesson_top;         /* its first line shown */
	int shown;              /* rows of the list drawn last, from line 1 */
	size_t clicked;         /* the row clicked last, +1 (0: none) */
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
	t->demomenu->clicked = 0;
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
	case KEY_UP: case 'k': m->cur = demomenu_snap(m, cur - 1, -1); m->lesson_top = 0; break;
	case KEY_DOWN: case 'j': m->cur = demomenu_snap(m, cur + 1, 1); m->lesson_top = 0; break;
	case KEY_PPAGE: case KEY_NPAGE:
		if (m->lesson) {   /* the lesson scrolls; Up and Down change the demo */
			m->lesson_top += ch == KEY_NPAGE ? (int)page : -(int)page;
			m->lesson_top = m->lesson_top < 0 ? 0 : m->lesson_top;
		} else {
			m->cur = demomenu_snap(m, ch == KEY_NPAGE ? cur + page : cur - page,
					       ch == KEY_NPAGE ? 1 : -1);
		}
		break;
	case KEY_HOME: m->cur = demomenu_snap(m, 0, 1); break;
	case KEY_END: m->cur = demomenu_snap(m, (long)m->nrows - 1, -1); break;
	case '\n': case '\r': case KEY_ENTER:
		return demomenu_launch(t, a);
	case 'v':
		if (m->nrows && m->rows[m->cur] >= 0)
			prompt_open(t, PROMPT_DEMO);
		break;
	case 'l': case KEY_RIGHT: case KEY_LEFT:
		m->lesson = ch == 'l' ? !m->lesson : ch == KEY_RIGHT;
		m->lesson_top = 0;
		break;
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

/* Lines a lesson needs under the list before it is shown there. */
#define DEMOMENU_LESSON_MIN 6
/* Rows the list keeps when it shares the screen with a lesson. */
#define DEMOMENU_LIST_MIN 8

struct demomenu_lines {
	const struct tui *t;
	int y0, top, rows;
};

static void demomenu_lesson_line(void *arg, int line, const char *s, size_t len)
{
	const struct demomenu_lines *d = arg;
	int y = line - d->top;
	char buf[1024];
	if (y < 0 || y >= d->rows)
		return;
	if (len >= sizeof buf)
		len = sizeof buf - 1;
	memcpy(buf, s, len);
	buf[len] = '\0';
	text_put(d->y0 + y, 1, buf, COLS - 2, buf[0] == '#' ? d->t->attr[UI_HEADER] : A_NORMAL);
}

/* The knobs of d with their defaults and ranges, on line y. */
static void demomenu_knob_line(const struct tui *t, const struct demo_info *d, int y)
{
	char line[DEMO_INFO_KNOBS * 80 + 16];
	size_t at = (size_t)snprintf(line, sizeof line, "knobs:");
	for (size_t i = 0; i < d->nknobs; i++) {
		const struct demo_knob_info *k = &d->knobs[i];
		at += (size_t)snprintf(line + at, sizeof line - at, " %s=%ld [%ld..%ld]%s", k->name,
				       k->value, k->min, k->max, k->at_start ? " (at start)" : "");
	}
	if (!d->nknobs)
		snprintf(line + at, sizeof line - at, " none");
	text_put(y, 1, line, COLS - 2, t->attr[UI_HEADER]);
}

/* The lesson of d (assets/demos/NAME.md) over rows lines from y; whole:
 * the full-screen view (title and knobs first, then scrolled). */
static void demomenu_lesson(struct tui *t, const struct demo_info *d, int y, int rows, bool whole)
{
	char key[64];
	snprintf(key, sizeof key, "demo:%s", d->name);
	const char *text = explain_find(key);
	if (rows <= 0)
		return;
	if (!whole)
		text_fill(y - 1, 0, COLS, t->attr[UI_TITLE]);
	if (whole) {
		text_put(y, 1, d->name, COLS - 2, A_BOLD);
		text_put(y, 3 + text_width(d->name), d->description, COLS - 4 - text_width(d->name),
			 A_NORMAL);
		y++, rows--;
	}
	demomenu_knob_line(t, d, y);
	y++, rows--;
	if (!text)
		return;
	int total = explainpane_wrap(text, COLS - 2, NULL, NULL);
	struct demomenu_lines dl = { t, y, whole ? t->demomenu->lesson_top : 0, rows };
	if (dl.top > total - rows)
		dl.top = t->demomenu->lesson_top = total - rows > 0 ? total - rows : 0;
	explainpane_wrap(text, COLS - 2, demomenu_lesson_line, &dl);
}

static void demomenu_draw(struct tui *t)
{
	struct demomenu *m = t->demomenu;
	for (int y = 0; y < LINES - 1; y++)
		text_fill(y, 0, COLS, A_NORMAL);
	text_fill(0, 0, COLS, t->attr[UI_TITLE]);
	text_put(0, 1, "Demos: each teaches one lesson; Enter launches it, v sets its knobs first",
		 COLS - 1, t->attr[UI_TITLE] | A_BOLD);
	/* The table's key bar would be wrong here; a message stays. */
	if (!t->status[0]) {
		text_fill(LINES - 1, 0, COLS, A_NORMAL);
		text_put(LINES - 1, 0, "Up/Down move  Enter launch  v knobs, then launch  l lesson  "
			 "Esc q F10 close", COLS, t->attr[UI_BAR_LABEL]);
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
	if (m->lesson) {
		m->shown = 0;
		demomenu_lesson(t, &t->demos[m->rows[m->cur]], 1, h, true);
		return;
	}
	/* The current demo's lesson (with its knobs) shows under the list; a
	 * list too long for both scrolls, down to DEMOMENU_LIST_MIN rows. */
	int list = (int)m->nrows;
	if (list + DEMOMENU_LESSON_MIN + 1 > h)
		list = h - DEMOMENU_LESSON_MIN - 1 >= DEMOMENU_LIST_MIN ? h - DEMOMENU_LESSON_MIN - 1 : h;
	demomenu_scroll(m, (size_t)list);
	m->shown = list;
	for (int r = 0; r < list && m->top + (size_t)r < m->nrows; r++)
		demomenu_row(t, m->top + (size_t)r, 1 + r, namew);
	if (list < h && m->rows[m->cur] >= 0)
		demomenu_lesson(t, &t->demos[m->rows[m->cur]], 2 + list, h - list - 1, false);
}

/* A click on a demo moves the cursor to it; a second click on it launches
 * it. The wheel moves the cursor, or scrolls a lesson shown alone. */
static enum tui_reaction demomenu_mouse(struct tui *t, const struct tui_actions *a,
					const struct mouse_event *ev)
{
	struct demomenu *m = t->demomenu;
	if (ev->kind != MOUSE_CLICK && m->lesson) {
		m->lesson_top += mouse_wheel_step(ev);
		m->lesson_top = m->lesson_top < 0 ? 0 : m->lesson_top;
		return TUI_REDRAW;
	}
	if (ev->kind != MOUSE_CLICK)
		return demomenu_key(t, a, ev->kind == MOUSE_WHEEL_UP ? KEY_UP : KEY_DOWN);
	size_t r = m->top + (size_t)(ev->y - 1);
	if (ev->y < 1 || ev->y > m->shown || r >= m->nrows || m->rows[r] < 0)
		return TUI_NONE;
	if (m->clicked == r + 1 && m->cur == r)
		return demomenu_launch(t, a);
	m->cur = r;
	m->clicked = r + 1;
	m->lesson_top = 0;
	return TUI_REDRAW;
}

const struct tui_mode demomenu_mode = {
	.name = "demos",
	.key = demomenu_key,
	.mouse = demomenu_mouse,
	.draw = demomenu_draw,
};

/* The demo under the cursor, or NULL. */
static const struct demo_info *demomenu_current(const struct tui *t)
{
	const struct demomenu *m = t->demomenu;
	return m->nrows && m->rows[m->cur] >= 0 ? &t->demos[m->rows[m->cur]] : NULL;
}

void demomenu_knobs_label(const struct tui *t, char *buf, size_t len)
{
	const struct demo_info *d = demomenu_current(t);
	snprintf(buf, len, "Launch %s with: ", d ? d->name : "?");
}

void demomenu_knobs_prefill(const struct tui *t, char *buf, size_t len)
{
	const struct demo_info *d = demomenu_current(t);
	size_t at = 0;
	buf[0] = '\0';
	for (size_t i = 0; d && i < d->nknobs && at < len; i++)
		at += (size_t)snprintf(buf + at, len - at, "%s%s=%ld", i ? "," : "", d->knobs[i].name,
				       d->knobs[i].value);
}

/* Checks one "name=value" against d's knobs and appends it to spec; false
 * with a message naming the knobs or the range. */
static bool demomenu_knob_ok(struct tui *t, const struct demo_info *d, const char *kv, char *spec,
			     size_t len)
{
	const char *eq = strchr(kv, '=');
	const struct demo_knob_info *k = NULL;
	for (size_t i = 0; eq && i < d->nknobs && !k; i++)
		if (strlen(d->knobs[i].name) == (size_t)(eq - kv) &&
		    memcmp(d->knobs[i].name, kv, (size_t)(eq - kv)) == 0)
			k = &d->knobs[i];
	long v;
	if (!k) {
		char names[DEMO_INFO_KNOBS * 34] = "";
		for (size_t i = 0, at = 0; i < d->nknobs; i++)
			at += (size_t)snprintf(names + at, sizeof names - at, "%s%s", i ? ", " : "",
					       d->knobs[i].name);
		tui_message(t, true, "\"%.40s\" is not name=value of a knob of %s (%s)", kv, d->name,
			    d->nknobs ? names : "it has none");
		return false;
	}
	if (!util_parse_long(eq + 1, &v) || v < k->min || v > k->max) {
		tui_message(t, true, "%s must be a whole number from %ld to %ld; \"%.20s\" refused",
			    k->name, k->min, k->max, eq + 1);
		return false;
	}
	size_t at = strlen(spec);
	snprintf(spec + at, len - at, ",%s=%ld", k->name, v);
	return true;
}

enum tui_reaction demomenu_launch_with(struct tui *t, const struct tui_actions *a, const char *text)
{
	const struct demo_info *d = demomenu_current(t);
	if (!d)
		return TUI_REDRAW;
	char spec[PROMPT_MAX + 64], kv[PROMPT_MAX];
	snprintf(spec, sizeof spec, "%s", d->name);
	for (const char *p = text; *p;) {
		size_t n = strcspn(p, ", ");
		if (n > 0) {
			snprintf(kv, sizeof kv, "%.*s", (int)n, p);
			if (!demomenu_knob_ok(t, d, kv, spec, sizeof spec))
				return TUI_REDRAW;
		}
		p += n + (p[n] != '\0');
	}
	if (act_launch_demo(t, a, spec) == 0 && tui_mode_top(t) == &demomenu_mode)
		tui_mode_pop(t);
	return TUI_REDRAW | TUI_RESAMPLE;
}
