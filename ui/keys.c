/* keys.c - the key table and its handlers. Handlers change the view's
 * state and return what the loop must do next; they never draw.
 *
 * k moves up (vi, with j), as htop users expect too; the signal menu is F9
 * or K, and the help says so. */
#include "keys.h"

#include <signal.h>
#include <stdio.h>
#include <string.h>

#include "act.h"
#include "deadview.h"
#include "demomenu.h"
#include "explainpane.h"
#include "help.h"
#include "logpane.h"
#include "menu.h"
#include "meters.h"
#include "outpane.h"
#include "panels.h"
#include "panels_knobs.h"
#include "panes.h"
#include "prompt.h"
#include "setup.h"
#include "text.h"
#include "timectl.h"
#include "tui_state.h"
#include "view.h"

typedef enum tui_reaction key_fn(struct tui *t, const struct tui_actions *a, int arg);

#define KEYS_PER_BINDING 4
/* The key bar's entries: the main ones stay on an 80-column screen. */
enum { KEYS_BAR_MAIN = 1, KEYS_BAR_MORE = 2 };
#define CTRL(c) ((c) & 0x1f)

struct keybind {
	int keys[KEYS_PER_BINDING];   /* curses codes, 0-terminated; the first names it in the bar */
	const char *label;            /* short: the key bar and help */
	const char *help;             /* one line for the help screen */
	int bar;                      /* in the bottom key bar: false no, true (KEYS_BAR_MAIN)
	                                 always, KEYS_BAR_MORE when there is room */
	key_fn *fn;
	int arg;
};

/* Table rows the screen, the banner and the bottom panes leave (at least 1). */
static int keys_table_rows(const struct tui *t)
{
	int h = tui_body_lines(t) - 1 - panes_height(t);
	return h > 0 ? h : 1;
}

/* Movement arguments: +-1 a row, +-MOVE_PAGE a page, +-MOVE_ALL an end. */
enum { MOVE_PAGE = 2, MOVE_ALL = 3 };

static enum tui_reaction key_move(struct tui *t, const struct tui_actions *a, int arg)
{
	(void)a;
	if (panes_focused(t)) {
		panes_scroll(t, arg);
		return TUI_REDRAW;
	}
	long page = keys_table_rows(t) - 1;   /* one row of overlap, like less */
	long step = arg == MOVE_PAGE || arg == -MOVE_PAGE ? (page > 0 ? page : 1) :
		    arg == MOVE_ALL || arg == -MOVE_ALL ? (long)t->nrows : 1;
	view_move(t, arg < 0 ? -step : step);
	return TUI_REDRAW;
}

static enum tui_reaction key_help(struct tui *t, const struct tui_actions *a, int arg)
{
	(void)a, (void)arg;
	tui_mode_push(t, &help_mode);
	return TUI_REDRAW;
}

static enum tui_reaction key_setup(struct tui *t, const struct tui_actions *a, int arg)
{
	(void)a, (void)arg;
	return setup_open(t);
}

static enum tui_reaction key_tag(struct tui *t, const struct tui_actions *a, int arg)
{
	(void)a, (void)arg;
	const struct task *k = view_selected(t);
	if (!k)
		return TUI_NONE;
	view_tag_toggle(t, k);
	view_move(t, 1);      /* htop: Space tags and moves on */
	return TUI_REDRAW;
}

static enum tui_reaction key_untag(struct tui *t, const struct tui_actions *a, int arg)
{
	(void)a, (void)arg;
	if (t->ntags)
		tui_message(t, false, "untagged %zu task%s", t->ntags, t->ntags == 1 ? "" : "s");
	view_untag_all(t);
	return TUI_REDRAW;
}

/* In the focused output pane, / searches the output instead of the rows. */
static bool key_in_output(const struct tui *t)
{
	return panes_focused(t) == &outpane_ops;
}

/* In the focused event log, / searches the events. */
static bool key_in_log(const struct tui *t)
{
	return panes_focused(t) == &logpane_ops;
}

static enum tui_reaction key_prompt(struct tui *t, const struct tui_actions *a, int arg)
{
	(void)a;
	if (arg == PROMPT_SEARCH && key_in_output(t))
		arg = PROMPT_FIND;
	else if (arg == PROMPT_SEARCH && key_in_log(t))
		arg = PROMPT_LOGFIND;
	prompt_open(t, (enum prompt_kind)arg);
	return TUI_REDRAW;
}

/* n / N: the next or previous row matching the last search, wrapping. */
static enum tui_reaction key_next(struct tui *t, const struct tui_actions *a, int arg)
{
	if (key_in_output(t)) {
		outpane_find_next(t, arg);
		return TUI_REDRAW;
	}
	if (key_in_log(t)) {
		logpane_find_next(t, arg);
		return TUI_REDRAW;
	}
	if (!t->search[0])
		return key_prompt(t, a, PROMPT_SEARCH);
	if (t->nrows == 0)
		return TUI_NONE;
	size_t from = arg > 0 ? (t->sel + 1) % t->nrows : (t->sel ? t->sel - 1 : t->nrows - 1);
	if (!view_find(t, t->search, from, arg))
		tui_message(t, true, "no task matches \"%s\"", t->search);
	return TUI_REDRAW;
}

static enum tui_reaction key_tree(struct tui *t, const struct tui_actions *a, int arg)
{
	(void)a, (void)arg;
	t->opts.tree = !t->opts.tree;
	view_rebuild(t);
	return TUI_REDRAW;
}

/* The model only reads threads when they are shown: sample again now. */
static enum tui_reaction key_threads(struct tui *t, const struct tui_actions *a, int arg)
{
	(void)a, (void)arg;
	t->opts.threads = !t->opts.threads;
	view_rebuild(t);
	tui_message(t, false, "threads %s", t->opts.threads ? "shown" : "hidden");
	return TUI_REDRAW | TUI_RESAMPLE;
}

static enum tui_reaction key_menu(struct tui *t, const struct tui_actions *a, int arg)
{
	(void)a;
	if (arg == MENU_SIGNAL && !t->ntags && !view_selected(t)) {
		tui_message(t, true, "no task to signal");
		return TUI_REDRAW;
	}
	menu_open(t, (enum menu_kind)arg);
	return TUI_REDRAW;
}

static enum tui_reaction key_demos(struct tui *t, const struct tui_actions *a, int arg)
{
	(void)a, (void)arg;
	demomenu_open(t);
	return TUI_REDRAW;
}

static enum tui_reaction key_panels(struct tui *t, const struct tui_actions *a, int arg)
{
	(void)a, (void)arg;
	return panels_toggle(t);
}

/* m: the system meters come and go; the table gets or gives their lines. */
static enum tui_reaction key_meters(struct tui *t, const struct tui_actions *a, int arg)
{
	(void)a, (void)arg;
	if (!meters_available(t->meters)) {
		tui_status(t, "no system meters: concmon runs with --no-meters");
		return TUI_REDRAW;
	}
	bool shown = meters_toggle(t->meters);
	if (!tui_meter_lines(t) && shown)
		tui_status(t, "meters on: shown on a screen of 20 lines or more");
	return TUI_REDRAW;
}

static enum tui_reaction key_knob_select(struct tui *t, const struct tui_actions *a, int arg)
{
	(void)a;
	return panels_knob_select(t, panels_program(t), arg);
}

/* Tab: the focus goes round the panes that scroll; with none, next knob. */
static enum tui_reaction key_focus(struct tui *t, const struct tui_actions *a, int arg)
{
	if (panes_focus_next(t))
		return TUI_REDRAW;
	return key_knob_select(t, a, arg);
}

/* The panes e, E and o open and close, by the key table's arg. */
enum { KEY_PANE_LOG, KEY_PANE_EXPLAIN, KEY_PANE_OUTPUT };
static const struct pane_ops *const key_panes[] = {
	[KEY_PANE_LOG] = &logpane_ops,
	[KEY_PANE_EXPLAIN] = &explainpane_ops,
	[KEY_PANE_OUTPUT] = &outpane_ops,
};

static enum tui_reaction key_pane(struct tui *t, const struct tui_actions *a, int arg)
{
	(void)a;
	return panes_toggle(t, key_panes[arg]);
}

static enum tui_reaction key_pane_size(struct tui *t, const struct tui_actions *a, int arg)
{
	(void)a;
	return panes_resize(t, arg);
}

static enum tui_reaction key_pane_split(struct tui *t, const struct tui_actions *a, int arg)
{
	(void)a, (void)arg;
	return panes_split_next(t);
}

static enum tui_reaction key_follow(struct tui *t, const struct tui_actions *a, int arg)
{
	(void)a, (void)arg;
	return logpane_follow(t);
}

static enum tui_reaction key_deadlocks(struct tui *t, const struct tui_actions *a, int arg)
{
	(void)a, (void)arg;
	tui_mode_push(t, &deadview_mode);
	return TUI_REDRAW;
}

static enum tui_reaction key_knob_change(struct tui *t, const struct tui_actions *a, int arg)
{
	return panels_knob_change(t, a, panels_program(t), arg);
}

static enum tui_reaction key_knob_ask(struct tui *t, const struct tui_actions *a, int arg)
{
	(void)a, (void)arg;
	return panels_knob_ask(t, panels_program(t));
}

static enum tui_reaction key_restart(struct tui *t, const struct tui_actions *a, int arg)
{
	(void)arg;
	return act_restart(t, a);
}

/* Enter on a summary row of exited tasks lists them, or folds them again. */
static enum tui_reaction key_fold(struct tui *t, const struct tui_actions *a, int arg)
{
	(void)a, (void)arg;
	if (!view_fold_toggle(t))
		tui_message(t, false, "Enter lists or folds the exited tasks of a \"+N exited\" row");
	return TUI_REDRAW;
}

static enum tui_reaction key_invert(struct tui *t, const struct tui_actions *a, int arg)
{
	(void)a, (void)arg;
	t->opts.descending = !t->opts.descending;
	view_rebuild(t);
	return TUI_REDRAW;
}

/* > and <: the sort moves to the next or previous shown column, as in
 * htop; from a key not shown, to the first. */
static enum tui_reaction key_sort_step(struct tui *t, const struct tui_actions *a, int arg)
{
	(void)a;
	size_t n = t->ncols, at = n;
	for (size_t i = 0; i < n; i++)
		if (t->cols[i] == t->opts.sort)
			at = i;
	at = at == n ? 0 : (at + n + (size_t)(arg > 0 ? 1 : n - 1)) % n;
	t->opts.sort = t->cols[at];
	view_rebuild(t);
	tui_message(t, false, "sorted by %s", tasksort_column_name(t->opts.sort));
	return TUI_REDRAW;
}

static enum tui_reaction key_signal(struct tui *t, const struct tui_actions *a, int arg)
{
	return act_signal(t, a, arg);
}

static enum tui_reaction key_terminate(struct tui *t, const struct tui_actions *a, int arg)
{
	(void)arg;
	return act_terminate(t, a);
}

static enum tui_reaction key_freeze(struct tui *t, const struct tui_actions *a, int arg)
{
	(void)a, (void)arg;
	return timectl_freeze(t);
}

static enum tui_reaction key_step(struct tui *t, const struct tui_actions *a, int arg)
{
	(void)a, (void)arg;
	return timectl_step(t);
}

static enum tui_reaction key_delay(struct tui *t, const struct tui_actions *a, int arg)
{
	(void)a;
	return timectl_delay(t, arg);
}

/* Esc on the table: the filter goes, as the filter prompt's Esc does. */
static enum tui_reaction key_clear(struct tui *t, const struct tui_actions *a, int arg)
{
	(void)a, (void)arg;
	if (!t->filter[0]) {
		tui_message(t, false, "no filter to clear (F4 or \\ filters)");
		return TUI_REDRAW;
	}
	t->filter[0] = '\0';
	view_rebuild(t);
	tui_message(t, false, "filter cleared");
	return TUI_REDRAW;
}

static enum tui_reaction key_redraw(struct tui *t, const struct tui_actions *a, int arg)
{
	(void)t, (void)a, (void)arg;
	clearok(curscr, TRUE);    /* repaint every cell, not only the changes */
	return TUI_REDRAW;
}

/* Left, Right, z, L...: another snapshot of a replay. */
static enum tui_reaction key_seek(struct tui *t, const struct tui_actions *a, int arg)
{
	if (!a->seek) {
		tui_message(t, true, "this key moves through a recording: concmon --replay FILE");
		return TUI_REDRAW;
	}
	a->seek(a->ctx, arg);
	return TUI_REDRAW;
}

/* W: start or stop writing every snapshot and event to a file. */
static enum tui_reaction key_record(struct tui *t, const struct tui_actions *a, int arg)
{
	(void)arg;
	char msg[TUI_TEXT_MAX];
	if (!a->record) {
		tui_message(t, true, "recording is not available here");
		return TUI_REDRAW;
	}
	int rc = a->record(a->ctx, msg, sizeof msg);
	tui_message(t, rc != 0, "%s", msg);
	return TUI_REDRAW;
}

static enum tui_reaction key_quit(struct tui *t, const struct tui_actions *a, int arg)
{
	(void)t, (void)a, (void)arg;
	return TUI_QUIT;
}

/* In help order. The bar shows entries marked bar, in this order. */
static const struct keybind key_table[] = {
	{ { KEY_F(1), '?', 'h' }, "Help", "this screen (any key closes it)", true, key_help, 0 },
	{ { KEY_UP, 'k' }, "Up", "select the row above (k as in vi)", false, key_move, -1 },
	{ { KEY_DOWN, 'j' }, "Down", "select the row below", false, key_move, 1 },
	{ { KEY_PPAGE }, "PgUp", "one page up", false, key_move, -MOVE_PAGE },
	{ { KEY_NPAGE }, "PgDn", "one page down", false, key_move, MOVE_PAGE },
	{ { KEY_HOME }, "Top", "first row", false, key_move, -MOVE_ALL },
	{ { KEY_END }, "Bottom", "last row", false, key_move, MOVE_ALL },
	{ { KEY_F(2), 'd' }, "Demos", "demo menu: launch a demo workload, grouped by topic", true,
	  key_demos, 0 },
	{ { ' ' }, "Tag", "tag or untag the task and move down; signals go to all tagged",
	  false, key_tag, 0 },
	{ { 'U' }, "Untag", "untag every task", false, key_untag, 0 },
	{ { '\n', '\r', KEY_ENTER }, "Fold",
	  "on a \"+N exited\" row: list those exited tasks, or fold them again", false, key_fold, 0 },
	{ { '/' }, "Search", "search by PID, name or command line as you type", false,
	  key_prompt, PROMPT_SEARCH },
	{ { KEY_F(3), 'n' }, "Search", "next match of the search (starts one if none)", true,
	  key_next, 1 },
	{ { 'N', KEY_F(15) }, "Prev", "previous match of the search", false, key_next, -1 },
	{ { KEY_F(4), '\\' }, "Filter", "show only matching tasks (and their parents); Esc clears",
	  true, key_prompt, PROMPT_FILTER },
	{ { 27 }, "Clear", "clear the filter: every task shows again", false, key_clear, 0 },
	{ { KEY_F(5), 't' }, "Tree", "tree or flat list", true, key_tree, 0 },
	{ { 'H' }, "Threads", "show or hide threads", false, key_threads, 0 },
	{ { KEY_F(6) }, "SortBy", "choose the sort column among the shown ones", KEYS_BAR_MORE,
	  key_menu, MENU_SORT },
	{ { '>' }, "SortNext", "sort by the next shown column", false, key_sort_step, 1 },
	{ { '<' }, "SortPrev", "sort by the previous shown column", false, key_sort_step, -1 },
	{ { 'I' }, "Invert", "invert the sort order", false, key_invert, 0 },
	{ { KEY_F(7), ':' }, "Launch",
	  "launch a command line; Ctrl-T in the prompt (or a leading --trace) traces its locks",
	  true, key_prompt, PROMPT_LAUNCH },
	{ { 'p' }, "Panels", "show or hide the telemetry panels (queues, locks, knobs) below the table",
	  false, key_panels, 0 },
	{ { 'S' }, "Setup", "setup screen: columns and their order, sort, colours and other settings; w saves them",
	  false, key_setup, 0 },
	{ { 'm' }, "Meters", "show or hide the system meters above the header (CPU per core, memory, load)",
	  false, key_meters, 0 },
	{ { ']' }, "NextKnob", "select the next knob in the knob panel", false, key_knob_select, 1 },
	{ { '[', KEY_BTAB }, "PrevKnob", "select the previous knob", false, key_knob_select, -1 },
	{ { '+', '=' }, "Knob+",
	  "raise the selected knob: by 1 (range up to 32), else to the next of 1 2 5 10 20 50...",
	  false, key_knob_change, 1 },
	{ { '-' }, "Knob-", "lower the selected knob: by 1, or to the previous of 1 2 5 10 20 50...",
	  false, key_knob_change, -1 },
	{ { 'v' }, "KnobVal",
	  "type the selected knob's value; one read only at start offers a restart with it",
	  false, key_knob_ask, 0 },
	{ { 'R' }, "Restart",
	  "restart the selected row's program with the same arguments (a demo: its knobs as now)",
	  false, key_restart, 0 },
	{ { 'e' }, "Events", "show or hide the event log pane (spawned, exited, killed, zombie...)",
	  KEYS_BAR_MORE, key_pane, KEY_PANE_LOG },
	{ { 'E' }, "Explain", "show or hide the explanation of the selected row (and the demo's lesson)",
	  KEYS_BAR_MORE, key_pane, KEY_PANE_EXPLAIN },
	{ { 'o' }, "Output", "show or hide the output pane of the selected row's program (! = stderr)",
	  KEYS_BAR_MORE, key_pane, KEY_PANE_OUTPUT },
	{ { ')' }, "Grow", "the focused pane (else the last opened) gets a line more", false,
	  key_pane_size, 1 },
	{ { '(' }, "Shrink", "the focused pane (else the last opened) gets a line fewer", false,
	  key_pane_size, -1 },
	{ { '|' }, "Split",
	  "panes stacked, or side by side: equal, left wider, right wider (| goes round)", false,
	  key_pane_split, 0 },
	{ { '\t' }, "Focus", "keys go round the open panes and back (scroll; / n N find in output, log); none: next knob",
	  false, key_focus, 1 },
	{ { 'f' }, "Follow", "the event log shows only the selected task (its PID and threads); f again: all",
	  false, key_follow, 0 },
	{ { '#' }, "LogPID", "the event log shows only the events of a PID you type (0: all)", false,
	  key_prompt, PROMPT_LOGPID },
	{ { 'D' }, "Deadlock", "every deadlock found, drawn as a ring of threads and locks", false,
	  key_deadlocks, 0 },
	{ { KEY_F(9), 'K' }, "Kill", "signal menu: every signal and what it does, SIGTERM first",
	  true, key_menu, MENU_SIGNAL },
	{ { 's' }, "Stop", "send SIGSTOP: the task stops (state T)", false, key_signal, SIGSTOP },
	{ { 'c' }, "Cont", "send SIGCONT: a stopped task continues", false, key_signal, SIGCONT },
	{ { 'x' }, "Term", "terminate: SIGTERM, then SIGKILL after the grace period; a held restart row: "
	  "dismiss it", false, key_terminate, 0 },
	{ { 'W' }, "Record", "start or stop recording snapshots and events to a file (see --replay)",
	  false, key_record, 0 },
	{ { KEY_LEFT }, "Frame-", "replay: the previous snapshot", false, key_seek, TUI_SEEK_BACK },
	{ { KEY_RIGHT }, "Frame+", "replay: the next snapshot", false, key_seek, TUI_SEEK_FORWARD },
	{ { 'g', KEY_SLEFT }, "First", "replay: the first snapshot", false, key_seek, TUI_SEEK_FIRST },
	{ { 'G', KEY_SRIGHT }, "Last", "replay: the last snapshot", false, key_seek, TUI_SEEK_LAST },
	{ { 'z' }, "Zombie", "replay: the next snapshot with a zombie", false, key_seek,
	  TUI_SEEK_ZOMBIE },
	{ { 'L' }, "Deadlk", "replay: the next snapshot with a deadlock", false, key_seek,
	  TUI_SEEK_DEADLOCK },
	{ { 'Z' }, "Freeze", "freeze the view (header says FROZEN) while concmon goes on recording; Z again: live",
	  false, key_freeze, 0 },
	{ { '.' }, "Step", "while frozen: show the next refresh, and stay frozen", false, key_step, 0 },
	{ { '{' }, "Slower", "refresh delay x2 (up to 10s): slow motion", false, key_delay, 1 },
	{ { '}' }, "Faster", "refresh delay /2 (down to 0.05s)", false, key_delay, -1 },
	{ { CTRL('l') }, "Redraw", "redraw the whole screen", false, key_redraw, 0 },
	{ { KEY_F(10), 'q' }, "Quit", "quit: stop every supervised task, then leave", true,
	  key_quit, 0 },
};

#define KEY_TABLE_LEN (sizeof key_table / sizeof key_table[0])

/* The bindings that act on the tree (any arg when ANY_ARG): a replay
 * refuses them, saying why. */
#define ANY_ARG (-1000)
static const struct {
	key_fn *fn;
	int arg;
} key_acting[] = {
	{ key_demos, ANY_ARG }, { key_prompt, PROMPT_LAUNCH }, { key_knob_change, ANY_ARG },
	{ key_menu, MENU_SIGNAL }, { key_signal, ANY_ARG }, { key_terminate, ANY_ARG },
	{ key_record, ANY_ARG }, { key_restart, ANY_ARG }, { key_knob_ask, ANY_ARG },
};

static bool key_acts(const struct keybind *b)
{
	for (size_t i = 0; i < sizeof key_acting / sizeof key_acting[0]; i++)
		if (key_acting[i].fn == b->fn && (key_acting[i].arg == ANY_ARG || key_acting[i].arg == b->arg))
			return true;
	return false;
}

enum tui_reaction keys_dispatch(struct tui *t, const struct tui_actions *a, int ch)
{
	for (size_t i = 0; i < KEY_TABLE_LEN; i++)
		for (size_t j = 0; j < KEYS_PER_BINDING && key_table[i].keys[j]; j++)
			if (key_table[i].keys[j] == ch && a->readonly && key_acts(&key_table[i])) {
				tui_message(t, true, "%s", a->readonly);
				return TUI_REDRAW;
			} else if (key_table[i].keys[j] == ch) {
				return key_table[i].fn(t, a, key_table[i].arg);
			}
	return TUI_NONE;
}

size_t keys_count(void)
{
	return KEY_TABLE_LEN;
}

static const struct {
	int ch;
	const char *name;
} key_names[] = {
	{ KEY_UP, "Up" }, { KEY_DOWN, "Down" }, { KEY_LEFT, "Left" }, { KEY_RIGHT, "Right" },
	{ KEY_SLEFT, "Shift-Left" }, { KEY_SRIGHT, "Shift-Right" },
	{ KEY_PPAGE, "PgUp" }, { KEY_NPAGE, "PgDn" }, { KEY_HOME, "Home" }, { KEY_END, "End" },
	{ KEY_F(15), "Shift-F3" }, { ' ', "Space" }, { 27, "Esc" }, { '\n', "Enter" },
	{ '\t', "Tab" }, { KEY_BTAB, "Shift-Tab" }, { '\r', "Enter" }, { KEY_ENTER, "Enter" },
};

void keys_name(int ch, char *buf, size_t len)
{
	for (size_t i = 0; i < sizeof key_names / sizeof key_names[0]; i++) {
		if (key_names[i].ch == ch) {
			snprintf(buf, len, "%s", key_names[i].name);
			return;
		}
	}
	if (ch >= KEY_F(1) && ch <= KEY_F(63))
		snprintf(buf, len, "F%d", ch - KEY_F0);
	else if (ch > 0 && ch < 32)
		snprintf(buf, len, "Ctrl-%c", ch + '@');
	else if (ch > 32 && ch < 127)
		snprintf(buf, len, "%c", ch);
	else
		snprintf(buf, len, "#%d", ch);
}

void keys_help_line(size_t i, char *buf, size_t len)
{
	const struct keybind *b = &key_table[i];
	char keys[64] = "", name[16];
	char prev[16] = "";
	for (size_t j = 0; j < KEYS_PER_BINDING && b->keys[j]; j++) {
		keys_name(b->keys[j], name, sizeof name);
		if (strcmp(name, prev) == 0)
			continue;    /* Enter's codes (\n, \r, keypad) are one key to a reader */
		size_t used = strlen(keys);
		snprintf(keys + used, sizeof keys - used, "%s%s", j ? " " : "", name);
		snprintf(prev, sizeof prev, "%s", name);
	}
	snprintf(buf, len, "%-16s %-8s %s", keys, b->label, b->help);
}

/* Columns entry i takes in the bar, its leading space included. */
static int keys_bar_width(size_t i, bool pad)
{
	char name[16];
	keys_name(key_table[i].keys[0], name, sizeof name);
	int w = text_width(key_table[i].label);
	return 1 + text_width(name) + (pad && w < 6 ? 6 : w);
}

/* Which entries the bar shows on COLS columns, and whether labels are
 * padded: all padded when they fit; else the main keys unpadded and the
 * others, in table order, while they fit. */
static bool keys_bar_pick(bool shown[KEY_TABLE_LEN])
{
	int all = 0, main = 0;
	for (size_t i = 0; i < KEY_TABLE_LEN; i++) {
		shown[i] = key_table[i].bar != 0;
		all += shown[i] ? keys_bar_width(i, true) : 0;
		main += key_table[i].bar == KEYS_BAR_MAIN ? keys_bar_width(i, false) : 0;
	}
	if (all - 1 <= COLS)
		return true;
	for (size_t i = 0; i < KEY_TABLE_LEN; i++) {
		if (key_table[i].bar != KEYS_BAR_MORE)
			continue;
		shown[i] = main + keys_bar_width(i, false) - 1 <= COLS;
		main += shown[i] ? keys_bar_width(i, false) : 0;
	}
	return false;
}

/* Where an entry of the bar is drawn: its key name at x, its label after
 * it, w columns in all. Drawing and clicking both read this layout, so a
 * click runs the key whose label is under the pointer. */
struct keys_bar_slot {
	size_t i;
	int x, w;
};

/* The bar's entries on COLS columns into s; returns how many. */
static size_t keys_bar_layout(struct keys_bar_slot s[KEY_TABLE_LEN], bool *pad)
{
	bool shown[KEY_TABLE_LEN];
	size_t n = 0;
	int x = 0;
	*pad = keys_bar_pick(shown);
	for (size_t i = 0; i < KEY_TABLE_LEN && x < COLS; i++) {
		if (!shown[i])
			continue;
		if (x)
			x++;
		s[n] = (struct keys_bar_slot){ i, x, keys_bar_width(i, *pad) - 1 };
		x += s[n++].w;
	}
	return n;
}

void keys_draw_bar(const struct tui *t, int y)
{
	int x = 0;
	char name[16], label[64];
	struct keys_bar_slot s[KEY_TABLE_LEN];
	bool pad;
	size_t n = keys_bar_layout(s, &pad);
	for (size_t k = 0; k < n; k++) {
		const struct keybind *b = &key_table[s[k].i];
		keys_name(b->keys[0], name, sizeof name);
		snprintf(label, sizeof label, pad ? "%-6s" : "%s", b->label);
		if (k)
			text_put(y, s[k].x - 1, " ", COLS, A_NORMAL);
		x = s[k].x + text_put(y, s[k].x, name, COLS, t->attr[UI_BAR_KEY]);
		x += text_put(y, x, label, COLS, t->attr[UI_BAR_LABEL]);
	}
	if (t->ntags && x < COLS) {
		snprintf(label, sizeof label, "  %zu tagged (U untags)", t->ntags);
		text_put(y, x, label, COLS, t->attr[UI_TAGGED]);
	}
}

int keys_bar_at(int x)
{
	struct keys_bar_slot s[KEY_TABLE_LEN];
	bool pad;
	size_t n = keys_bar_layout(s, &pad);
	for (size_t k = 0; k < n; k++)
		if (x >= s[k].x && x < s[k].x + s[k].w)
			return key_table[s[k].i].keys[0];
	return 0;
}

void keys_print(FILE *fp)
{
	char line[256];
	for (size_t i = 0; i < KEY_TABLE_LEN; i++) {
		keys_help_line(i, line, sizeof line);
		fprintf(fp, "%s\n", line);
	}
}
