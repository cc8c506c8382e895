/* table.c - draws the header, the column titles and the task rows.
 * The columns shown are t->cols, in order (columns.c: what each draws);
 * positions are indexed by sort key, -1 for a column not drawn. */
#include "table.h"

#include <stdbool.h>
#include <stddef.h>
#include <stdio.h>
#include <string.h>
#include <time.h>

#include "act.h"
#include "columns.h"
#include "deadview.h"
#include "keys.h"
#include "meters.h"
#include "model/sigtable.h"
#include "model/tasktree.h"
#include "mouse.h"
#include "supervise/relaunch.h"
#include "panes.h"
#include "report/report.h"
#include "text.h"
#include "timectl.h"
#include "tui_state.h"
#include "util/escape.h"
#include "view.h"

/* Room the COMMAND column keeps before other columns are dropped: at 80
 * columns START and RSS go and a command line shows 40 characters. */
#define TABLE_MIN_COMMAND 36
/* The WAITING column only where COMMAND keeps this much: a command line
 * matters more. Without it, a thread's wait follows its name. */
#define TABLE_WAIT_MIN_COMMAND 60
/* Column 0 holds the tag mark; columns start after it. */
#define TABLE_MARK_WIDTH 1

static const struct table_state table_state_list[] = {
	{ 'R', UI_RUN, "running or ready to run" },
	{ 'S', UI_NORMAL, "sleeping: waiting for an event (interruptible)" },
	{ 'D', UI_DISK, "uninterruptible wait, usually disk or a kernel lock" },
	{ 'T', UI_STOP, "stopped by a signal (SIGSTOP, SIGTSTP); SIGCONT resumes" },
	{ 't', UI_STOP, "stopped by a debugger (traced)" },
	{ 'Z', UI_ZOMBIE, "zombie: exited, its parent has not waited for it yet" },
	{ 'X', UI_GREY, "dead; greyed rows have exited and linger a few seconds" },
	{ 'I', UI_NORMAL, "idle kernel thread" },
};

const struct table_state *table_states(size_t *n)
{
	*n = sizeof table_state_list / sizeof table_state_list[0];
	return table_state_list;
}

static enum ui_color table_state_color(char letter)
{
	size_t n;
	const struct table_state *s = table_states(&n);
	for (size_t i = 0; i < n; i++)
		if (s[i].letter == letter)
			return s[i].color;
	return UI_NORMAL;
}

/* Drops the least useful columns until COMMAND has some room; returns
 * the width the shown ones take. */
static int table_drop(const struct tui *t, bool shown[SORT_COUNT], int fixed)
{
	for (int level = 1; fixed + TABLE_MIN_COMMAND > COLS; level++) {
		bool any = false;
		for (size_t i = 0; i < t->ncols; i++) {
			const struct column *col = columns_def(t->cols[i]);
			if (shown[t->cols[i]] && col->drop == level) {
				shown[t->cols[i]] = false;
				fixed -= col->width + 1;
			}
			any |= col->drop >= level;
		}
		if (!any)
			break;
	}
	if (shown[SORT_WAIT] && fixed + TABLE_WAIT_MIN_COMMAND > COLS) {
		shown[SORT_WAIT] = false;
		fixed -= columns_def(SORT_WAIT)->width + 1;
	}
	return fixed;
}

/* x position of each column (by sort key) for this screen width, or -1
 * when hidden. */
static void table_layout(const struct tui *t, int x[SORT_COUNT])
{
	bool shown[SORT_COUNT] = { false };
	int fixed = TABLE_MARK_WIDTH;
	for (size_t i = 0; i < t->ncols; i++) {
		const struct column *col = columns_def(t->cols[i]);
		shown[t->cols[i]] = !col->threads_only || t->opts.threads;
		if (shown[t->cols[i]])
			fixed += col->width + 1;
	}
	table_drop(t, shown, fixed);
	int pos = TABLE_MARK_WIDTH;
	for (int k = 0; k < SORT_COUNT; k++)
		x[k] = -1;
	for (size_t i = 0; i < t->ncols; i++) {
		enum sort_key k = t->cols[i];
		x[k] = shown[k] ? pos : -1;
		if (shown[k])
			pos += columns_def(k)->width + 1;
	}
}

/* Draws text in a fixed-width cell, right-aligned when asked. */
static void table_cell(int y, int x, const struct column *col, const char *s, attr_t a)
{
	int w = text_width(s);
	int pad = col->right && w < col->width ? col->width - w : 0;
	text_put(y, x + pad, s, col->width - pad, a);
}

static void table_draw_titles(const struct tui *t, int y, const int x[SORT_COUNT])
{
	text_fill(y, 0, COLS, t->attr[UI_TITLE]);
	for (size_t i = 0; i < t->ncols; i++) {
		enum sort_key k = t->cols[i];
		const struct column *col = columns_def(k);
		const char *title = tasksort_column_name(k);
		if (x[k] < 0)
			continue;
		attr_t a = t->attr[k == t->opts.sort ? UI_TITLE_SORT : UI_TITLE];
		if (col->width == 0)
			text_put(y, x[k], title, COLS, a);
		else
			table_cell(y, x[k], col, title, a);
	}
}

/* Tree glyphs: ├─ for a child with later siblings, └─ for the last one,
 * │ where an ancestor's later siblings continue below. */
static int table_draw_glyphs(const struct tui *t, const struct row *r, int y, int x, attr_t a)
{
	static const char *const utf8[] = { "\u251c\u2500 ", "\u2514\u2500 ", "\u2502  ", "   " };
	static const char *const ascii[] = { "|- ", "`- ", "|  ", "   " };
	const char *const *g = t->utf8 ? utf8 : ascii;
	int used = 0;
	int depth = r->depth < TREE_MAX_DEPTH ? r->depth : TREE_MAX_DEPTH;
	for (int d = 1; d < depth && x + used < COLS; d++) {
		bool more = d < 64 && (r->more >> d) & 1ULL;
		used += text_put(y, x + used, g[more ? 2 : 3], COLS, a);
	}
	if (depth > 0)
		used += text_put(y, x + used, g[r->last ? 1 : 0], COLS, a);
	return used;
}

/* " [exited 3]", " [killed by SIGKILL]", " [orphan of 1234]"... */
static void table_marks(const struct task *k, char *exit_mark, char *orphan_mark, size_t len)
{
	exit_mark[0] = orphan_mark[0] = '\0';
	if (k->exited && !k->exit_known)
		snprintf(exit_mark, len, " [exited]");
	else if (k->exited && k->exit_signal) {
		const struct sigdesc *d = sigtable_find(k->exit_signal);
		if (d)
			snprintf(exit_mark, len, " [killed by SIG%s]", d->name);
		else
			snprintf(exit_mark, len, " [killed by signal %d]", k->exit_signal);
	} else if (k->exited)
		snprintf(exit_mark, len, " [exited %d]", k->exit_code);
	if (k->orphan && k->former_ppid > 0)
		snprintf(orphan_mark, len, " [orphan of %d]", (int)k->former_ppid);
	else if (k->orphan)
		snprintf(orphan_mark, len, " [orphan]");
}

/* The restarts of the launched program k is (its policy's count and next
 * try), or "": see relaunch_describe. */
static void table_restart_mark(const struct tui *t, const struct task *k, char *buf, size_t len)
{
	size_t n;
	const struct program *p = tui_programs(t, &n);
	buf[0] = '\0';
	for (size_t i = 0; i < n && !task_is_thread(k); i++)
		if (p[i].pid == k->pid) {
			buf[0] = ' ';
			relaunch_describe(&p[i], t->last_frame, buf + 1, len - 1);
			if (!buf[1])
				buf[0] = '\0';
			return;
		}
}

/* COMMAND: glyphs, name, marks, then the command line greyed. */
static void table_draw_command(const struct tui *t, const struct row *r, int y, int x,
			       attr_t base, bool wait_shown)
{
	const struct task *k = r->task;
	char name[ACT_NAME_MAX], line[4096], emark[64], omark[64], rmark[64];
	attr_t grey = t->attr[UI_GREY];

	if (t->opts.tree)
		x += table_draw_glyphs(t, r, y, x, k->exited ? grey : base);
	escape_text(k->comm, name, sizeof name);
	attr_t na = base;
	if (k->exited)
		na = grey;
	else if (k->state == 'Z')
		na = t->attr[UI_ZOMBIE];
	else if (task_is_thread(k) && base == t->attr[UI_NORMAL])
		na = t->attr[UI_THREAD];
	x += text_put(y, x, name, COLS, na);

	table_marks(k, emark, omark, sizeof emark);
	x += text_put(y, x, emark, COLS, grey);
	x += text_put(y, x, omark, COLS, k->exited ? grey : t->attr[UI_ORPHAN]);
	table_restart_mark(t, k, rmark, sizeof rmark);
	x += text_put(y, x, rmark, COLS, t->attr[UI_HEADER_MODE]);

	/* A thread's command line is its process's: not repeated; its wait
	 * is said here when the WAITING column does not fit. */
	if (task_is_thread(k) && !wait_shown) {
		const char *w = !k->exited ? tui_wait(t, k->tid) : NULL;
		if (w) {
			escape_text(w, line, sizeof line);
			x += text_put(y, x, "  ", COLS, grey);
			text_put(y, x, line, COLS, grey);
		}
	}
	if (task_is_thread(k) || !k->cmdline || !k->cmdline[0] || strcmp(k->cmdline, k->comm) == 0)
		return;
	escape_text(k->cmdline, line, sizeof line);
	x += text_put(y, x, "  ", COLS, grey);
	text_put(y, x, line, COLS, grey);
}

/* A summary row of exited tasks: its parent in PPID, "+" in S, the
 * tally in COMMAND, greyed like the rows it stands for. */
static void table_draw_fold(const struct tui *t, const struct row *r, int y,
			    const int x[SORT_COUNT])
{
	char buf[512];
	attr_t grey = t->attr[UI_GREY];
	const struct task *p = r->fold->parent;
	if (x[SORT_PPID] >= 0) {
		snprintf(buf, sizeof buf, "%d", p ? (int)p->pid : 0);
		table_cell(y, x[SORT_PPID], columns_def(SORT_PPID), buf, grey);
	}
	if (x[SORT_STATE] >= 0)
		table_cell(y, x[SORT_STATE], columns_def(SORT_STATE), r->fold->unfolded ? "-" : "+",
			   grey);
	int cx = x[SORT_COMMAND];
	if (t->opts.tree)
		cx += table_draw_glyphs(t, r, y, cx, grey);
	tasktree_fold_text(r->fold, buf, sizeof buf);
	cx += text_put(y, cx, buf, COLS, grey);
	text_put(y, cx, r->fold->unfolded ? "  (Enter folds them)" : "  (Enter lists them)", COLS,
		 grey);
}

static void table_draw_row(const struct tui *t, size_t i, int y, const int x[SORT_COUNT],
			   const struct cell_ctx *ctx)
{
	const struct row *r = &t->rows[i];
	const struct task *k = r->task;
	if (!k) {
		table_draw_fold(t, r, y, x);
		return;
	}
	bool tagged = view_tagged(t, k);
	attr_t base = t->attr[k->exited ? UI_GREY : tagged ? UI_TAGGED : UI_NORMAL];
	char buf[512];

	/* A thread in a deadlock (or waiting behind one): "!" and a red state. */
	const struct deadlocks *dl = tui_deadlocks(t);
	bool stuck = !k->exited && dl && deadlocks_count(dl) && deadlocks_stuck(dl, k->tid);
	if (tagged)
		text_put(y, 0, "*", 1, t->attr[UI_TAGGED]);
	else if (stuck)
		text_put(y, 0, "!", 1, t->attr[UI_ERROR]);
	for (size_t ci = 0; ci < t->ncols; ci++) {
		enum sort_key c = t->cols[ci];
		const struct column *col = columns_def(c);
		if (x[c] < 0 || !col->cell)
			continue;
		col->cell(k, ctx, buf, sizeof buf);
		attr_t a = base;
		if (c == SORT_STATE && !k->exited && !tagged)
			a = t->attr[stuck ? UI_ERROR : table_state_color(k->state)];
		table_cell(y, x[c], col, buf, a);
	}
	if (x[SORT_COMMAND] >= 0)
		table_draw_command(t, r, y, x[SORT_COMMAND], base, x[SORT_WAIT] >= 0);
}

/* What an empty table means, so the user knows what to do next. */
static void table_draw_empty(const struct tui *t, int y)
{
	char msg[TUI_TEXT_MAX + 64];
	if (t->ntasks == 0 && !t->all)
		snprintf(msg, sizeof msg, "no supervised tasks: press F2 for the demo menu (lessons), "
			 "or : / F7 to launch a command");
	else if (t->ntasks == 0)
		snprintf(msg, sizeof msg, "no tasks");
	else
		snprintf(msg, sizeof msg, "no task matches the filter \"%s\" (press \\ then Esc to clear it)",
			 t->filter);
	text_put(y, 1, msg, COLS - 1, t->attr[UI_GREY]);
}

void table_draw(struct tui *t, int y, int height)
{
	int x[SORT_COUNT];
	table_layout(t, x);
	table_draw_titles(t, y, x);
	int rows = height - 1;
	if (rows <= 0)
		return;
	if (t->nrows == 0) {
		table_draw_empty(t, y + 1);
		return;
	}
	view_scroll(t, rows);
	struct cell_ctx ctx = { .now = time(NULL), .t = t };
	for (int r = 0; r < rows && t->top + (size_t)r < t->nrows; r++) {
		size_t i = t->top + (size_t)r;
		table_draw_row(t, i, y + 1 + r, x, &ctx);
		if (i == t->sel) {
			attr_t s = t->attr[UI_SELECTED];
			mvchgat(y + 1 + r, 0, -1, s & ~A_COLOR, (short)PAIR_NUMBER(s), NULL);
		}
	}
}

/* The line of the column titles and the rows under them, as
 * table_mode_draw lays them out. */
static int table_titles_y(const struct tui *t, int *rows)
{
	*rows = tui_body_lines(t) - panes_height(t) - 1;
	return tui_meter_lines(t) + 1 + tui_banner_lines(t);
}

struct table_hit table_at(const struct tui *t, int y, int x)
{
	struct table_hit h = { TABLE_HIT_NONE, 0, -1, NULL };
	int rows, ty = table_titles_y(t, &rows);
	if (y > ty && y <= ty + rows && t->top + (size_t)(y - ty - 1) < t->nrows) {
		h.what = TABLE_HIT_ROW;
		h.row = t->top + (size_t)(y - ty - 1);
	}
	if (y != ty)
		return h;
	int cx[SORT_COUNT];
	table_layout(t, cx);
	for (size_t i = 0; i < t->ncols; i++) {
		enum sort_key k = t->cols[i];
		const struct column *col = columns_def(k);
		/* A column owns its cells and the gap after them; COMMAND the rest. */
		if (cx[k] >= 0 && x >= cx[k] && (col->width == 0 || x <= cx[k] + col->width)) {
			h.what = TABLE_HIT_TITLE;
			h.sort = (int)k;
			h.title = tasksort_column_name(k);
		}
	}
	return h;
}

struct header_count {
	const char *one, *many;
	const char *tag;        /* the compact header's label: "p" after, "Z" before the number */
	bool tag_after;
	size_t off;             /* into struct summary */
	enum ui_color hot;      /* colour of the number when it is not 0 */
	bool hide_zero;         /* rare states: shown only when present */
};

/* Short labels: the counts and the mode must share one line of 120. Below
 * that the compact form ("4p 6t | R0 S6 T0 Z0 O0 X0") keeps every count. */
static const struct header_count header_counts[] = {
	{ "proc", "procs", "p", true, offsetof(struct summary, processes), UI_HEADER, false },
	{ "thr", "thr", "t", true, offsetof(struct summary, threads), UI_HEADER, false },
	{ "run", "run", "R", false, offsetof(struct summary, running), UI_RUN, false },
	{ "sleep", "sleep", "S", false, offsetof(struct summary, sleeping), UI_HEADER, false },
	{ "disk", "disk", "D", false, offsetof(struct summary, disk), UI_DISK, true },
	{ "stop", "stop", "T", false, offsetof(struct summary, stopped), UI_STOP, false },
	{ "zombie", "zombies", "Z", false, offsetof(struct summary, zombies), UI_ZOMBIE, false },
	{ "orphan", "orphans", "O", false, offsetof(struct summary, orphans), UI_ORPHAN, false },
	{ "exited", "exited", "X", false, offsetof(struct summary, exited), UI_GREY, false },
};

#define HEADER_NCOUNTS (sizeof header_counts / sizeof header_counts[0])

/* The view mode, in words ("tree, threads, sort PID, cgroup, every 1s") or,
 * compact, in tokens ("tree thr PID cg 1s"). */
static void table_header_mode(const struct tui *t, bool compact, char *buf, size_t len)
{
	static const char *const words[][2] = {
		{ "tree", "flat" }, { "threads", "no threads" }, { ", no cgroup", ", cgroup" } };
	static const char *const tokens[][2] = {
		{ "tree", "flat" }, { "thr", "nothr" }, { " nocg", " cg" } };
	const char *const(*w)[2] = compact ? tokens : words;
	const char *sep = compact ? " " : ", ";
	int n = snprintf(buf, len, "%s%s%s%s%s%s", w[0][!t->opts.tree], sep, w[1][!t->opts.threads],
			 sep, compact ? "" : "sort ", tasktree_sort_name(t->opts.sort));
	if (n > 0 && (size_t)n < len && t->opts.descending)
		n += snprintf(buf + n, len - (size_t)n, compact ? "-" : " desc");
	if (n > 0 && (size_t)n < len && t->filter[0])
		n += snprintf(buf + n, len - (size_t)n, compact ? " /%s" : ", filter \"%s\"", t->filter);
	if (n > 0 && (size_t)n < len && t->all)
		n += snprintf(buf + n, len - (size_t)n, "%sall", sep);
	if (n > 0 && (size_t)n < len)
		n += snprintf(buf + n, len - (size_t)n, "%s", w[2][!t->no_cgroup]);
	if (n > 0 && (size_t)n < len && t->delay > 0)
		snprintf(buf + n, len - (size_t)n, compact ? " %gs" : ", every %gs", t->delay);
	else if (n > 0 && (size_t)n < len)
		snprintf(buf + n, len - (size_t)n, compact ? " nodelay" : ", no delay");
}

/* Draws the counts from x (dry: only measures); returns the columns used. */
static int table_header_counts(const struct tui *t, int y, int x, bool compact, bool dry)
{
	char buf[64];
	int used = 0;
	for (size_t i = 0; i < HEADER_NCOUNTS; i++) {
		const struct header_count *h = &header_counts[i];
		int v = *(const int *)(const void *)((const char *)&t->sum + h->off);
		if (v == 0 && h->hide_zero)
			continue;
		const char *sep = compact ? (i == 0 ? " " : i == 2 ? " | " : " ") :
				  (i == 0 ? "  " : i != 2 ? ", " : t->opts.threads ? " | thr: " : " | procs: ");
		const char *before = compact && !h->tag_after ? h->tag : "";
		snprintf(buf, sizeof buf, "%s%s", sep, before);
		used += dry ? text_width(buf) : text_put(y, x + used, buf, COLS, A_NORMAL);
		snprintf(buf, sizeof buf, "%d", v);
		used += dry ? text_width(buf) :
			text_put(y, x + used, buf, COLS, v ? t->attr[h->hot] | A_BOLD : A_NORMAL);
		if (compact)
			snprintf(buf, sizeof buf, "%s", h->tag_after ? h->tag : "");
		else
			snprintf(buf, sizeof buf, " %s", v == 1 ? h->one : h->many);
		used += dry ? text_width(buf) : text_put(y, x + used, buf, COLS, A_NORMAL);
	}
	return used;
}

/* Counts first (they matter most), the view mode right-aligned after them.
 * What does not fit turns compact: the mode first ("tree thr PID cg 1s"),
 * then the counts ("4p 6t | R0 S6 ..."), so a narrow screen (80 columns)
 * still shows every count and the mode. The state counts are of the rows
 * shown: per thread while threads are shown, per process while H hides
 * them, and the header says which ("| thr:" or "| procs:"). */
void table_draw_header(const struct tui *t, int y)
{
	char mode[TUI_TEXT_MAX + 128];
	int x = text_put(y, 0, "concmon", COLS, t->attr[UI_HEADER]);
	x += timectl_header_mark(t, y, x);
	int words = x + table_header_counts(t, y, x, false, true) + 3;
	table_header_mode(t, false, mode, sizeof mode);
	bool compact_mode = words + text_width(mode) > COLS;
	if (compact_mode)
		table_header_mode(t, true, mode, sizeof mode);
	bool compact = words + text_width(mode) > COLS;
	x += table_header_counts(t, y, x, compact, false);
	int w = text_width(mode);
	x += timectl_header_peaks(t, y, x, COLS - x - w - 3);
	x = COLS - w > x + 3 ? COLS - w : x + 3;
	if (compact_mode)
		text_put(y, x - 2, "|", 1, A_NORMAL);
	text_put(y, x, mode, COLS, t->attr[UI_HEADER_MODE]);
}

/* The status line on y: the message, or the key bar when none. */
static void table_draw_status(const struct tui *t, int y)
{
	if (!t->status[0]) {
		keys_draw_bar(t, y);
		return;
	}
	/* Messages quote task names and launch errors: made safe here. */
	char safe[TUI_TEXT_MAX * 4];
	escape_text(t->status, safe, sizeof safe);
	text_put(y, 0, safe, COLS, t->attr[t->status_error ? UI_ERROR : UI_NORMAL]);
}

static void table_mode_draw(struct tui *t)
{
	int mh = tui_meter_lines(t), bh = tui_banner_lines(t), ph = panes_height(t), rows;
	meters_draw(t, 0);
	table_draw_header(t, mh);
	if (bh)
		deadview_banner(t, mh + 1);
	int ty = table_titles_y(t, &rows);
	table_draw(t, ty, rows + 1);
	panes_draw(t, LINES - TUI_FOOTER_LINES - ph, ph);
	table_draw_status(t, LINES - 1);
}

const struct tui_mode table_mode = {
	.name = "table",
	.key = keys_dispatch,
	.mouse = mouse_table,
	.draw = table_mode_draw,
};
