/* prompt.c - the one-line editor on the status line and what each prompt
 * does with its line: launch it, search for it, or filter by it. */
#include "prompt.h"

#include <stdlib.h>
#include <string.h>

#include "act.h"
#include "demomenu.h"
#include "logpane.h"
#include "outpane.h"
#include "panels_knobs.h"
#include "setup.h"
#include "text.h"
#include "tui_state.h"
#include "util/util.h"
#include "view.h"

struct prompt {
	enum prompt_kind kind;
	char buf[PROMPT_MAX];           /* UTF-8 as typed, NUL-terminated */
	size_t len, cur;                /* bytes; cur is on a character start */
	bool nomatch;                   /* search found nothing: drawn as an error */
	pid_t saved_tid;                /* selection when a search began, for Esc */
	unsigned long long saved_start;
	size_t saved_sel;
	char *hist[PROMPT_HISTORY];     /* launched lines, oldest first */
	size_t nhist, hist_pos;         /* hist_pos == nhist: not browsing */
	bool trace;                     /* the launch prompt opens with --trace */
};

struct prompt *prompt_new(void)
{
	return xcalloc(1, sizeof(struct prompt));
}

/* What a kind of prompt does; hooks may be NULL. */
struct prompt_def {
	const char *label;
	const char *placeholder;   /* greyed while the line is empty */
	size_t max;                /* longest line in bytes */
	bool history;              /* Up/Down recall earlier lines */
	void (*open)(struct tui *t);
	enum tui_reaction (*change)(struct tui *t);
	enum tui_reaction (*enter)(struct tui *t, const struct tui_actions *a);
	enum tui_reaction (*cancel)(struct tui *t);
	bool (*key)(struct tui *t, int ch);      /* extra keys; true if used */
	/* The label made for this opening (replaces label), or NULL. */
	void (*label_of)(const struct tui *t, char *buf, size_t len);
};

/* ---- the editor ------------------------------------------------------ */

static bool prompt_cont(char c)
{
	return ((unsigned char)c & 0xc0) == 0x80;   /* UTF-8 continuation byte */
}

static size_t prompt_prev(const struct prompt *p, size_t i)
{
	while (i > 0 && prompt_cont(p->buf[--i]))
		;
	return i;
}

static size_t prompt_next(const struct prompt *p, size_t i)
{
	while (i < p->len && prompt_cont(p->buf[++i]))
		;
	return i;
}

static void prompt_cut(struct prompt *p, size_t from, size_t to)
{
	memmove(p->buf + from, p->buf + to, p->len - to + 1);
	p->len -= to - from;
	p->cur = from;
}

static void prompt_set(struct prompt *p, const char *s)
{
	size_t n = strlen(s);
	if (n >= sizeof p->buf)
		n = sizeof p->buf - 1;
	memcpy(p->buf, s, n);
	p->buf[n] = '\0';
	p->len = p->cur = n;
}

static enum prompt_edit prompt_history(struct prompt *p, int dir)
{
	if (dir < 0 && p->hist_pos > 0)
		p->hist_pos--;
	else if (dir > 0 && p->hist_pos < p->nhist)
		p->hist_pos++;
	else
		return EDIT_MOVED;
	prompt_set(p, p->hist_pos < p->nhist ? p->hist[p->hist_pos] : "");
	return EDIT_CHANGED;
}

static enum prompt_edit prompt_insert(struct prompt *p, int ch, size_t max)
{
	if (p->len + 1 > max || p->len + 1 >= sizeof p->buf)
		return EDIT_MOVED;       /* full: the key is swallowed */
	memmove(p->buf + p->cur + 1, p->buf + p->cur, p->len - p->cur + 1);
	p->buf[p->cur++] = (char)ch;
	p->len++;
	return EDIT_CHANGED;
}

static enum prompt_edit prompt_delete_word(struct prompt *p)
{
	size_t i = p->cur;
	while (i > 0 && p->buf[i - 1] == ' ')
		i--;
	while (i > 0 && p->buf[i - 1] != ' ')
		i--;
	prompt_cut(p, i, p->cur);
	return EDIT_CHANGED;
}

#define CTRL(c) ((c) & 0x1f)

enum prompt_edit prompt_edit(struct prompt *p, int ch)
{
	switch (ch) {
	case '\n': case '\r': case KEY_ENTER: return EDIT_ENTER;
	case 27: case CTRL('g'): case KEY_F(10): return EDIT_CANCEL;
	case KEY_LEFT: case CTRL('b'): p->cur = prompt_prev(p, p->cur); return EDIT_MOVED;
	case KEY_RIGHT: case CTRL('f'): p->cur = prompt_next(p, p->cur); return EDIT_MOVED;
	case KEY_HOME: case CTRL('a'): p->cur = 0; return EDIT_MOVED;
	case KEY_END: case CTRL('e'): p->cur = p->len; return EDIT_MOVED;
	case KEY_UP: return prompt_history(p, -1);
	case KEY_DOWN: return prompt_history(p, +1);
	case CTRL('u'): prompt_cut(p, 0, p->cur); return EDIT_CHANGED;
	case CTRL('k'): prompt_cut(p, p->cur, p->len); return EDIT_CHANGED;
	case CTRL('w'): return prompt_delete_word(p);
	case KEY_BACKSPACE: case 127: case CTRL('h'):
		if (p->cur == 0)
			return EDIT_MOVED;
		prompt_cut(p, prompt_prev(p, p->cur), p->cur);
		return EDIT_CHANGED;
	case KEY_DC: case CTRL('d'):
		if (p->cur == p->len)
			return EDIT_MOVED;
		prompt_cut(p, p->cur, prompt_next(p, p->cur));
		return EDIT_CHANGED;
	}
	/* Bytes 0x80-0xff are pieces of UTF-8 characters typed by the user:
	 * kept as they come, checked again when drawn. */
	if (ch >= ' ' && ch <= 0xff && ch != 127)
		return prompt_insert(p, ch, sizeof p->buf - 1);
	return EDIT_NONE;
}

/* ---- what each prompt is for ------------------------------------------ */

static void search_open(struct tui *t)
{
	struct prompt *p = t->prompt;
	prompt_set(p, "");
	p->saved_sel = t->sel;
	p->saved_tid = t->sel_known ? t->sel_id.tid : 0;
	p->saved_start = t->sel_known ? t->sel_id.start : 0;
}

static void search_restore(struct tui *t)
{
	struct prompt *p = t->prompt;
	size_t i = view_index_of(t, p->saved_tid, p->saved_start);
	view_select(t, i < t->nrows ? i : p->saved_sel);
}

/* Incremental: each keystroke jumps to the first match at or after the
 * row where the search began. */
static enum tui_reaction search_change(struct tui *t)
{
	struct prompt *p = t->prompt;
	if (p->len == 0) {
		p->nomatch = false;
		search_restore(t);
		return TUI_REDRAW;
	}
	size_t from = view_index_of(t, p->saved_tid, p->saved_start);
	p->nomatch = !view_find(t, p->buf, from < t->nrows ? from : p->saved_sel, +1);
	return TUI_REDRAW;
}

static bool search_key(struct tui *t, int ch)
{
	struct prompt *p = t->prompt;
	if (ch != KEY_F(3) || p->len == 0)
		return false;
	p->nomatch = !view_find(t, p->buf, t->sel + 1, +1);
	return true;
}

static enum tui_reaction search_enter(struct tui *t, const struct tui_actions *a)
{
	(void)a;
	struct prompt *p = t->prompt;
	if (p->len == 0)
		return TUI_REDRAW;
	memcpy(t->search, p->buf, p->len < sizeof t->search ? p->len + 1 : sizeof t->search);
	t->search[sizeof t->search - 1] = '\0';
	if (p->nomatch)
		tui_message(t, true, "no task matches \"%s\"", t->search);
	return TUI_REDRAW;
}

static enum tui_reaction search_cancel(struct tui *t)
{
	search_restore(t);
	return TUI_REDRAW;
}

static void filter_open(struct tui *t)
{
	prompt_set(t->prompt, t->filter);
}

/* Incremental too: the table narrows as the user types. */
static enum tui_reaction filter_change(struct tui *t)
{
	struct prompt *p = t->prompt;
	size_t n = p->len < sizeof t->filter - 1 ? p->len : sizeof t->filter - 1;
	memcpy(t->filter, p->buf, n);
	t->filter[n] = '\0';
	view_rebuild(t);
	return TUI_REDRAW;
}

static enum tui_reaction filter_enter(struct tui *t, const struct tui_actions *a)
{
	(void)a;
	filter_change(t);
	if (t->filter[0])
		tui_message(t, false, "filter \"%s\": %zu of %zu rows", t->filter, t->nrows,
			    t->ntasks);
	return TUI_REDRAW;
}

static enum tui_reaction filter_cancel(struct tui *t)
{
	t->filter[0] = '\0';
	view_rebuild(t);
	tui_message(t, false, "filter cleared");
	return TUI_REDRAW;
}

static void launch_open(struct tui *t)
{
	prompt_set(t->prompt, t->prompt->trace ? PROMPT_TRACE : "");
	t->prompt->hist_pos = t->prompt->nhist;
}

static void launch_remember(struct prompt *p)
{
	if (p->nhist && strcmp(p->hist[p->nhist - 1], p->buf) == 0)
		return;
	if (p->nhist == PROMPT_HISTORY) {
		free(p->hist[0]);
		memmove(p->hist, p->hist + 1, (PROMPT_HISTORY - 1) * sizeof p->hist[0]);
		p->nhist--;
	}
	p->hist[p->nhist++] = xstrdup(p->buf);
}

/* Ctrl-T: adds or removes the "--trace " prefix, which launches the
 * command with libconcmon-trace.so preloaded (its locks traced). */
static bool launch_key(struct tui *t, int ch)
{
	static const char prefix[] = PROMPT_TRACE;
	const size_t n = sizeof prefix - 1;
	struct prompt *p = t->prompt;
	if (ch != ('t' & 0x1f))
		return false;
	if (p->len >= n && memcmp(p->buf, prefix, n) == 0) {
		memmove(p->buf, p->buf + n, p->len - n + 1);
		p->len -= n;
		p->cur = p->cur > n ? p->cur - n : 0;
	} else if (p->len + n < sizeof p->buf) {
		memmove(p->buf + n, p->buf, p->len + 1);
		memcpy(p->buf, prefix, n);
		p->len += n;
		p->cur += n;
	}
	return true;
}

static enum tui_reaction launch_enter(struct tui *t, const struct tui_actions *a)
{
	struct prompt *p = t->prompt;
	if (p->len == 0)
		return TUI_REDRAW;
	launch_remember(p);
	return act_launch(t, a, p->buf);
}

static void find_open(struct tui *t)
{
	prompt_set(t->prompt, outpane_find_text(t));
}

static enum tui_reaction find_enter(struct tui *t, const struct tui_actions *a)
{
	(void)a;
	outpane_find(t, t->prompt->buf);
	return TUI_REDRAW;
}

static void logfind_open(struct tui *t)
{
	prompt_set(t->prompt, logpane_find_text(t));
}

static enum tui_reaction logfind_enter(struct tui *t, const struct tui_actions *a)
{
	(void)a;
	logpane_find(t, t->prompt->buf);
	return TUI_REDRAW;
}

static void logpid_open(struct tui *t)
{
	prompt_set(t->prompt, "");
}

static enum tui_reaction logpid_enter(struct tui *t, const struct tui_actions *a)
{
	(void)a;
	logpane_set_pid(t, t->prompt->buf);
	return TUI_REDRAW;
}

static void knob_open(struct tui *t)
{
	char v[32];
	panels_knob_prefill(t, v, sizeof v);
	prompt_set(t->prompt, v);
}

static enum tui_reaction knob_enter(struct tui *t, const struct tui_actions *a)
{
	return panels_knob_typed(t, a, t->prompt->buf);
}

static void demo_open(struct tui *t)
{
	char v[PROMPT_MAX];
	demomenu_knobs_prefill(t, v, sizeof v);
	prompt_set(t->prompt, v);
}

static enum tui_reaction demo_enter(struct tui *t, const struct tui_actions *a)
{
	return demomenu_launch_with(t, a, t->prompt->buf);
}

static void setting_open(struct tui *t)
{
	char v[PROMPT_MAX];
	setup_prompt_prefill(t, v, sizeof v);
	prompt_set(t->prompt, v);
}

static enum tui_reaction setting_enter(struct tui *t, const struct tui_actions *a)
{
	(void)a;
	return setup_typed(t, t->prompt->buf);
}

static const struct prompt_def prompt_defs[PROMPT_KIND_COUNT] = {
	[PROMPT_LAUNCH] = { "Launch: ", "command line, e.g. sleep 60 (Enter runs, ^T traces, Esc cancels)",
			    PROMPT_MAX - 1, true, launch_open, NULL, launch_enter, NULL, launch_key, NULL },
	[PROMPT_SEARCH] = { "Search: ", "PID, name or command line (F3 next, Enter keeps, Esc back)",
			    TUI_TEXT_MAX - 1, false, search_open, search_change, search_enter,
			    search_cancel, search_key, NULL },
	[PROMPT_FILTER] = { "Filter: ", "show only PID, name or command line containing this",
			    TUI_TEXT_MAX - 1, false, filter_open, filter_change, filter_enter,
			    filter_cancel, NULL, NULL },
	[PROMPT_FIND] = { "Find in output: ", "text (Enter finds the newest match, n older, N newer)",
			  OUTPANE_FIND_MAX - 1, false, find_open, NULL, find_enter, NULL, NULL, NULL },
	[PROMPT_LOGPID] = { "Event log PID: ", "a PID, or 0 / empty for every event",
			    15, false, logpid_open, NULL, logpid_enter, NULL, NULL, NULL },
	[PROMPT_LOGFIND] = { "Find in events: ", "text, e.g. zombie or a PID (Enter finds the newest match, n older, N newer)",
			     LOGPANE_FIND_MAX - 1, false, logfind_open, NULL, logfind_enter, NULL, NULL, NULL },
	[PROMPT_KNOB] = { "Knob: ", "a whole number in the range (Enter sets, Esc cancels)", 30, false,
			  knob_open, NULL, knob_enter, NULL, NULL, panels_knob_label },
	[PROMPT_DEMO] = { "Demo: ", "knobs as name=value,... (Enter launches, Esc back to the menu)",
			  PROMPT_MAX - 1, false, demo_open, NULL, demo_enter, NULL, NULL,
			  demomenu_knobs_label },
	[PROMPT_SETTING] = { "Setting: ", "a value (Enter sets, Esc back to the setup screen)", 255,
			     false, setting_open, NULL, setting_enter, NULL, NULL, setup_prompt_label },
};

/* ---- the prompt as a mode --------------------------------------------- */

void prompt_open(struct tui *t, enum prompt_kind kind)
{
	struct prompt *p = t->prompt;
	p->kind = kind;
	p->nomatch = false;
	prompt_defs[kind].open(t);
	tui_mode_push(t, &prompt_mode);
}

static enum tui_reaction prompt_key(struct tui *t, const struct tui_actions *a, int ch)
{
	struct prompt *p = t->prompt;
	const struct prompt_def *d = &prompt_defs[p->kind];
	if (d->key && d->key(t, ch))
		return TUI_REDRAW;
	if (!d->history && (ch == KEY_UP || ch == KEY_DOWN))
		return TUI_NONE;
	if (ch >= ' ' && ch <= 0xff && ch != 127 && p->len >= d->max)
		return TUI_NONE;
	switch (prompt_edit(p, ch)) {
	case EDIT_ENTER:
		tui_mode_pop(t);
		return d->enter(t, a) | TUI_REDRAW;
	case EDIT_CANCEL:
		tui_mode_pop(t);
		return (d->cancel ? d->cancel(t) : TUI_NONE) | TUI_REDRAW;
	case EDIT_CHANGED:
		return (d->change ? d->change(t) : TUI_NONE) | TUI_REDRAW;
	case EDIT_MOVED:
		return TUI_REDRAW;
	case EDIT_NONE:
		break;
	}
	return TUI_NONE;
}

/* Draws the prompt on line y; returns the cursor's column. */
static int prompt_line(const struct tui *t, int y)
{
	const struct prompt *p = t->prompt;
	const struct prompt_def *d = &prompt_defs[p->kind];
	char label[TUI_TEXT_MAX];
	if (d->label_of)
		d->label_of(t, label, sizeof label);
	int x = text_put(y, 0, d->label_of ? label : d->label, COLS, t->attr[UI_HEADER]);
	int avail = COLS - x - 1;     /* the cursor needs a cell after the text */
	if (avail <= 0)
		return COLS - 1;
	/* Scroll horizontally so the cursor stays on screen. */
	size_t start = 0;
	while (start < p->cur && text_width_n(p->buf + start, p->cur - start) > avail)
		start = prompt_next(p, start);
	int cx = x + text_width_n(p->buf + start, p->cur - start);
	text_put(y, x, p->buf + start, avail, t->attr[p->nomatch ? UI_ERROR : UI_NORMAL]);
	if (p->len == 0)
		text_put(y, x + 1, d->placeholder, avail - 1, t->attr[UI_GREY]);
	return cx < COLS ? cx : COLS - 1;
}

static void prompt_draw(struct tui *t)
{
	text_fill(LINES - 1, 0, COLS, A_NORMAL);
	tui_set_cursor(t, LINES - 1, prompt_line(t, LINES - 1));
}

const struct tui_mode prompt_mode = {
	.name = "prompt",
	.key = prompt_key,
	.draw = prompt_draw,
};

void prompt_set_trace(struct prompt *p, bool on)
{
	p->trace = on;
}

void prompt_free(struct prompt *p)
{
	if (!p)
		return;
	for (size_t i = 0; i < p->nhist; i++)
		free(p->hist[i]);
	free(p);
}
