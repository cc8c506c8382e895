/* deadview.c - deadlocks on screen: the red banner under the header that
 * names the first cycle, and the full-screen view (D) drawing every cycle
 * as a ring of threads, the locks they hold and the locks they wait for.
 *
 * Link k of a cycle: thread tid waits for lock, held by holder (the thread
 * of link k+1). So the lock a thread holds is the one the previous link
 * waits for, and the last link's lock is held by the first thread. */
#include "deadview.h"

#include <stdio.h>
#include <string.h>

#include "mouse.h"
#include "text.h"
#include "tui_state.h"

size_t deadview_count(const struct tui *t)
{
	const struct deadlocks *d = tui_deadlocks(t);
	return d ? deadlocks_count(d) : 0;
}

/* "T 4512 (philosopher-1)", or "T 4512" without a role. */
static void deadview_thread(char *buf, size_t len, pid_t tid, const char *role)
{
	if (role && role[0])
		snprintf(buf, len, "T %d (%s)", (int)tid, role);
	else
		snprintf(buf, len, "T %d", (int)tid);
}

void deadview_sentence(const struct deadlock *c, char *buf, size_t len)
{
	char who[CM_NAME_MAX + 32];
	size_t used;
	buf[0] = '\0';
	if (c->n == 0 || len == 0)
		return;
	const struct deadlock_link *l = c->links;
	deadview_thread(who, sizeof who, l[0].tid, l[0].role);
	if (c->n == 1) {
		snprintf(buf, len, "%s holds %s and waits for it again", who, l[0].lock);
		return;
	}
	snprintf(buf, len, "%s holds %s, waits for %s", who, l[c->n - 1].lock, l[0].lock);
	for (size_t k = 1; k < c->n && (used = strlen(buf)) < len - 1; k++) {
		deadview_thread(who, sizeof who, l[k].tid, l[k].role);
		snprintf(buf + used, len - used, " <- held by %s, which waits for %s", who, l[k].lock);
	}
}

/* The banner wraps onto a second line only on screens this tall: below
 * it the table's rows matter more than the end of the sentence. */
#define DEADVIEW_WRAP_MIN_LINES 12

/* "DEADLOCK: " and the first cycle's sentence into text; the hint for the
 * other cycles into more. Returns the number of cycles (0: no banner). */
static size_t deadview_banner_text(const struct tui *t, char *text, size_t len, char *more,
				   size_t mlen)
{
	size_t n = deadview_count(t);
	more[0] = text[0] = '\0';
	if (n == 0)
		return 0;
	struct deadlock c = deadlocks_get(tui_deadlocks(t), 0);
	int used = snprintf(text, len, "DEADLOCK: ");
	deadview_sentence(&c, text + used, len - (size_t)used);
	if (n > 1)      /* with one, D is in the help; the sentence needs the room */
		snprintf(more, mlen, "  (+%zu more, press D)", n - 1);
	return n;
}

int deadview_banner_lines(const struct tui *t)
{
	char text[2048], more[48];
	if (deadview_banner_text(t, text, sizeof text, more, sizeof more) == 0)
		return 0;
	bool fits = text_width(text) + text_width(more) <= COLS;
	return fits || LINES < DEADVIEW_WRAP_MIN_LINES ? 1 : 2;
}

void deadview_banner(const struct tui *t, int y)
{
	char text[2048], more[48];
	if (deadview_banner_text(t, text, sizeof text, more, sizeof more) == 0)
		return;
	attr_t a = t->attr[UI_ERROR] | A_REVERSE;
	const char *rest = text;
	if (deadview_banner_lines(t) == 2) {
		size_t first = text_fit(text, strlen(text), COLS);
		text_fill(y, 0, COLS, a);
		text_put(y, 0, text, text_width_n(text, first), a);
		rest = text + first;
		while (*rest == ' ')
			rest++;
		y++;
	}
	text_fill(y, 0, COLS, a);
	/* The "press D" hint is kept on screen; the sentence is clipped. */
	int mw = text_width(more);
	int room = COLS - mw;
	if (room < 30)
		room = COLS;
	int x = text_put(y, 0, rest, room, a);
	text_put(y, x, more, COLS - x, a);
}

/* ---- the full-screen view --------------------------------------------- */

struct dv_walk {
	const struct tui *t;
	int line, top, height;
};

static void dv_emit(struct dv_walk *w, int indent, const char *s, attr_t a)
{
	int y = w->line - w->top;
	if (y >= 0 && y < w->height)
		text_put(y, indent, s, COLS - indent, a);
	w->line++;
}

static const char *dv_program_name(const struct tui *t, pid_t pid)
{
	size_t n;
	const struct program *progs = tui_programs(t, &n);
	for (size_t i = 0; i < n; i++)
		if (progs[i].pid == pid)
			return progs[i].demo ? progs[i].demo : progs[i].name;
	return "?";
}

static void dv_cycle(struct dv_walk *w, size_t i, const struct deadlock *c)
{
	const struct tui *t = w->t;
	char buf[CM_NAME_MAX * 3 + 128], who[CM_NAME_MAX + 32];
	const char *down = t->utf8 ? "\u2502" : "|", *arrow = t->utf8 ? "\u25bc" : "v";
	const char *back = t->utf8 ? "\u2514\u2500\u25b6" : "`->";
	pid_t prog = c->n ? c->links[0].program : 0;
	snprintf(buf, sizeof buf, "Deadlock %zu: %zu thread%s in program %d (%s)", i + 1, c->n,
		 c->n == 1 ? "" : "s", (int)prog, dv_program_name(t, prog));
	dv_emit(w, 0, buf, t->attr[UI_ERROR]);
	for (size_t k = 0; k < c->n; k++) {
		const struct deadlock_link *l = &c->links[k];
		const char *held = c->links[(k + c->n - 1) % c->n].lock;
		deadview_thread(who, sizeof who, l->tid, l->role);
		if (l->program != prog)
			snprintf(buf, sizeof buf, "%-28s holds %s   [program %d %s]", who, held,
				 (int)l->program, dv_program_name(t, l->program));
		else
			snprintf(buf, sizeof buf, "%-28s holds %s", who, held);
		dv_emit(w, 4, buf, t->attr[UI_HEADER]);
		snprintf(buf, sizeof buf, "%s  waits for %s, held by T %d", down, l->lock,
			 (int)l->holder);
		dv_emit(w, 6, buf, A_NORMAL);
		if (k + 1 < c->n)
			dv_emit(w, 6, arrow, A_NORMAL);
	}
	if (c->n) {
		deadview_thread(who, sizeof who, c->links[0].tid, c->links[0].role);
		snprintf(buf, sizeof buf, "%s back to %s: every thread waits for the next, none can "
			 "go on", back, who);
		dv_emit(w, 6, buf, t->attr[UI_ERROR]);
	}
	dv_emit(w, 0, "", A_NORMAL);
}

/* The launched programs still running. */
static size_t dv_live(const struct tui *t)
{
	size_t n, live = 0;
	const struct program *p = tui_programs(t, &n);
	for (size_t i = 0; i < n; i++)
		live += !p[i].ended;
	return live;
}

/* A command line without the directory of its program, cut to fit:
 * "locks abba 120" for "/long/path/locks abba 120". */
static void dv_short_name(const char *cmd, char *buf, size_t len)
{
	const char *end = strchr(cmd, ' ');
	const char *base = cmd;
	for (const char *c = cmd; *c && (!end || c < end); c++)
		if (*c == '/' && c[1] && c[1] != ' ')
			base = c + 1;
	snprintf(buf, len, "%s", base);
	if (strlen(base) >= len && len > 4)
		memcpy(buf + len - 4, "...", 4);
}

/* What concmon sees of each live program's locks, so that "no deadlock"
 * is never said of a program it cannot look into. */
static void dv_sight_lines(struct dv_walk *w)
{
	const struct tui *t = w->t;
	size_t n;
	const struct program *p = tui_programs(t, &n);
	char buf[CM_NAME_MAX + 320];
	for (size_t i = 0; i < n; i++) {
		if (p[i].ended)
			continue;
		const char *sight = p[i].sight ? p[i].sight : "none";
		bool blind = strcmp(sight, "none") == 0;
		char name[48];
		dv_short_name(dv_program_name(t, p[i].pid), name, sizeof name);
		if (blind)
			snprintf(buf, sizeof buf, "PID %d (%s): no lock information (%s)", (int)p[i].pid,
				 name, p[i].sight_why);
		else
			snprintf(buf, sizeof buf, "PID %d (%s): locks %s (%s)", (int)p[i].pid, name, sight,
				 p[i].sight_why);
		dv_emit(w, 2, buf, blind ? t->attr[UI_ERROR] : t->attr[UI_GREY]);
	}
	dv_emit(w, 0, "", A_NORMAL);
}

static int dv_walk(const struct tui *t, int top, int height)
{
	struct dv_walk w = { t, 0, top, height };
	size_t n = deadview_count(t);
	char buf[128];
	snprintf(buf, sizeof buf, "Deadlocks: %zu  (Up/Down/PgUp/PgDn scroll, any other key closes)",
		 n);
	dv_emit(&w, 0, buf, t->attr[UI_HEADER]);
	dv_emit(&w, 0, "", A_NORMAL);
	if (n == 0)
		dv_emit(&w, 0, dv_live(t) ? "No deadlock among the locks concmon can "
			"see: no thread waits, through them, for itself." :
			"Nothing to look at: no launched program is running.", A_NORMAL);
	dv_sight_lines(&w);
	for (size_t i = 0; i < n; i++) {
		struct deadlock c = deadlocks_get(tui_deadlocks(t), i);
		dv_cycle(&w, i, &c);
	}
	if (n)
		dv_emit(&w, 0, "Break a cycle by killing one of its threads' programs (K), or change "
			"the lock order in the program.", t->attr[UI_GREY]);
	return w.line;
}

static void deadview_draw(struct tui *t)
{
	int max_top = dv_walk(t, 0, 0) - LINES;
	if (t->deadlock_top > max_top)
		t->deadlock_top = max_top > 0 ? max_top : 0;
	dv_walk(t, t->deadlock_top, LINES);
}

static void deadview_enter(struct tui *t)
{
	t->deadlock_top = 0;
}

static enum tui_reaction deadview_key(struct tui *t, const struct tui_actions *a, int ch)
{
	(void)a;
	int step = ch == KEY_UP || ch == 'k' ? -1 : ch == KEY_DOWN || ch == 'j' ? 1 :
		   ch == KEY_PPAGE ? -(LINES - 1) : ch == KEY_NPAGE ? LINES - 1 : 0;
	if (!step) {
		tui_mode_pop(t);
		return TUI_REDRAW;
	}
	t->deadlock_top += step;
	if (t->deadlock_top < 0)
		t->deadlock_top = 0;
	return TUI_REDRAW;    /* clamped when drawn */
}

static enum tui_reaction deadview_mouse(struct tui *t, const struct tui_actions *a,
					const struct mouse_event *ev)
{
	(void)a;
	return mouse_scroll_or_close(t, ev, &t->deadlock_top);
}

const struct tui_mode deadview_mode = {
	.name = "deadlocks",
	.fullscreen = true,
	.key = deadview_key,
	.mouse = deadview_mouse,
	.draw = deadview_draw,
	.enter = deadview_enter,
};
