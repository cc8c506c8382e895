/* tui.c - the interface's lifetime and its loop entry points: taking over
 * and restoring the terminal, routing keys to the open mode, resizing,
 * and drawing only when something changed. */
#include "tui.h"

#include <langinfo.h>
#include <locale.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <unistd.h>

#include "color.h"
#include "columns.h"
#include "model/lifecycle.h"
#include "deadview.h"
#include "demomenu.h"
#include "explainpane.h"
#include "keys.h"
#include "logpane.h"
#include "menu.h"
#include "mouse.h"
#include "meters.h"
#include "outpane.h"
#include "panels.h"
#include "panels_knobs.h"
#include "panes.h"
#include "prompt.h"
#include "setup.h"
#include "table.h"
#include "terminal.h"
#include "timectl.h"
#include "text.h"
#include "tui_state.h"
#include "util/util.h"
#include "view.h"

/* Short, so Esc closes a menu at once; escape sequences from a local
 * terminal or tmux arrive well within it. */
#define TUI_ESCDELAY_MS 25

/* The least time between two frames that only events asked for (20 per
 * second): a fork storm changes the model thousands of times a second,
 * and no one reads faster than this. */
#define TUI_FRAME_GAP 0.05

struct tui *tui_new(bool all, double delay, char *err, size_t errlen)
{
	/* ncursesw draws UTF-8 only under a UTF-8 LC_CTYPE; only the
	 * character type is taken from the environment, so number formats
	 * (JSON, the header) are unaffected. */
	setlocale(LC_CTYPE, "");
	if (!terminal_usable(err, errlen))
		return NULL;
	SCREEN *scr = newterm(NULL, stdout, stdin);
	if (!scr) {
		snprintf(err, errlen, "cannot start curses on TERM=%s", getenv("TERM"));
		return NULL;
	}
	set_term(scr);
	cbreak();
	noecho();
	keypad(stdscr, TRUE);
	meta(stdscr, TRUE);
	nodelay(stdscr, TRUE);     /* the caller polls stdin; getch never blocks */
	intrflush(stdscr, FALSE);
	set_escdelay(TUI_ESCDELAY_MS);
	curs_set(0);

	struct tui *t = xcalloc(1, sizeof *t);
	t->scr = scr;
	t->all = all;
	t->delay = delay;
	t->utf8 = strcmp(nl_langinfo(CODESET), "UTF-8") == 0;
	color_init(t->attr, "default");
	t->banner_lines = deadview_banner_lines;
	t->meter_lines = meters_lines;
	t->meters = meters_new();
	t->opts.tree = true;
	t->opts.threads = true;
	t->opts.sort = SORT_PID;
	t->linger = LIFECYCLE_LINGER;
	char cerr[128];
	table_columns_set(t, COLUMNS_DEFAULT, cerr, sizeof cerr);
	t->dirty = true;
	t->menu = menu_new();
	t->prompt = prompt_new();
	t->demomenu = demomenu_new();
	t->setup = setup_new();
	t->panes = panes_new();
	t->panels = panels_new();
	t->knobs = panels_knobs_new();
	t->explainpane = explainpane_new();
	t->logpane = logpane_new();
	t->outpane = outpane_new();
	t->timectl = timectl_new();
	panes_open(t, &panels_ops);
	tui_mode_push(t, &table_mode);
	tui_set_mouse(t, true);
	return t;
}

bool tui_set_theme(struct tui *t, const char *theme)
{
	bool ok = color_init(t->attr, theme);
	t->dirty = true;
	return ok;
}

void tui_set_mouse(struct tui *t, bool on)
{
	t->mouse = on;
	mouse_enable(on);
}

void tui_set_settings(struct tui *t, const struct tui_settings_ops *ops)
{
	t->settings = ops;
}

bool tui_mouse(const struct tui *t)
{
	return t->mouse;
}

/* The panes by their concmonrc names. */
static const struct {
	const char *key;
	const struct pane_ops *ops;
} tui_pane_names[] = {
	{ "panels", &panels_ops },
	{ "events", &logpane_ops },
	{ "explain", &explainpane_ops },
	{ "output", &outpane_ops },
};

static const struct pane_ops *tui_pane_named(const char *key)
{
	for (size_t i = 0; i < sizeof tui_pane_names / sizeof tui_pane_names[0]; i++)
		if (strcmp(tui_pane_names[i].key, key) == 0)
			return tui_pane_names[i].ops;
	return NULL;
}

bool tui_configure(struct tui *t, const struct tui_start *s, const char **bad)
{
	*bad = NULL;
	t->opts.tree = s->tree;
	t->opts.threads = s->threads;
	prompt_set_trace(t->prompt, s->trace);
	if (meters_shown(t->meters) != s->meters)
		meters_toggle(t->meters);
	if (s->layout && !panes_set_layout(t, s->layout))
		*bad = s->layout;
	for (size_t i = 0; i < sizeof tui_pane_names / sizeof tui_pane_names[0]; i++)
		if (panes_is_open(t, tui_pane_names[i].ops))
			panes_switch(t, tui_pane_names[i].ops);
	for (size_t i = 0; i < s->npanes; i++) {
		const struct pane_ops *ops = tui_pane_named(s->panes[i]);
		if (ops)
			panes_open(t, ops);
		else if (!*bad)
			*bad = s->panes[i];
	}
	t->dirty = true;
	return *bad == NULL;
}

void tui_free(struct tui *t)
{
	if (!t)
		return;
	set_term(t->scr);
	endwin();
	delscreen(t->scr);
	fflush(stdout);
	menu_free(t->menu);
	meters_free(t->meters);
	prompt_free(t->prompt);
	panes_free(t->panes);
	panels_free(t->panels);
	panels_knobs_free(t->knobs);
	explainpane_free(t->explainpane);
	logpane_free(t->logpane);
	outpane_free(t->outpane);
	demomenu_free(t->demomenu);
	setup_free(t->setup);
	view_free(t);
	timectl_free(t->timectl);   /* after the rows that point into its snapshot */
	free(t);
}

void tui_set_tasks(struct tui *t, const struct task *tasks, size_t n)
{
	if (timectl_published(t, tasks, n))
		tui_show_tasks(t, tasks, n);
}

void tui_set_peaks(struct tui *t, const struct peak_frame *p)
{
	timectl_set_peaks(t, p);
	t->dirty = true;
}

void tui_set_meters(struct tui *t, const struct sysmeter_reading *r)
{
	if (timectl_frozen(t))     /* frozen, the meters hold still with the rest */
		return;
	meters_set(t->meters, r);
	t->dirty = true;
}

double tui_delay(const struct tui *t)
{
	return t->delay;
}

void tui_show_tasks(struct tui *t, const struct task *tasks, size_t n)
{
	t->tasks = tasks;
	t->ntasks = n;
	view_prune_tags(t);
	view_rebuild(t);   /* sets opts.exited_after: the header counts the exited rows shown */
	tasktree_summary_shown(tasks, n, t->all, t->opts.exited_after, &t->sum);
}

void tui_set_programs(struct tui *t, const struct program *progs, size_t n)
{
	t->programs = progs;
	t->nprograms = n;
	t->programs_gen = ++t->model_gen;
	t->dirty = true;
	if (!timectl_frozen(t))    /* frozen, the panels show the snapshot held */
		panels_published(t);
}

void tui_set_events(struct tui *t, const struct events *ev)
{
	t->events = ev;
}

void tui_events_changed(struct tui *t)
{
	/* The connector reports the whole machine: redraw only for our events,
	 * and only where they are shown (the event pane). */
	if (t->events && events_last(t->events) != t->events_seen &&
	    panes_is_open(t, &logpane_ops)) {
		t->events_seen = events_last(t->events);
		t->dirty = true;
	}
}

void tui_set_linger(struct tui *t, double seconds)
{
	t->linger = seconds > 0 ? seconds : 0;
	t->dirty = true;
}

int tui_set_columns(struct tui *t, const char *list, char *err, size_t errlen)
{
	return table_columns_set(t, list, err, errlen);
}

void tui_set_sort(struct tui *t, enum sort_key key, bool descending)
{
	t->opts.sort = key;
	t->opts.descending = descending;
}

unsigned tui_extras(const struct tui *t)
{
	return table_columns_extras(t);
}

void tui_set_waits(struct tui *t, tui_wait_fn *fn, const void *ctx)
{
	t->wait_of = fn;
	t->wait_ctx = ctx;
}

void tui_set_deadlocks(struct tui *t, const struct deadlocks *d)
{
	t->deadlocks = d;
}

void tui_programs_moved(struct tui *t)
{
	tui_model_moving(t);
}

void tui_set_demos(struct tui *t, const struct demo_info *d, size_t n)
{
	t->demos = d;
	t->ndemos = n;
	demomenu_set(t->demomenu, d, n);
	t->dirty = true;
}

enum tui_reaction tui_input(struct tui *t, const struct tui_actions *a)
{
	enum tui_reaction r = TUI_NONE;
	int ch;
	while ((ch = getch()) != ERR) {
		t->urgent = true;          /* what a key does shows at once */
		if (ch == KEY_RESIZE) {    /* resizeterm queues this; already handled */
			r |= TUI_REDRAW;
			continue;
		}
		if (ch == KEY_MOUSE) {     /* a click or the wheel: mouse.c routes it */
			r |= mouse_input(t, a);
			t->dirty = true;
			if (r & TUI_QUIT)
				break;
			continue;
		}
		/* A message lasts until the next key; the key may set a new one. */
		t->status[0] = '\0';
		r |= tui_mode_top(t)->key(t, a, ch);
		t->dirty = true;
		if (r & TUI_QUIT)
			break;
	}
	if (r & TUI_REDRAW)
		t->dirty = true;
	return r;
}

void tui_resize(struct tui *t)
{
	struct winsize ws;
	if (ioctl(STDOUT_FILENO, TIOCGWINSZ, &ws) == 0 && ws.ws_row > 0 && ws.ws_col > 0)
		resizeterm(ws.ws_row, ws.ws_col);
	clearok(curscr, TRUE);
	t->dirty = t->urgent = true;
}

/* The largest message that fits, centred; at 1x1 a single "!". */
static void tui_draw_small(void)
{
	char full[96], shorter[32];
	snprintf(full, sizeof full, "terminal too small (%dx%d), need at least %dx%d", COLS, LINES,
		 TUI_MIN_COLS, TUI_MIN_LINES);
	snprintf(shorter, sizeof shorter, "too small %dx%d", COLS, LINES);
	const char *const msgs[] = { full, shorter, "too small", "small", "!" };
	for (size_t i = 0; i < sizeof msgs / sizeof msgs[0]; i++) {
		int w = text_width(msgs[i]);
		if (w <= COLS) {
			text_put(LINES / 2, (COLS - w) / 2, msgs[i], w, A_BOLD);
			return;
		}
	}
}

/* Draws the stack from the topmost full-screen mode up. */
static void tui_draw_modes(struct tui *t)
{
	size_t from = t->nmodes - 1;
	while (from > 0 && !t->modes[from]->fullscreen)
		from--;
	for (size_t i = from; i < t->nmodes; i++)
		t->modes[i]->draw(t);
}

void tui_frame_now(struct tui *t)
{
	t->urgent = true;
}

double tui_frame_gap(const struct tui *t, double now)
{
	double due = t->last_frame + TUI_FRAME_GAP;
	return due > now ? due - now : 0;
}

double tui_frame_wait(const struct tui *t, double now)
{
	if (!t->dirty)
		return -1;
	return t->urgent ? 0 : tui_frame_gap(t, now);
}

unsigned long tui_frames(const struct tui *t)
{
	return t->frames;
}

void tui_draw(struct tui *t, double now)
{
	if (tui_frame_wait(t, now) != 0)
		return;
	t->dirty = t->urgent = false;
	t->last_frame = now;
	t->frames++;
	timectl_before_draw(t);
	erase();
	t->cursor_y = t->cursor_x = -1;
	if (COLS < TUI_MIN_COLS || LINES < TUI_MIN_LINES)
		tui_draw_small();
	else
		tui_draw_modes(t);
	bool cursor = t->cursor_y >= 0 && t->cursor_x >= 0;
	curs_set(cursor ? 1 : 0);
	if (cursor)
		move(t->cursor_y, t->cursor_x);
	refresh();
}

void tui_set_containment(struct tui *t, bool cgroup, const char *why)
{
	t->no_cgroup = !cgroup;
	t->dirty = true;
	if (!cgroup)
		tui_status(t, "no cgroup (%s): the tree is contained by process groups and tracking only",
			   why);
}

bool tui_threads_shown(const struct tui *t)
{
	return t->opts.threads;
}

void tui_print_keys(FILE *fp)
{
	keys_print(fp);
}
