/* menu.c - the signal and sort menus: one table row per kind of menu, one
 * set of keys and one drawing routine for both. */
#include "menu.h"

#include <ctype.h>
#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "act.h"
#include "model/sigtable.h"
#include "model/tasktree.h"
#include "mouse.h"
#include "text.h"
#include "tui_state.h"
#include "util/util.h"
#include "view.h"

#define MENU_JUMP_MAX 16

/* An open menu: which one, where its cursor is, and what was typed to
 * jump (a signal number or a name prefix). The signal menu keeps the task
 * it was opened on: if that task is gone when a signal is chosen, the
 * signal goes nowhere, never to the row that took its place. */
struct menu {
	enum menu_kind kind;
	size_t cur, top;
	char jump[MENU_JUMP_MAX];
	size_t jlen;
	bool targeted;                  /* opened on the selected task, nothing tagged */
	pid_t target_tid;
	unsigned long long target_start;
	char target_who[ACT_WHO_MAX];   /* "1234 (sleep)" */
	size_t clicked;                 /* the item clicked last, +1 (0: none) */
};

struct menu *menu_new(void)
{
	return xcalloc(1, sizeof(struct menu));
}

void menu_free(struct menu *m)
{
	free(m);
}

struct menu_def {
	const char *hint;   /* keys, in the bottom border */
	size_t (*count)(const struct tui *t);
	size_t (*initial)(const struct tui *t);
	void (*title)(const struct tui *t, char *buf, size_t len);
	void (*label)(const struct tui *t, size_t i, char *buf, size_t len);
	bool (*jump)(const struct tui *t, size_t i, const char *typed);
	enum tui_reaction (*choose)(struct tui *t, const struct tui_actions *a, size_t i);
};

static size_t sig_count(const struct tui *t)
{
	(void)t;
	size_t n;
	sigtable(&n);
	return n;
}

static size_t sig_initial(const struct tui *t)
{
	(void)t;
	size_t n;
	const struct sigdesc *s = sigtable(&n);
	for (size_t i = 0; i < n; i++)
		if (s[i].signo == SIGTERM)
			return i;
	return 0;
}

/* Where the signal menu's task is in the rows now; t->nrows when gone. */
static size_t sig_target_row(const struct tui *t)
{
	return view_index_of(t, t->menu->target_tid, t->menu->target_start);
}

static void sig_title(const struct tui *t, char *buf, size_t len)
{
	if (t->ntags) {
		snprintf(buf, len, "Send a signal to %zu tagged task%s", t->ntags,
			 t->ntags == 1 ? "" : "s");
	} else if (t->menu->targeted) {
		snprintf(buf, len, "Send a signal to %s%s", t->menu->target_who,
			 sig_target_row(t) < t->nrows ? "" : " (gone)");
	} else {
		snprintf(buf, len, "Send a signal (no task selected)");
	}
}

static void sig_label(const struct tui *t, size_t i, char *buf, size_t len)
{
	(void)t;
	size_t n;
	const struct sigdesc *s = sigtable(&n);
	char name[32];
	snprintf(name, sizeof name, "SIG%s", s[i].name);
	snprintf(buf, len, "%3d %-12s %s", s[i].signo, name, s[i].what);
}

/* "15" finds SIGTERM by number; "te", "TERM" or "sigte" by name. */
static bool sig_jump(const struct tui *t, size_t i, const char *typed)
{
	(void)t;
	size_t n;
	const struct sigdesc *s = sigtable(&n);
	size_t tl = strlen(typed);
	if (isdigit((unsigned char)typed[0])) {
		char num[16];
		snprintf(num, sizeof num, "%d", s[i].signo);
		return strcmp(num, typed) == 0;
	}
	char full[32];
	snprintf(full, sizeof full, "SIG%s", s[i].name);
	return strncasecmp(s[i].name, typed, tl) == 0 || strncasecmp(full, typed, tl) == 0;
}

static enum tui_reaction sig_choose(struct tui *t, const struct tui_actions *a, size_t i)
{
	size_t n;
	const struct sigdesc *s = sigtable(&n);
	if (t->menu->targeted && !t->ntags) {
		size_t row = sig_target_row(t);
		if (row >= t->nrows) {
			char name[32];
			act_signame(s[i].signo, name, sizeof name);
			tui_message(t, true, "%s to %s: %s", name, t->menu->target_who, strerror(ESRCH));
			return TUI_REDRAW;
		}
		view_select(t, row);
	}
	return act_signal(t, a, s[i].signo);
}

/* The sort menu lists the shown columns, in their order. */
static size_t sort_count(const struct tui *t)
{
	return t->ncols;
}

static size_t sort_initial(const struct tui *t)
{
	for (size_t i = 0; i < t->ncols; i++)
		if (t->cols[i] == t->opts.sort)
			return i;
	return 0;
}

static void sort_title(const struct tui *t, char *buf, size_t len)
{
	snprintf(buf, len, "Sort by (now %s, %s; I inverts)", tasktree_sort_name(t->opts.sort),
		 t->opts.descending ? "descending" : "ascending");
}

static void sort_label(const struct tui *t, size_t i, char *buf, size_t len)
{
	snprintf(buf, len, "%s %s", t->opts.sort == t->cols[i] ? "*" : " ",
		 tasksort_column_name(t->cols[i]));
}

static bool sort_jump(const struct tui *t, size_t i, const char *typed)
{
	return strncasecmp(tasksort_column_name(t->cols[i]), typed, strlen(typed)) == 0;
}

static enum tui_reaction sort_choose(struct tui *t, const struct tui_actions *a, size_t i)
{
	(void)a;
	t->opts.sort = t->cols[i];
	view_rebuild(t);
	tui_message(t, false, "sorted by %s", tasktree_sort_name(t->opts.sort));
	return TUI_REDRAW;
}

static const struct menu_def menu_defs[MENU_KIND_COUNT] = {
	[MENU_SIGNAL] = { "Enter send  Esc cancel  type a number or name to jump",
			  sig_count, sig_initial, sig_title, sig_label, sig_jump, sig_choose },
	[MENU_SORT] = { "Enter choose  Esc cancel", sort_count, sort_initial, sort_title,
			sort_label, sort_jump, sort_choose },
};

/* Where the box goes: centred, as wide as its longest line allows. */
struct menu_box {
	int y, x, h, w;
};

static struct menu_box menu_geometry(const struct tui *t)
{
	const struct menu_def *d = &menu_defs[t->menu->kind];
	char buf[TUI_TEXT_MAX * 2];
	size_t n = d->count(t);
	d->title(t, buf, sizeof buf);
	int w = text_width(buf) + 6;
	int hw = text_width(d->hint) + 6;
	if (hw > w)
		w = hw;
	for (size_t i = 0; i < n; i++) {
		d->label(t, i, buf, sizeof buf);
		int lw = text_width(buf) + 4;
		if (lw > w)
			w = lw;
	}
	struct menu_box b;
	b.w = w < COLS - 2 ? w : COLS - 2;
	/* Centred in what the meters leave, so the header stays in sight. */
	int top = tui_meter_lines(t), room = LINES - top;
	b.h = (int)n + 2 < room - 2 ? (int)n + 2 : room - 2;
	b.y = top + (room - b.h) / 2;
	b.x = (COLS - b.w) / 2;
	return b;
}

void menu_open(struct tui *t, enum menu_kind kind)
{
	memset(t->menu, 0, sizeof *t->menu);
	t->menu->kind = kind;
	const struct task *k = view_selected(t);
	if (kind == MENU_SIGNAL && !t->ntags && k) {
		t->menu->targeted = true;
		t->menu->target_tid = k->tid;
		t->menu->target_start = k->start_ticks;
		act_describe(k, t->menu->target_who, sizeof t->menu->target_who);
	}
	t->menu->cur = menu_defs[kind].initial(t);
	tui_mode_push(t, &menu_mode);
}

/* Moves to the first item matching what was typed; stays put if none. */
static void menu_jump(struct tui *t)
{
	const struct menu_def *d = &menu_defs[t->menu->kind];
	size_t n = d->count(t);
	if (t->menu->jlen == 0)
		return;
	for (size_t i = 0; i < n; i++) {
		if (d->jump(t, i, t->menu->jump)) {
			t->menu->cur = i;
			return;
		}
	}
}

static bool menu_typed(struct menu *m, int ch)
{
	if (ch == KEY_BACKSPACE || ch == 127 || ch == 8) {
		if (m->jlen)
			m->jump[--m->jlen] = '\0';
		return true;
	}
	if (ch > 0 && ch < 128 && (isalnum(ch) || ch == '+' || ch == '-')) {
		if (m->jlen + 1 < sizeof m->jump) {
			m->jump[m->jlen++] = (char)ch;
			m->jump[m->jlen] = '\0';
		}
		return true;
	}
	return false;
}

static enum tui_reaction menu_key(struct tui *t, const struct tui_actions *a, int ch)
{
	struct menu *m = t->menu;
	const struct menu_def *d = &menu_defs[m->kind];
	long n = (long)d->count(t), cur = (long)m->cur;
	long page = menu_geometry(t).h - 2;
	if (page < 1)
		page = 1;
	switch (ch) {
	case KEY_UP: cur--; break;
	case KEY_DOWN: cur++; break;
	case KEY_PPAGE: cur -= page; break;
	case KEY_NPAGE: cur += page; break;
	case KEY_HOME: cur = 0; break;
	case KEY_END: cur = n - 1; break;
	case '\n': case '\r': case KEY_ENTER:
		tui_mode_pop(t);
		return n > 0 ? d->choose(t, a, m->cur) | TUI_REDRAW : TUI_REDRAW;
	case 27: case KEY_F(10):
		tui_mode_pop(t);
		return TUI_REDRAW;
	default:
		if (menu_typed(m, ch))
			menu_jump(t);
		return TUI_REDRAW;
	}
	m->jlen = 0;        /* moving by hand starts a new jump */
	m->jump[0] = '\0';
	if (cur >= n)
		cur = n - 1;
	m->cur = cur < 0 ? 0 : (size_t)cur;
	return TUI_REDRAW;
}

/* " text " set into a border line, clipped inside the corners. */
static void menu_border_text(const struct menu_box *b, int y, const char *s, attr_t a)
{
	int room = b->w - 4, x = b->x + 2;
	if (room < 3)
		return;
	x += text_put(y, x, " ", room, a);
	x += text_put(y, x, s, room - 2, a);
	text_put(y, x, " ", 1, a);
}

static void menu_frame(const struct tui *t, const struct menu_box *b, const char *title,
		       const char *hint)
{
	attr_t a = t->attr[UI_MENU];
	for (int r = 0; r < b->h; r++)
		text_fill(b->y + r, b->x, b->w, a);
	mvaddch(b->y, b->x, ACS_ULCORNER | a);
	mvaddch(b->y, b->x + b->w - 1, ACS_URCORNER | a);
	mvaddch(b->y + b->h - 1, b->x, ACS_LLCORNER | a);
	mvaddch(b->y + b->h - 1, b->x + b->w - 1, ACS_LRCORNER | a);
	mvhline(b->y, b->x + 1, ACS_HLINE | a, b->w - 2);
	mvhline(b->y + b->h - 1, b->x + 1, ACS_HLINE | a, b->w - 2);
	mvvline(b->y + 1, b->x, ACS_VLINE | a, b->h - 2);
	mvvline(b->y + 1, b->x + b->w - 1, ACS_VLINE | a, b->h - 2);
	menu_border_text(b, b->y, title, a | A_BOLD);
	menu_border_text(b, b->y + b->h - 1, hint, a);
}

static void menu_draw(struct tui *t)
{
	struct menu *m = t->menu;
	const struct menu_def *d = &menu_defs[m->kind];
	struct menu_box b = menu_geometry(t);
	if (b.h < 3 || b.w < 8)
		return;
	char title[TUI_TEXT_MAX * 2], hint[TUI_TEXT_MAX];
	d->title(t, title, sizeof title);
	if (m->jlen)
		snprintf(hint, sizeof hint, "jump: %s", m->jump);
	else
		snprintf(hint, sizeof hint, "%s", d->hint);
	menu_frame(t, &b, title, hint);

	size_t n = d->count(t), h = (size_t)(b.h - 2);
	if (m->cur < m->top)
		m->top = m->cur;
	if (m->cur >= m->top + h)
		m->top = m->cur - h + 1;
	for (size_t r = 0; r < h && m->top + r < n; r++) {
		size_t i = m->top + r;
		attr_t a = t->attr[i == m->cur ? UI_MENU_SEL : UI_MENU];
		char label[TUI_TEXT_MAX * 2];
		d->label(t, i, label, sizeof label);
		int y = b.y + 1 + (int)r;
		text_fill(y, b.x + 1, b.w - 2, a);
		text_put(y, b.x + 2, label, b.w - 4, a);
	}
}

/* A click on an item moves the cursor to it; a second click on it chooses
 * it (never the first: the cursor starts on SIGTERM). A click outside the
 * box cancels; the wheel moves the cursor. */
static enum tui_reaction menu_mouse(struct tui *t, const struct tui_actions *a,
				    const struct mouse_event *ev)
{
	struct menu *m = t->menu;
	struct menu_box b = menu_geometry(t);
	if (ev->kind != MOUSE_CLICK)
		return menu_key(t, a, ev->kind == MOUSE_WHEEL_UP ? KEY_UP : KEY_DOWN);
	if (ev->y < b.y || ev->y >= b.y + b.h || ev->x < b.x || ev->x >= b.x + b.w)
		return menu_key(t, a, 27);
	size_t i = m->top + (size_t)(ev->y - b.y - 1);
	if (ev->y == b.y || ev->y == b.y + b.h - 1 || i >= menu_defs[m->kind].count(t))
		return TUI_NONE;
	if (m->clicked == i + 1 && m->cur == i)
		return menu_key(t, a, '\n');
	m->cur = i;
	m->clicked = i + 1;
	return TUI_REDRAW;
}

const struct tui_mode menu_mode = {
	.name = "menu",
	.key = menu_key,
	.mouse = menu_mouse,
	.draw = menu_draw,
};
