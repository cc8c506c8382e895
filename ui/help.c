/* help.c - the help screen. Every line comes from a table (keys, state
 * letters), so it cannot drift from what the keys really do. */
#include "help.h"

#include <stdio.h>

#include "keys.h"
#include "mouse.h"
#include "table.h"
#include "text.h"
#include "tui_state.h"

/* Lines are produced in order; only those inside the visible window are
 * drawn, so the same walk also counts the lines (draw = false). */
struct help_walk {
	const struct tui *t;
	int line;       /* index of the next line produced */
	int top;        /* first line shown */
	int height;     /* lines available */
	bool draw;
};

static void help_emit(struct help_walk *w, const char *lead, attr_t la, const char *s, attr_t a)
{
	int y = w->line - w->top;
	if (w->draw && y >= 0 && y < w->height) {
		int x = text_put(y, 0, lead, COLS, la);
		text_put(y, x, s, COLS - x, a);
	}
	w->line++;
}

static const char *const help_notes[] = {
	"Rows: * tagged; grey = exited (kept --linger seconds, 5, with its exit code or signal);",
	"[orphan of N] = lost its parent N and was adopted by concmon, which reaps it.",
	"Signals go to every tagged task, or to the selected one when none is tagged.",
	"In prompts: Enter accepts, Esc cancels, Ctrl-U/Ctrl-K/Ctrl-W delete, Up/Down history.",
	"Panels (p), for the program of the selected row: queues (depth/capacity, the last minute,",
	"put/get per second, blocked threads); locks (* = threads waiting, ! = and its holder waits",
	"too: a deadlock?); knobs ([ ] select, + - step, v type) and the values it publishes.",
	"Bottom panes stack under the table in the order opened: panels (p), explanation (E), event",
	"log (e), output (o); each key opens or closes its own, and Tab takes the keys round them;",
	") and ( give the focused pane (else the last opened) a line more or fewer; | puts them",
	"side by side in two columns (| again: left wider, right wider, stacked; 81 columns or more).",
	"--theme projector: nothing dim or grey, for a projector; monochrome or NO_COLOR=1: no colour.",
	"Start settings (theme, delay, tree, threads, columns, sort, linger...) come from",
	"~/.config/concmon/concmonrc (name=value lines; the command line wins; --no-config skips it).",
	"S opens the setup screen: columns (Space shows, [ ] move), sort, colours and the rest;",
	"each change applies at once, w saves it to concmonrc, Esc keeps it for this session only.",
	"Differences from htop: F2 is the demo menu (htop: Setup; here S), F7 launches a command",
	"(htop: Nice-), F8 does nothing (htop: Nice+; concmon sets no priorities); k moves up, as",
	"in vi (htop: kill; here K or F9); s, c and x send SIGSTOP, SIGCONT and terminate (htop:",
	"strace, tag children, file locks); e and p open panes (htop: environment, program path).",
	"F1 F3 F4 F5 F6 F9 F10, Space, U, /, \\, t, H and I do what they do in htop.",
	"The table keeps 8 rows (3 on a short screen, panels aside) with the selected row on screen.",
	"A red ! before a row: the thread is in a deadlock or waits behind one (D).",
	"WAITING (wide screens; else after a thread's name): why it waits, read from the kernel",
	"and its memory (inferred): a mutex and its owner, a pipe and its other end, a child...",
	"Panel titles and D say how locks are known: probe, traced (--trace), inferred, or none.",
	"Time: Z freezes all the view shows (FROZEN in the header: table, waits, banner, panels,",
	"log, output) while concmon goes on recording; keys still act on the live programs; . shows",
	"the next refresh; { } slow down or speed up the refresh. The header's peak (most threads",
	"and zombies at once, forks and exits per second) is what the kernel reported between two",
	"refreshes: a 200 ms spike shows at any delay. Without kernel events there is no peak.",
	"The header's states (run, sleep...) count the rows shown: threads, or processes under H.",
	"--listen PORT serves Prometheus metrics on http://127.0.0.1:PORT/metrics while the TUI runs",
	"(counts, per-program CPU and memory, queues, locks; never command lines or environments).",
	"Launch (F7, :) \"--restart=on-failure:5 CMD\" (or never, always) restarts CMD when it ends",
	"(not when you stop it), waiting 1s, 2s, 4s... up to 60s; its row: [restarts 3, next in 4s].",
	"That exited row stays while it waits and after [restarts 5/5: given up]; x dismisses it.",
	"Mouse: click a row (again: E), a column title (sorts; again: inverts), a key in the bar;",
	"the wheel scrolls the table or the pane under it; in menus click twice to choose. Select",
	"text with Shift held (most terminals); --no-mouse leaves the mouse to the terminal.",
	"Columns: --columns PID,USER,NI,TIME+,... picks them (also VIRT SHR MEM% TTY PRI IO_R IO_W",
	"WCHAN CGROUP); every column sorts: F6 lists the shown ones, > and < step, I inverts.",
	"Meters above the header (m hides them): a bar per core (green user, red system, blue iowait,",
	"cyan steal), Mem (used, then buffers/cache) and Swp, tasks, load average, uptime of the",
	"machine; one compact line below 100x30, none below 20 lines; --no-meters turns them off.",
};

static void help_walk(struct help_walk *w)
{
	const struct tui *t = w->t;
	char line[256];
	help_emit(w, "concmon keys", t->attr[UI_HEADER], "   (Up/Down/PgUp/PgDn scroll, any other key closes)",
		  t->attr[UI_GREY]);
	help_emit(w, "", A_NORMAL, "", A_NORMAL);
	for (size_t i = 0; i < keys_count(); i++) {
		keys_help_line(i, line, sizeof line);
		help_emit(w, "  ", A_NORMAL, line, A_NORMAL);
	}
	help_emit(w, "", A_NORMAL, "", A_NORMAL);
	help_emit(w, "State letters (S column)", t->attr[UI_HEADER], "", A_NORMAL);
	size_t n;
	const struct table_state *s = table_states(&n);
	for (size_t i = 0; i < n; i++) {
		char lead[8];
		snprintf(lead, sizeof lead, "  %c  ", s[i].letter);
		help_emit(w, lead, t->attr[s[i].color] | A_BOLD, s[i].what, A_NORMAL);
	}
	help_emit(w, "", A_NORMAL, "", A_NORMAL);
	for (size_t i = 0; i < sizeof help_notes / sizeof help_notes[0]; i++)
		help_emit(w, "", A_NORMAL, help_notes[i], A_NORMAL);
}

static int help_lines(const struct tui *t)
{
	struct help_walk w = { t, 0, 0, 0, false };
	help_walk(&w);
	return w.line;
}

static void help_draw(struct tui *t)
{
	int max_top = help_lines(t) - LINES;
	if (t->help_top > max_top)
		t->help_top = max_top > 0 ? max_top : 0;
	struct help_walk w = { t, 0, t->help_top, LINES, true };
	help_walk(&w);
}

static enum tui_reaction help_key(struct tui *t, const struct tui_actions *a, int ch)
{
	(void)a;
	int over = help_lines(t) - LINES;
	int step = 0;
	if (ch == KEY_UP || ch == 'k')
		step = -1;
	else if (ch == KEY_DOWN || ch == 'j')
		step = 1;
	else if (ch == KEY_PPAGE)
		step = -(LINES - 1);
	else if (ch == KEY_NPAGE)
		step = LINES - 1;
	if (over > 0 && step) {
		t->help_top += step;
		if (t->help_top < 0)
			t->help_top = 0;
		if (t->help_top > over)
			t->help_top = over;
		return TUI_REDRAW;
	}
	tui_mode_pop(t);
	return TUI_REDRAW;
}

static enum tui_reaction help_mouse(struct tui *t, const struct tui_actions *a,
				    const struct mouse_event *ev)
{
	(void)a;
	return mouse_scroll_or_close(t, ev, &t->help_top);
}

static void help_enter(struct tui *t)
{
	t->help_top = 0;
}

const struct tui_mode help_mode = {
	.name = "help",
	.fullscreen = true,
	.key = help_key,
	.mouse = help_mouse,
	.draw = help_draw,
	.enter = help_enter,
};
