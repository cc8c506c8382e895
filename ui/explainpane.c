/* explainpane.c - the explanation pane (E): the selected row explained in
 * sentences, each paragraph sanitized (the task's name comes from the
 * program) and wrapped at spaces to the width of the screen. */
#include "explainpane.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "model/explain.h"
#include "model/tasktree.h"
#include "panels.h"
#include "report/report.h"
#include "text.h"
#include "tui_state.h"
#include "util/escape.h"
#include "util/util.h"
#include "view.h"

#define EXPLAINPANE_TEXT_MAX 8192

struct explainpane {
	int top;                        /* first line shown */
};

struct explainpane *explainpane_new(void)
{
	return xcalloc(1, sizeof(struct explainpane));
}

void explainpane_free(struct explainpane *e)
{
	free(e);
}

/* Calls fn for every screen line of s wrapped to width columns: breaks at
 * the last space that fits, or mid-word when a word is longer than a line.
 * Returns the number of lines. */
typedef explainpane_wrap_fn wrap_fn;

static int explainpane_wrap_para(const char *s, int width, int line, wrap_fn *fn, void *arg)
{
	size_t len = strlen(s);
	if (len == 0) {
		if (fn)
			fn(arg, line, s, 0);
		return 1;
	}
	int lines = 0;
	while (len > 0) {
		size_t take = text_fit(s, len, width);
		if (take == 0)
			take = 1;                 /* a character wider than the pane */
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

int explainpane_wrap(const char *text, int width, wrap_fn *fn, void *arg)
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
		escape_text(para, safe, sizeof safe);
		lines += explainpane_wrap_para(safe, width, lines, fn, arg);
		text = nl ? nl + 1 : text + strlen(text);
	}
	return lines;
}

static const char *explainpane_text(const struct tui *t, char *buf, size_t len)
{
	const struct task *k = view_selected(t);
	const struct exit_tally *fold = view_selected_fold(t);
	if (fold) {
		char tally[256];
		tasktree_fold_text(fold, tally, sizeof tally);
		snprintf(buf, len, "%s\nA parent lists its live children first and then at most %d "
			 "exited ones; the rest of its exited tasks are counted in this row so that a "
			 "fork storm cannot bury the live ones. Enter lists them all; Enter again folds "
			 "them. The event log (e) keeps every exit.", tally, TASKTREE_EXITED_CAP);
		return buf;
	}
	if (!k) {
		snprintf(buf, len, "No row is selected: launch a program (: or F2) to see it explained.");
		return buf;
	}
	size_t used = explain_task(k, panels_owner(t), tui_deadlocks(t), buf, len);
	const char *w = !k->exited ? tui_wait(t, k->tid) : NULL;
	if (w && used + 16 < len) {
		char safe[256];
		escape_text(w, safe, sizeof safe);
		snprintf(buf + used, len - used, "\nWaiting now (inferred from the kernel): %s.", safe);
	}
	return buf;
}

struct explain_draw {
	int y0, top, rows;
};

static void explainpane_line(void *arg, int line, const char *s, size_t len)
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
	text_put(d->y0 + y, 1, buf, text_cols() - 2, A_NORMAL);
}

static int explainpane_want(const struct tui *t, int room)
{
	(void)room;
	static char text[EXPLAINPANE_TEXT_MAX];
	return explainpane_wrap(explainpane_text(t, text, sizeof text), text_cols() - 2, NULL, NULL) + 1;
}

/* The title says which lines show when not all fit, so a reader knows
 * the lesson goes on below (Tab, then Down or PgDn, scrolls it). */
static void explainpane_draw(struct tui *t, int y, int height, bool focused)
{
	static char text[EXPLAINPANE_TEXT_MAX];
	struct explainpane *e = t->explainpane;
	const struct task *k = view_selected(t);
	char title[128];
	explainpane_text(t, text, sizeof text);
	int rows = height - 1;
	int total = explainpane_wrap(text, text_cols() - 2, NULL, NULL);
	int max_top = total - rows > 0 ? total - rows : 0;
	if (e->top > max_top)
		e->top = max_top;
	if (e->top < 0)
		e->top = 0;
	int n = k ? snprintf(title, sizeof title, " Explain: %s %d",
			     task_is_thread(k) ? "thread" : "PID", (int)k->tid) :
		    snprintf(title, sizeof title, " Explain");
	if (max_top > 0 && n > 0 && (size_t)n < sizeof title)
		snprintf(title + n, sizeof title - (size_t)n, "  lines %d-%d of %d", e->top + 1,
			 e->top + rows, total);
	panes_title(t, y, title, focused ? "Up/Down scroll  Tab next  E hides " :
		    "Tab scrolls  E hides ", focused);
	struct explain_draw d = { y + 1, e->top, rows };
	explainpane_wrap(text, text_cols() - 2, explainpane_line, &d);
}

static void explainpane_scroll(struct tui *t, int how, int page)
{
	long top = t->explainpane->top + panes_scroll_step(how, page);    /* clamped when drawn */
	t->explainpane->top = top < 0 ? 0 : top > 1L << 20 ? 1 << 20 : (int)top;
}

static void explainpane_opened(struct tui *t)
{
	t->explainpane->top = 0;
}

const struct pane_ops explainpane_ops = {
	.name = "explanation",
	.squeeze = true,
	.want = explainpane_want,
	.draw = explainpane_draw,
	.scroll_by = explainpane_scroll,
	.opened = explainpane_opened,
};
