/* setup.c - the setup screen (S). Three sections: every column (shown ones
 * checked, in table order, then the hidden ones), the sort, and the
 * display settings. Each change goes to the settings through main's
 * tui_settings_ops, then to the view at once; w saves them to concmonrc,
 * Esc leaves them for this session only. The view never sees the file. */
#include "setup.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "columns.h"
#include "meters.h"
#include "mouse.h"
#include "panes.h"
#include "prompt.h"
#include "text.h"
#include "tui_state.h"
#include "util/escape.h"
#include "util/util.h"
#include "view.h"

/* What a setting's change does to the view now; note says so when it
 * waits for the next start (the model's part is main's, in ops->set). */
typedef enum tui_reaction setup_live_fn(struct tui *t, const char *value, char *note,
					size_t len);

enum setup_kind { SETUP_HEAD, SETUP_COLUMN, SETUP_SORT, SETUP_ORDER, SETUP_SETTING };

struct setup_row {
	enum setup_kind kind;
	size_t i;     /* HEAD: heading; COLUMN: position in order; SETTING: setup_items */
};

struct setup_item {
	const char *name;       /* as concmonrc names it */
	const char *label;
	setup_live_fn *live;    /* NULL: takes effect at the next start */
};

#define SETUP_ROWS (SORT_COUNT + 32)

struct setup {
	enum sort_key order[SORT_COUNT];   /* shown (COMMAND last of them), then hidden */
	size_t nshown;
	struct setup_row rows[SETUP_ROWS];
	size_t nrows;
	size_t cur, top;
	int shown;              /* list lines drawn last, from line 1 */
	bool unsaved;           /* changed since opened or saved */
	size_t asking;          /* the row the value prompt is for */
};

static const char *const setup_heads[] = {
	"Columns   (Space shows or hides; [ ] or - + or Shift-Up/Down move; COMMAND stays last)",
	"Sort",
	"Display   (Left/Right or Enter change; numbers are typed)",
};

static bool setup_true(const char *v)
{
	return strcmp(v, "true") == 0;
}

static enum tui_reaction live_theme(struct tui *t, const char *v, char *note, size_t len)
{
	(void)note, (void)len;
	tui_set_theme(t, v);    /* NO_COLOR still wins: color_init checks it */
	return TUI_REDRAW;
}

static enum tui_reaction live_delay(struct tui *t, const char *v, char *note, size_t len)
{
	double d = strtod(v, NULL);
	if (d <= 0 || t->delay <= 0) {   /* the timer arms only with a delay */
		snprintf(note, len, "from the next start");
		return TUI_REDRAW;
	}
	t->delay = d;
	return TUI_REDRAW | TUI_RETIME;
}

static enum tui_reaction live_tree(struct tui *t, const char *v, char *note, size_t len)
{
	(void)note, (void)len;
	t->opts.tree = setup_true(v);
	view_rebuild(t);
	return TUI_REDRAW;
}

static enum tui_reaction live_threads(struct tui *t, const char *v, char *note, size_t len)
{
	(void)note, (void)len;
	t->opts.threads = setup_true(v);
	view_rebuild(t);
	return TUI_REDRAW | TUI_RESAMPLE;
}

static enum tui_reaction live_meters(struct tui *t, const char *v, char *note, size_t len)
{
	if (meters_shown(t->meters) != setup_true(v))
		meters_toggle(t->meters);
	if (!meters_available(t->meters))
		snprintf(note, len, "no meters read this run (--no-meters?)");
	return TUI_REDRAW;
}

static enum tui_reaction live_linger(struct tui *t, const char *v, char *note, size_t len)
{
	(void)note, (void)len;
	tui_set_linger(t, strtod(v, NULL));
	return TUI_REDRAW | TUI_RESAMPLE;
}

static enum tui_reaction live_layout(struct tui *t, const char *v, char *note, size_t len)
{
	(void)note, (void)len;
	panes_set_layout(t, v);
	return TUI_REDRAW;
}

static enum tui_reaction live_mouse(struct tui *t, const char *v, char *note, size_t len)
{
	(void)note, (void)len;
	tui_set_mouse(t, setup_true(v));
	return TUI_REDRAW;
}

static enum tui_reaction live_trace(struct tui *t, const char *v, char *note, size_t len)
{
	(void)note, (void)len;
	prompt_set_trace(t->prompt, setup_true(v));
	return TUI_REDRAW;
}

static const struct setup_item setup_items[] = {
	{ "theme", "Colour scheme", live_theme },
	{ "delay", "Refresh delay, seconds", live_delay },
	{ "tree", "Tree view", live_tree },
	{ "threads", "Threads shown", live_threads },
	{ "meters", "System meters", live_meters },
	{ "linger", "Exited rows stay, s", live_linger },
	{ "layout", "Pane layout", live_layout },
	{ "panes", "Panes open at start", NULL },
	{ "mouse", "Mouse", live_mouse },
	{ "trace", "Launch prompt traces", live_trace },
	{ "restart", "Default restart policy", NULL },
};
#define SETUP_ITEMS (sizeof setup_items / sizeof setup_items[0])

static const char *const setup_orders[] = { "ascending", "descending", NULL };

struct setup *setup_new(void)
{
	return xcalloc(1, sizeof(struct setup));
}

void setup_free(struct setup *s)
{
	free(s);
}

static void setup_add(struct setup *s, enum setup_kind kind, size_t i)
{
	if (s->nrows < SETUP_ROWS)
		s->rows[s->nrows++] = (struct setup_row){ kind, i };
}

/* The rows: fixed, so the cursor stays on its row across changes. */
static void setup_build(struct setup *s)
{
	s->nrows = 0;
	setup_add(s, SETUP_HEAD, 0);
	for (size_t p = 0; p < SORT_COUNT; p++)
		setup_add(s, SETUP_COLUMN, p);
	setup_add(s, SETUP_HEAD, 1);
	setup_add(s, SETUP_SORT, 0);
	setup_add(s, SETUP_ORDER, 0);
	setup_add(s, SETUP_HEAD, 2);
	for (size_t i = 0; i < SETUP_ITEMS; i++)
		setup_add(s, SETUP_SETTING, i);
}

static bool setup_get(const struct tui *t, const char *name, char *buf, size_t len)
{
	buf[0] = '\0';
	return t->settings->get(t->settings->ctx, name, buf, len);
}

/* order from the saved list, then every other column in the usual order. */
static void setup_load_columns(struct tui *t)
{
	struct setup *s = t->setup;
	char list[512], err[128];
	enum sort_key all[SORT_COUNT];
	setup_get(t, "columns", list, sizeof list);
	int n = tasksort_parse_list(list, s->order, SORT_COUNT, err, sizeof err);
	s->nshown = n > 0 ? (size_t)n : 0;
	tasksort_all_names(list, sizeof list);
	int na = tasksort_parse_list(list, all, SORT_COUNT, err, sizeof err);
	size_t k = s->nshown;
	for (int i = 0; i < na && k < SORT_COUNT; i++) {
		bool seen = false;
		for (size_t j = 0; j < s->nshown; j++)
			seen |= s->order[j] == all[i];
		if (!seen)
			s->order[k++] = all[i];
	}
}

enum tui_reaction setup_open(struct tui *t)
{
	if (!t->settings) {
		tui_message(t, true, "no setup here: a replay shows what was recorded");
		return TUI_REDRAW;
	}
	struct setup *s = t->setup;
	setup_build(s);
	setup_load_columns(t);
	s->cur = 1;
	s->top = 0;
	s->unsaved = false;
	tui_mode_push(t, &setup_mode);
	return TUI_REDRAW;
}

/* Sets name to value through main, then in the view; says what happened. */
static enum tui_reaction setup_put(struct tui *t, const struct setup_item *it, const char *value)
{
	char err[256], note[96] = "";
	if (t->settings->set(t->settings->ctx, it->name, value, err, sizeof err) < 0) {
		tui_message(t, true, "%s", err);
		return TUI_REDRAW;
	}
	t->setup->unsaved = true;
	enum tui_reaction r = TUI_REDRAW;
	if (it->live)
		r |= it->live(t, value, note, sizeof note);
	else
		snprintf(note, sizeof note, "%s", strcmp(it->name, "restart") == 0 ?
			 "for launches from now on" : "from the next start");
	tui_message(t, false, "%s = %s (%s; w saves)", it->name, value, note[0] ? note : "applied");
	return r;
}

/* The shown columns as a list, to the settings and the table. */
static enum tui_reaction setup_put_columns(struct tui *t)
{
	struct setup *s = t->setup;
	char list[512], err[256];
	tasksort_format_list(s->order, s->nshown, list, sizeof list);
	static const struct setup_item columns = { "columns", "Columns", NULL };
	if (t->settings->set(t->settings->ctx, columns.name, list, err, sizeof err) < 0 ||
	    table_columns_set(t, list, err, sizeof err) < 0) {
		tui_message(t, true, "%s", err);
		return TUI_REDRAW;
	}
	s->unsaved = true;
	tui_message(t, false, "columns = %s (applied; w saves)", list);
	return TUI_REDRAW | TUI_RESAMPLE;   /* a new column may need facts read */
}

/* Moves the column at position from to position to, the cursor with it. */
static void setup_shift(struct setup *s, size_t from, size_t to)
{
	enum sort_key k = s->order[from];
	if (from < to)
		memmove(s->order + from, s->order + from + 1, (to - from) * sizeof k);
	else
		memmove(s->order + to + 1, s->order + to, (from - to) * sizeof k);
	s->order[to] = k;
	s->cur = 1 + to;     /* column rows follow the heading, in order */
}

/* Space: a shown column goes to the hidden ones, a hidden one before COMMAND. */
static enum tui_reaction setup_toggle_column(struct tui *t, size_t p)
{
	struct setup *s = t->setup;
	if (s->order[p] == SORT_COMMAND) {
		tui_message(t, true, "COMMAND is always shown, last");
		return TUI_REDRAW;
	}
	if (p < s->nshown) {
		if (s->nshown <= 2) {
			tui_message(t, true, "one column besides COMMAND stays shown");
			return TUI_REDRAW;
		}
		setup_shift(s, p, s->nshown - 1);
		s->nshown--;
	} else {
		setup_shift(s, p, s->nshown - 1);
		s->nshown++;
	}
	return setup_put_columns(t);
}

static enum tui_reaction setup_move_column(struct tui *t, size_t p, int dir)
{
	struct setup *s = t->setup;
	if (p >= s->nshown || s->order[p] == SORT_COMMAND) {
		tui_message(t, true, "%s", p >= s->nshown ? "a hidden column has no place: Space shows it"
			    : "COMMAND stays last");
		return TUI_REDRAW;
	}
	if ((dir < 0 && p == 0) || (dir > 0 && p + 2 >= s->nshown)) {
		tui_message(t, true, "%s", dir < 0 ? "already the first column" :
			    "already the last before COMMAND");
		return TUI_REDRAW;
	}
	setup_shift(s, p, dir < 0 ? p - 1 : p + 1);
	return setup_put_columns(t);
}

/* The sort as saved: its column and direction. */
static int setup_sort(const struct tui *t, bool *desc)
{
	char v[64];
	setup_get(t, "sort", v, sizeof v);
	*desc = v[0] == '-';
	int k = tasksort_parse(v + *desc);
	return k < 0 ? SORT_PID : k;
}

static enum tui_reaction setup_put_sort(struct tui *t, int k, bool desc)
{
	char v[64];
	snprintf(v, sizeof v, "%s%s", desc ? "-" : "", tasksort_column_name((enum sort_key)k));
	static const struct setup_item sort = { "sort", "Sort", NULL };
	char err[256];
	if (t->settings->set(t->settings->ctx, sort.name, v, err, sizeof err) < 0) {
		tui_message(t, true, "%s", err);
		return TUI_REDRAW;
	}
	t->setup->unsaved = true;
	tui_set_sort(t, (enum sort_key)k, desc);
	view_rebuild(t);
	tui_message(t, false, "sort = %s (applied; w saves)", v);
	return TUI_REDRAW | TUI_RESAMPLE;
}

/* The next (dir > 0) or previous choice of an enum, or a bool flipped. */
static enum tui_reaction setup_step(struct tui *t, const struct setup_item *it, int dir)
{
	struct tui_setting_info in;
	char v[256];
	if (!t->settings->info(t->settings->ctx, it->name, &in) || !setup_get(t, it->name, v, sizeof v))
		return TUI_REDRAW;
	if (in.type == TUI_SETTING_BOOL)
		return setup_put(t, it, setup_true(v) ? "false" : "true");
	if (in.type != TUI_SETTING_ENUM) {
		tui_message(t, false, "Enter types a value for %s", it->name);
		return TUI_REDRAW;
	}
	size_t n = 0, at = 0;
	for (; in.choices[n]; n++)
		if (strcmp(in.choices[n], v) == 0)
			at = n;
	return setup_put(t, it, in.choices[(at + n + (dir < 0 ? -1 : 1)) % n]);
}

/* Enter, Space, Left, Right on the current row (dir: -1 Left, else +1). */
static enum tui_reaction setup_change(struct tui *t, int dir, bool typed)
{
	struct setup *s = t->setup;
	const struct setup_row *r = &s->rows[s->cur];
	bool desc;
	int k = setup_sort(t, &desc);
	switch (r->kind) {
	case SETUP_COLUMN:
		return setup_toggle_column(t, r->i);
	case SETUP_ORDER:
		return setup_put_sort(t, k, !desc);
	case SETUP_SORT:
		if (typed)
			break;
		return setup_put_sort(t, (k + SORT_COUNT + (dir < 0 ? -1 : 1)) % SORT_COUNT, desc);
	case SETUP_SETTING: {
		struct tui_setting_info in;
		const struct setup_item *it = &setup_items[r->i];
		if (t->settings->info(t->settings->ctx, it->name, &in) &&
		    (in.type == TUI_SETTING_NUMBER || in.type == TUI_SETTING_TEXT) && typed)
			break;
		return setup_step(t, it, dir);
	}
	case SETUP_HEAD:
		return TUI_NONE;
	}
	s->asking = s->cur;
	prompt_open(t, PROMPT_SETTING);
	return TUI_REDRAW;
}

static enum tui_reaction setup_save(struct tui *t)
{
	char msg[512];
	int rc = t->settings->save(t->settings->ctx, msg, sizeof msg);
	if (rc == 0)
		t->setup->unsaved = false;
	tui_message(t, rc < 0, "%s", msg);
	return TUI_REDRAW;
}

static void setup_close(struct tui *t)
{
	bool unsaved = t->setup->unsaved;
	tui_mode_pop(t);
	if (unsaved)
		tui_message(t, false, "setup closed: the changes stay for this session, not saved "
			    "(S, then w, saves them)");
	else
		tui_message(t, false, "setup closed");
}

/* The cursor moved by delta rows, over headings, within the list. */
static void setup_move(struct setup *s, long delta)
{
	long c = (long)s->cur + delta;
	c = c < 1 ? 1 : c >= (long)s->nrows ? (long)s->nrows - 1 : c;
	int dir = delta < 0 ? -1 : 1;
	while (s->rows[c].kind == SETUP_HEAD)
		c += c + dir > 0 && c + dir < (long)s->nrows ? dir : -dir;
	s->cur = (size_t)c;
}

static int setup_list_lines(void)
{
	return LINES - 3;    /* the title, the row's help, the status line */
}

static enum tui_reaction setup_key(struct tui *t, const struct tui_actions *a, int ch)
{
	(void)a;
	struct setup *s = t->setup;
	const struct setup_row *r = &s->rows[s->cur];
	long page = setup_list_lines() > 2 ? setup_list_lines() - 1 : 1;
	bool arrow = ch == KEY_LEFT || ch == KEY_RIGHT || ch == 'h' || ch == 'l';
	if (arrow && r->kind == SETUP_COLUMN)
		return TUI_NONE;     /* Space shows or hides: an arrow is no toggle */
	switch (ch) {
	case KEY_UP: case 'k': setup_move(s, -1); return TUI_REDRAW;
	case KEY_DOWN: case 'j': setup_move(s, 1); return TUI_REDRAW;
	case KEY_PPAGE: setup_move(s, -page); return TUI_REDRAW;
	case KEY_NPAGE: setup_move(s, page); return TUI_REDRAW;
	case KEY_HOME: case 'g': setup_move(s, -(long)s->nrows); return TUI_REDRAW;
	case KEY_END: case 'G': setup_move(s, (long)s->nrows); return TUI_REDRAW;
	case ' ': case KEY_RIGHT: case 'l': return setup_change(t, 1, false);
	case KEY_LEFT: case 'h': return setup_change(t, -1, false);
	case '\n': case '\r': case KEY_ENTER: return setup_change(t, 1, true);
	case '[': case '-': case KEY_SR:
	case ']': case '+': case '=': case KEY_SF:
		if (r->kind != SETUP_COLUMN) {
			tui_message(t, true, "[ and ] move a column; this row is not one");
			return TUI_REDRAW;
		}
		return setup_move_column(t, r->i, ch == '[' || ch == '-' || ch == KEY_SR ? -1 : 1);
	case 'w': return setup_save(t);
	case 27: case 'q': case KEY_F(10): setup_close(t); return TUI_REDRAW;
	}
	return TUI_NONE;
}

/* Row i's text: "[x] USER", "Sort column      CPU%", "Mouse        true". */
static void setup_row_text(const struct tui *t, size_t i, char *buf, size_t len)
{
	const struct setup *s = t->setup;
	const struct setup_row *r = &s->rows[i];
	char v[256];
	bool desc;
	int k = setup_sort(t, &desc);
	switch (r->kind) {
	case SETUP_HEAD:
		snprintf(buf, len, "%s", setup_heads[r->i]);
		break;
	case SETUP_COLUMN:
		snprintf(buf, len, "  [%c] %s%s", r->i < s->nshown ? 'x' : ' ',
			 tasksort_column_name(s->order[r->i]),
			 s->order[r->i] == SORT_COMMAND ? "  (always shown, last)" : "");
		break;
	case SETUP_SORT:
		snprintf(buf, len, "  %-24s %s", "Sort column", tasksort_column_name((enum sort_key)k));
		break;
	case SETUP_ORDER:
		snprintf(buf, len, "  %-24s %s", "Sort order", setup_orders[desc]);
		break;
	case SETUP_SETTING:
		setup_get(t, setup_items[r->i].name, v, sizeof v);
		snprintf(buf, len, "  %-24s %s", setup_items[r->i].label, v[0] ? v : "(none)");
		break;
	}
}

/* What the current row is, for the line under the list. */
static void setup_row_help(const struct tui *t, char *buf, size_t len)
{
	const struct setup_row *r = &t->setup->rows[t->setup->cur];
	struct tui_setting_info in;
	const char *name = r->kind == SETUP_SETTING ? setup_items[r->i].name : "columns";
	if (r->kind == SETUP_SORT || r->kind == SETUP_ORDER)
		name = "sort";
	if (!t->settings->info(t->settings->ctx, name, &in))
		in.help = "";
	if (r->kind == SETUP_SORT)
		snprintf(buf, len, "Left/Right: the previous or next column; Enter types a name");
	else if (in.type == TUI_SETTING_NUMBER)
		snprintf(buf, len, "%s; Enter types it (%g to %g)", in.help, in.min, in.max);
	else
		snprintf(buf, len, "%s", in.help);
}

static void setup_draw(struct tui *t)
{
	struct setup *s = t->setup;
	char line[TUI_TEXT_MAX * 4];
	for (int y = 0; y < LINES - 1; y++)
		text_fill(y, 0, COLS, A_NORMAL);
	text_fill(0, 0, COLS, t->attr[UI_TITLE]);
	text_put(0, 1, "Setup: changes apply at once; w saves to concmonrc, Esc leaves without saving",
		 COLS - 1, t->attr[UI_TITLE] | A_BOLD);
	int h = setup_list_lines();
	if (s->cur < s->top)
		s->top = s->cur > 0 && s->rows[s->cur - 1].kind == SETUP_HEAD ? s->cur - 1 : s->cur;
	if (h > 0 && s->cur >= s->top + (size_t)h)
		s->top = s->cur - (size_t)h + 1;
	s->shown = 0;
	for (int y = 0; y < h && s->top + (size_t)y < s->nrows; y++, s->shown++) {
		size_t i = s->top + (size_t)y;
		setup_row_text(t, i, line, sizeof line);
		bool sel = i == s->cur, head = s->rows[i].kind == SETUP_HEAD;
		attr_t a = sel ? t->attr[UI_MENU_SEL] : head ? t->attr[UI_HEADER] : A_NORMAL;
		if (sel)    /* > marks it without colour too (monochrome, NO_COLOR) */
			text_fill(1 + y, 0, COLS, a);
		text_put(1 + y, 0, sel ? ">" : " ", 1, a);
		text_put(1 + y, 1, line, COLS - 2, a);
	}
	setup_row_help(t, line, sizeof line);
	text_put(LINES - 2, 1, line, COLS - 2, t->attr[UI_GREY]);
	text_fill(LINES - 1, 0, COLS, A_NORMAL);
	if (!t->status[0]) {     /* the table's key bar would be wrong here */
		text_put(LINES - 1, 0, "Up/Down select  Space Enter Left Right change  [ ] move  "
			 "w save  Esc q close", COLS, t->attr[UI_BAR_LABEL]);
		return;
	}
	escape_text(t->status, line, sizeof line);   /* errors may quote what was typed */
	text_put(LINES - 1, 0, line, COLS, t->attr[t->status_error ? UI_ERROR : UI_NORMAL]);
}

/* A click selects a row, a second click on it changes it; the wheel moves. */
static enum tui_reaction setup_mouse(struct tui *t, const struct tui_actions *a,
				     const struct mouse_event *ev)
{
	struct setup *s = t->setup;
	if (ev->kind != MOUSE_CLICK)
		return setup_key(t, a, ev->kind == MOUSE_WHEEL_UP ? KEY_UP : KEY_DOWN);
	size_t r = s->top + (size_t)(ev->y - 1);
	if (ev->y < 1 || ev->y > s->shown || r >= s->nrows || s->rows[r].kind == SETUP_HEAD)
		return TUI_NONE;
	if (r == s->cur)
		return setup_change(t, 1, true);
	s->cur = r;
	return TUI_REDRAW;
}

const struct tui_mode setup_mode = {
	.name = "setup",
	.fullscreen = true,
	.key = setup_key,
	.mouse = setup_mouse,
	.draw = setup_draw,
};

/* The row the prompt types for, as a settings item (the sort column: NULL). */
static const struct setup_item *setup_asked(const struct tui *t)
{
	const struct setup_row *r = &t->setup->rows[t->setup->asking];
	return r->kind == SETUP_SETTING ? &setup_items[r->i] : NULL;
}

void setup_prompt_label(const struct tui *t, char *buf, size_t len)
{
	const struct setup_item *it = setup_asked(t);
	struct tui_setting_info in;
	if (!it)
		snprintf(buf, len, "Sort by column: ");
	else if (t->settings->info(t->settings->ctx, it->name, &in) && in.type == TUI_SETTING_NUMBER)
		snprintf(buf, len, "%s [%g..%g]: ", it->label, in.min, in.max);
	else
		snprintf(buf, len, "%s: ", it->label);
}

void setup_prompt_prefill(const struct tui *t, char *buf, size_t len)
{
	const struct setup_item *it = setup_asked(t);
	bool desc;
	if (it)
		setup_get(t, it->name, buf, len);
	else
		snprintf(buf, len, "%s", tasksort_column_name((enum sort_key)setup_sort(t, &desc)));
}

enum tui_reaction setup_typed(struct tui *t, const char *text)
{
	const struct setup_item *it = setup_asked(t);
	if (it)
		return setup_put(t, it, text);
	bool desc;
	setup_sort(t, &desc);
	int k = tasksort_parse(text);
	if (k < 0) {
		tui_message(t, true, "no column '%.40s' (Left/Right go through them)", text);
		return TUI_REDRAW;
	}
	return setup_put_sort(t, k, desc);
}
