/* panes.c - the bottom pane: which one is open, how many lines it gets,
 * focus and scrolling, and the explain pane. The log is in eventlog.c, the
 * output pane in outpane.c.
 *
 * Log and output scroll by sequence number, not by index: their rings drop
 * old lines and gain new ones between draws, and a user reading back must
 * keep seeing the same lines. Anchor 0 means "follow the newest". */
#include "panes.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "explain.h"
#include "report.h"
#include "text.h"
#include "tui_state.h"
#include "view.h"

#define PANES_EXPLAIN_MAX 8192

void panes_free(struct panes *p)
{
	free(p->log);
	free(p->idx);
	p->log = NULL;
	p->idx = NULL;
	p->log_n = p->log_head = 0;
}

/* ---- which program -------------------------------------------------- */

const struct program *panes_output_program(const struct tui *t)
{
	if (!t->programs || t->nprograms == 0)
		return NULL;
	const struct program *pr = panels_owner(t);
	if (pr)
		return pr;
	return t->nprograms == 1 ? &t->programs[0] : NULL;
}

/* ---- the explain text, wrapped ------------------------------------- */

/* Calls fn for every screen line of s wrapped to width columns: breaks at
 * the last space that fits, or mid-word when a word is longer than a line.
 * Returns the number of lines. */
typedef void wrap_fn(void *arg, int line, const char *s, size_t len);

static int panes_wrap_para(const char *s, int width, int line, wrap_fn *fn, void *arg)
{
	size_t len = strlen(s);
	if (len == 0) {
		if (fn)
			fn(arg, line, s, 0);
		return 1;
	}
	int lines = 0;
	while (len > 0) {
		size_t take = 0, space = 0;
		while (take < len) {
			size_t next = take + 1;
			while (next < len && ((unsigned char)s[next] & 0xc0) == 0x80)
				next++;
			if (text_width_n(s, next) > width)
				break;
			take = next;
			if (s[take - 1] == ' ')
				space = take;
		}
		if (take == 0)
			take = 1;                 /* a character wider than the pane */
		else if (take < len && space > 0)
			take = space;
		if (fn)
			fn(arg, line + lines, s, take);
		lines++;
		s += take;
		len -= take;
		while (len > 0 && *s == ' ' && take != 0) {
			s++;
			len--;
		}
	}
	return lines;
}

/* Sanitizes each paragraph of text (the task's name comes from the
 * program) and wraps it; returns the total number of lines. */
static int panes_wrap(const char *text, int width, wrap_fn *fn, void *arg)
{
	char para[1024], safe[4 * sizeof para + 1];
	int lines = 0;
	if (width < 1)
		width = 1;
	while (*text) {
		const char *nl = strchr(text, '\n');
		size_t n = nl ? (size_t)(nl - text) : strlen(text);
		if (n >= sizeof para)
			n = sizeof para - 1;
		memcpy(para, text, n);
		para[n] = '\0';
		report_sanitize(para, safe, sizeof safe);
		lines += panes_wrap_para(safe, width, lines, fn, arg);
		text = nl ? nl + 1 : text + strlen(text);
	}
	return lines;
}

static const char *panes_explain_text(const struct tui *t, char *buf, size_t len)
{
	const struct task *k = view_selected(t);
	if (!k) {
		snprintf(buf, len, "No row is selected: launch a program (: or F2) to see it explained.");
		return buf;
	}
	explain_task(k, panels_owner(t), t->deadlocks, buf, len);
	return buf;
}

struct explain_draw {
	int y0, top, rows;
};

static void panes_explain_line(void *arg, int line, const char *s, size_t len)
{
	const struct explain_draw *d = arg;
	int y = line - d->top;
	if (y < 0 || y >= d->rows)
		return;
	char buf[4096];
	if (len >= sizeof buf)
		len = sizeof buf - 1;
	memcpy(buf, s, len);
	buf[len] = '\0';
	text_put(d->y0 + y, 1, buf, COLS - 2, A_NORMAL);
}

static int panes_explain_lines(const struct tui *t)
{
	static char text[PANES_EXPLAIN_MAX];
	return panes_wrap(panes_explain_text(t, text, sizeof text), COLS - 2, NULL, NULL);
}

static void panes_explain_draw(struct tui *t, int y, int height)
{
	static char text[PANES_EXPLAIN_MAX];
	const struct task *k = view_selected(t);
	char title[96];
	if (k)
		snprintf(title, sizeof title, " Explain: %s %d", task_is_thread(k) ? "thread" : "PID",
			 (int)k->tid);
	else
		snprintf(title, sizeof title, " Explain");
	panes_title(t, y, title, t->panes.focus ? "Up/Down scroll  Tab table  E hides " :
			"Tab scrolls  E hides ");
	panes_explain_text(t, text, sizeof text);
	int rows = height - 1;
	int total = panes_wrap(text, COLS - 2, NULL, NULL);
	int max_top = total - rows > 0 ? total - rows : 0;
	if (t->panes.explain_top > max_top)
		t->panes.explain_top = max_top;
	if (t->panes.explain_top < 0)
		t->panes.explain_top = 0;
	struct explain_draw d = { y + 1, t->panes.explain_top, rows };
	panes_wrap(text, COLS - 2, panes_explain_line, &d);
}

/* ---- layout ----------------------------------------------------------- */

/* Lines the open pane would like, title included. */
static int panes_want(const struct tui *t, int body)
{
	if (t->panes.kind == PANE_EXPLAIN)
		return panes_explain_lines(t) + 1;
	int want = body * 2 / 5;
	return want > 6 ? want : 6;
}

int panes_height(const struct tui *t)
{
	if (t->panes.kind == PANE_NONE)
		return 0;
	int body = tui_body_lines(t) - 1;        /* the column titles */
	int room = body - PANES_MIN_TASK_ROWS;
	if (room < 2)
		room = body - PANES_LEAST_TASK_ROWS;
	if (room < 2)
		return 0;
	int want = panes_want(t, body);
	return want < room ? want : room;
}

void panes_title(const struct tui *t, int y, const char *title, const char *hint)
{
	attr_t a = t->attr[UI_TITLE];
	text_fill(y, 0, COLS, a);
	int x = text_put(y, 0, title, COLS, a | A_BOLD);
	if (t->panes.focus)
		x += text_put(y, x, " [keys here]", COLS - x, a);
	int w = text_width(hint);
	if (COLS - w > x + 2)
		text_put(y, COLS - w, hint, w, a);
}

size_t panes_window(size_t n, size_t bottom, int rows)
{
	if (rows <= 0 || n == 0)
		return 0;
	return bottom + 1 > (size_t)rows ? bottom + 1 - (size_t)rows : 0;
}

void panes_draw(struct tui *t, int y, int height)
{
	if (height < 2)
		return;
	switch (t->panes.kind) {
	case PANE_LOG:
		panes_log_draw(t, y, height);
		break;
	case PANE_EXPLAIN:
		panes_explain_draw(t, y, height);
		break;
	case PANE_OUTPUT:
		panes_output_draw(t, y, height);
		break;
	case PANE_NONE:
	case PANE_KIND_COUNT:
		break;
	}
}

/* ---- keys ------------------------------------------------------------- */

enum tui_reaction panes_toggle(struct tui *t, enum pane_kind kind)
{
	struct panes *p = &t->panes;
	static const char *const names[PANE_KIND_COUNT] = { "", "event log", "explanation",
							    "output" };
	if (p->kind == kind) {
		p->kind = PANE_NONE;
		p->focus = false;
		tui_message(t, false, "%s hidden", names[kind]);
		return TUI_REDRAW;
	}
	p->kind = kind;
	p->explain_top = 0;
	if (panes_height(t) == 0)
		tui_message(t, true, "the terminal is too short for the %s", names[kind]);
	return TUI_REDRAW;
}

bool panes_focus_toggle(struct tui *t)
{
	struct panes *p = &t->panes;
	if (p->kind == PANE_NONE)
		return false;
	p->focus = !p->focus;
	tui_message(t, false, "%s", p->focus ? "keys go to the pane: Up/Down/PgUp/PgDn/Home/End "
		    "scroll, Tab goes back to the table" : "keys go to the table");
	return true;
}

bool panes_focused(const struct tui *t)
{
	return t->panes.kind != PANE_NONE && t->panes.focus && panes_height(t) > 0;
}

/* The number of lines of the open log/output pane and the seq of line i. */
static size_t panes_count(struct tui *t, const struct program **pr)
{
	*pr = NULL;
	if (t->panes.kind == PANE_LOG)
		return panes_log_count(t);
	*pr = panes_output_program(t);
	return *pr ? panes_output_lines(t, *pr) : 0;
}

static uint64_t panes_seq(struct tui *t, const struct program *pr, size_t i)
{
	if (t->panes.kind == PANE_LOG)
		return panes_log_seq(t, i);
	return output_get(pr->out, i).seq;
}

size_t panes_bottom(struct tui *t, const struct program *pr, size_t n)
{
	uint64_t a = t->panes.anchor[t->panes.kind];
	if (n == 0)
		return 0;
	if (a == 0 || panes_seq(t, pr, n - 1) <= a)
		return n - 1;
	size_t lo = 0, hi = n;          /* the last line with seq <= a */
	while (hi - lo > 1) {
		size_t mid = lo + (hi - lo) / 2;
		if (panes_seq(t, pr, mid) <= a)
			lo = mid;
		else
			hi = mid;
	}
	return lo;
}

void panes_set_bottom(struct tui *t, const struct program *pr, size_t n, size_t bottom)
{
	uint64_t *a = &t->panes.anchor[t->panes.kind];
	*a = n == 0 || bottom + 1 >= n ? 0 : panes_seq(t, pr, bottom);
}

void panes_scroll(struct tui *t, int how)
{
	int page = panes_height(t) - 2;
	long step = how == 1 || how == -1 ? 1 : how == 2 || how == -2 ? (page > 0 ? page : 1) :
		    1L << 30;
	if (how < 0)
		step = -step;
	if (t->panes.kind == PANE_EXPLAIN) {
		long top = t->panes.explain_top + step;    /* clamped when drawn */
		t->panes.explain_top = top < 0 ? 0 : top > 1L << 20 ? 1 << 20 : (int)top;
		return;
	}
	const struct program *pr;
	size_t n = panes_count(t, &pr);
	if (n == 0)
		return;
	long b = (long)panes_bottom(t, pr, n);
	/* The bottom line must leave a full window above it. */
	long least = page < (long)n - 1 ? page : (long)n - 1;
	b += step;
	if (b < least)
		b = least;
	if (b > (long)n - 1)
		b = (long)n - 1;
	panes_set_bottom(t, pr, n, (size_t)b);
}
