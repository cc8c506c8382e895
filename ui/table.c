/* table.c - draws the header, the column titles and the task rows.
 * Columns are one table: titles, widths, the order in which a narrow
 * terminal drops them, and the sort key each one shows. */
#include "table.h"

#include <stdbool.h>
#include <stddef.h>
#include <stdio.h>
#include <string.h>
#include <time.h>

#include "act.h"
#include "deadview.h"
#include "keys.h"
#include "meters.h"
#include "model/sigtable.h"
#include "model/tasktree.h"
#include "panes.h"
#include "report/report.h"
#include "text.h"
#include "timectl.h"
#include "tui_state.h"
#include "util/escape.h"
#include "view.h"

/* What a cell formatter may need besides the task. */
struct cell_ctx {
	time_t now;
	const struct tui *t;
};

typedef void cell_fn(const struct task *k, const struct cell_ctx *c, char *buf, size_t len);

enum col_id { COL_PID, COL_TID, COL_PPID, COL_STATE, COL_CPU, COL_RSS, COL_THR,
	      COL_START, COL_WAIT, COL_COMMAND, COL_COUNT };

struct column {
	const char *title;
	int width;            /* 0: the rest of the line */
	bool right;           /* numbers align right */
	int drop;             /* narrow screens hide lower numbers first; 0 never */
	int sort;             /* the enum sort_key this column shows, or -1 */
	bool threads_only;    /* only while threads are shown */
	cell_fn *cell;
};

/* Room the COMMAND column keeps before other columns are dropped: at 80
 * columns START and RSS go and a command line shows 40 characters. */
#define TABLE_MIN_COMMAND 36
/* The WAITING column only where COMMAND keeps this much: a command line
 * matters more. Without it, a thread's wait follows its name. */
#define TABLE_WAIT_MIN_COMMAND 60
/* Column 0 holds the tag mark; columns start after it. */
#define TABLE_MARK_WIDTH 1

static void cell_pid(const struct task *k, const struct cell_ctx *c, char *b, size_t n)
{
	(void)c;
	snprintf(b, n, "%d", (int)k->pid);
}

static void cell_tid(const struct task *k, const struct cell_ctx *c, char *b, size_t n)
{
	(void)c;
	snprintf(b, n, "%d", (int)k->tid);
}

static void cell_ppid(const struct task *k, const struct cell_ctx *c, char *b, size_t n)
{
	(void)c;
	snprintf(b, n, "%d", (int)k->ppid);
}

static void cell_state(const struct task *k, const struct cell_ctx *c, char *b, size_t n)
{
	(void)c;
	char s = k->state > ' ' && k->state < 0x7f ? k->state : '?';
	snprintf(b, n, "%c", s);
}

static void cell_cpu(const struct task *k, const struct cell_ctx *c, char *b, size_t n)
{
	(void)c;
	if (k->exited)
		snprintf(b, n, "-");
	else
		snprintf(b, n, k->cpu < 99.95 ? "%.1f" : "%.0f", k->cpu);
}

static void cell_rss(const struct task *k, const struct cell_ctx *c, char *b, size_t n)
{
	(void)c;
	if (k->exited || task_is_thread(k))
		b[0] = '\0';
	else
		text_human_kb(k->rss_kb, b, n);
}

static void cell_thr(const struct task *k, const struct cell_ctx *c, char *b, size_t n)
{
	(void)c;
	if (k->exited || task_is_thread(k))
		b[0] = '\0';
	else
		snprintf(b, n, "%d", k->threads);
}

/* Today's tasks show the time; older ones the date, like ps and htop. */
static void cell_start(const struct task *k, const struct cell_ctx *c, char *b, size_t n)
{
	time_t when = (time_t)k->start_time;
	struct tm tm;
	b[0] = '\0';
	if (k->start_time <= 0 || !localtime_r(&when, &tm))
		return;
	strftime(b, n, c->now - when < 24 * 3600 ? "%H:%M:%S" : "%b %d", &tm);
}

/* Why the task waits, from the inferred layer ("mutex m held by T 42
 * (worker)"); empty while it runs or when nothing is known. */
static void cell_wait(const struct task *k, const struct cell_ctx *c, char *b, size_t n)
{
	const char *w = !k->exited ? tui_wait(c->t, k->tid) : NULL;
	static const char verb[] = "waits for ";   /* the column's title says it */
	if (w && strncmp(w, verb, sizeof verb - 1) == 0)
		w += sizeof verb - 1;
	escape_text(w ? w : "", b, n); /* names come from the program's memory and comm */
}

static const struct column table_columns[COL_COUNT] = {
	[COL_PID] = { "PID", 7, true, 0, SORT_PID, false, cell_pid },
	[COL_TID] = { "TID", 7, true, 0, -1, true, cell_tid },
	[COL_PPID] = { "PPID", 7, true, 6, -1, false, cell_ppid },
	[COL_STATE] = { "S", 1, false, 0, SORT_STATE, false, cell_state },
	[COL_CPU] = { "CPU%", 5, true, 5, SORT_CPU, false, cell_cpu },
	[COL_RSS] = { "RSS", 6, true, 3, SORT_RSS, false, cell_rss },
	[COL_THR] = { "THR", 4, true, 4, -1, false, cell_thr },
	[COL_START] = { "START", 8, false, 2, SORT_START, false, cell_start },
	[COL_WAIT] = { "WAITING", 36, false, 1, -1, false, cell_wait },
	[COL_COMMAND] = { "COMMAND", 0, false, 0, SORT_COMMAND, false, NULL },
};

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

/* x position of each column for this screen width, or -1 when hidden. */
static void table_layout(const struct tui *t, int x[COL_COUNT])
{
	bool shown[COL_COUNT];
	int fixed = TABLE_MARK_WIDTH;
	for (int i = 0; i < COL_COUNT; i++) {
		shown[i] = !table_columns[i].threads_only || t->opts.threads;
		if (shown[i])
			fixed += table_columns[i].width + 1;
	}
	/* Drop the least useful columns until COMMAND has some room. */
	for (int level = 1; fixed + TABLE_MIN_COMMAND > COLS; level++) {
		bool any = false;
		for (int i = 0; i < COL_COUNT; i++) {
			if (shown[i] && table_columns[i].drop == level) {
				shown[i] = false;
				fixed -= table_columns[i].width + 1;
			}
			any |= table_columns[i].drop >= level;
		}
		if (!any)
			break;
	}
	if (shown[COL_WAIT] && fixed + TABLE_WAIT_MIN_COMMAND > COLS) {
		shown[COL_WAIT] = false;
		fixed -= table_columns[COL_WAIT].width + 1;
	}
	int pos = TABLE_MARK_WIDTH;
	for (int i = 0; i < COL_COUNT; i++) {
		x[i] = shown[i] ? pos : -1;
		if (shown[i])
			pos += table_columns[i].width + 1;
	}
}

/* Draws text in a fixed-width cell, right-aligned when asked. */
static void table_cell(int y, int x, const struct column *col, const char *s, attr_t a)
{
	int w = text_width(s);
	int pad = col->right && w < col->width ? col->width - w : 0;
	text_put(y, x + pad, s, col->width - pad, a);
}

static void table_draw_titles(const struct tui *t, int y, const int x[COL_COUNT])
{
	text_fill(y, 0, COLS, t->attr[UI_TITLE]);
	for (int i = 0; i < COL_COUNT; i++) {
		const struct column *col = &table_columns[i];
		if (x[i] < 0)
			continue;
		bool sorted = col->sort == (int)t->opts.sort;
		attr_t a = t->attr[sorted ? UI_TITLE_SORT : UI_TITLE];
		if (col->width == 0)
			text_put(y, x[i], col->title, COLS, a);
		else
			table_cell(y, x[i], col, col->title, a);
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

/* COMMAND: glyphs, name, marks, then the command line greyed. */
static void table_draw_command(const struct tui *t, const struct row *r, int y, int x,
			       attr_t base, bool wait_shown)
{
	const struct task *k = r->task;
	char name[ACT_NAME_MAX], line[4096], emark[64], omark[64];
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
			    const int x[COL_COUNT])
{
	char buf[512];
	attr_t grey = t->attr[UI_GREY];
	const struct task *p = r->fold->parent;
	if (x[COL_PPID] >= 0) {
		snprintf(buf, sizeof buf, "%d", p ? (int)p->pid : 0);
		table_cell(y, x[COL_PPID], &table_columns[COL_PPID], buf, grey);
	}
	table_cell(y, x[COL_STATE], &table_columns[COL_STATE], r->fold->unfolded ? "-" : "+", grey);
	int cx = x[COL_COMMAND];
	if (t->opts.tree)
		cx += table_draw_glyphs(t, r, y, cx, grey);
	tasktree_fold_text(r->fold, buf, sizeof buf);
	cx += text_put(y, cx, buf, COLS, grey);
	text_put(y, cx, r->fold->unfolded ? "  (Enter folds them)" : "  (Enter lists them)", COLS,
		 grey);
}

static void table_draw_row(const struct tui *t, size_t i, int y, const int x[COL_COUNT],
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
	char buf[64];

	/* A thread in a deadlock (or waiting behind one): "!" and a red state. */
	const struct deadlocks *dl = tui_deadlocks(t);
	bool stuck = !k->exited && dl && deadlocks_count(dl) && deadlocks_stuck(dl, k->tid);
	if (tagged)
		text_put(y, 0, "*", 1, t->attr[UI_TAGGED]);
	else if (stuck)
		text_put(y, 0, "!", 1, t->attr[UI_ERROR]);
	for (int c = 0; c < COL_COMMAND; c++) {
		if (x[c] < 0)
			continue;
		table_columns[c].cell(k, ctx, buf, sizeof buf);
		attr_t a = base;
		if (c == COL_STATE && !k->exited && !tagged)
			a = t->attr[stuck ? UI_ERROR : table_state_color(k->state)];
		table_cell(y, x[c], &table_columns[c], buf, a);
	}
	table_draw_command(t, r, y, x[COL_COMMAND], base, x[COL_WAIT] >= 0);
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
	int x[COL_COUNT];
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
	int mh = tui_meter_lines(t), bh = tui_banner_lines(t), ph = panes_height(t);
	meters_draw(t, 0);
	table_draw_header(t, mh);
	if (bh)
		deadview_banner(t, mh + 1);
	table_draw(t, mh + 1 + bh, tui_body_lines(t) - ph);
	panes_draw(t, LINES - TUI_FOOTER_LINES - ph, ph);
	table_draw_status(t, LINES - 1);
}

const struct tui_mode table_mode = {
	.name = "table",
	.key = keys_dispatch,
	.draw = table_mode_draw,
};
