/* columns.c - the cell formatters of every column and the shown list.
 * Columns are one table indexed by sort key: width, alignment, the order
 * in which a narrow terminal drops them, and the formatter. */
#include "columns.h"

#include <stdio.h>
#include <string.h>

#include "kernel/procparse.h"
#include "model/task.h"
#include "text.h"
#include "tui_state.h"
#include "util/escape.h"

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

/* Per-process figures: blank on thread rows (their process's) and exited ones. */
static bool process_blank(const struct task *k, char *b)
{
	if (k->exited || task_is_thread(k)) {
		b[0] = '\0';
		return true;
	}
	return false;
}

static void cell_rss(const struct task *k, const struct cell_ctx *c, char *b, size_t n)
{
	(void)c;
	if (!process_blank(k, b))
		text_human_kb(k->rss_kb, b, n);
}

static void cell_thr(const struct task *k, const struct cell_ctx *c, char *b, size_t n)
{
	(void)c;
	if (!process_blank(k, b))
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

static void cell_user(const struct task *k, const struct cell_ctx *c, char *b, size_t n)
{
	(void)c;
	escape_text(k->user ? k->user : "-", b, n);
}

static void cell_nice(const struct task *k, const struct cell_ctx *c, char *b, size_t n)
{
	(void)c;
	if (k->exited)
		b[0] = '\0';
	else
		snprintf(b, n, "%d", k->nice);
}

static void cell_pri(const struct task *k, const struct cell_ctx *c, char *b, size_t n)
{
	(void)c;
	if (k->exited)
		b[0] = '\0';
	else
		snprintf(b, n, "%d", k->priority);
}

static void cell_tty(const struct task *k, const struct cell_ctx *c, char *b, size_t n)
{
	(void)c;
	if (k->exited)
		b[0] = '\0';
	else
		procparse_tty_name(k->tty_nr, b, n);
}

static void cell_virt(const struct task *k, const struct cell_ctx *c, char *b, size_t n)
{
	(void)c;
	if (!process_blank(k, b))
		text_human_kb((unsigned long)k->vsize_kb, b, n);
}

static void cell_shr(const struct task *k, const struct cell_ctx *c, char *b, size_t n)
{
	(void)c;
	if (process_blank(k, b))
		return;
	if (k->shr_kb < 0)
		snprintf(b, n, "-");
	else
		text_human_kb((unsigned long)k->shr_kb, b, n);
}

static void cell_mem(const struct task *k, const struct cell_ctx *c, char *b, size_t n)
{
	(void)c;
	if (!process_blank(k, b))
		snprintf(b, n, "%.1f", k->mem_pct);
}

/* htop's TIME+: "M:SS.hh" under an hour, "HhMM:SS" under 100 hours, "Hh". */
static void cell_time(const struct task *k, const struct cell_ctx *c, char *b, size_t n)
{
	(void)c;
	unsigned long long cs = (unsigned long long)(k->time_s * 100.0 + 0.5);
	unsigned long long s = cs / 100, h = s / 3600;
	if (h >= 100)
		snprintf(b, n, "%lluh", h);
	else if (h > 0)
		snprintf(b, n, "%lluh%02llu:%02llu", h, s / 60 % 60, s % 60);
	else
		snprintf(b, n, "%llu:%02llu.%02llu", s / 60, s % 60, cs % 100);
}

/* Bytes per second as "0", "812", "12.3K", "4.0M"; "-" when unknown (not
 * readable: another user's process). */
static void rate_text(double bps, char *b, size_t n)
{
	if (bps < 0)
		snprintf(b, n, "-");
	else if (bps < 1024)
		snprintf(b, n, "%.0f", bps);
	else
		text_human_kb((unsigned long)(bps / 1024), b, n);
}

static void cell_io_r(const struct task *k, const struct cell_ctx *c, char *b, size_t n)
{
	(void)c;
	if (k->exited)
		b[0] = '\0';
	else
		rate_text(k->io_read_bps, b, n);
}

static void cell_io_w(const struct task *k, const struct cell_ctx *c, char *b, size_t n)
{
	(void)c;
	if (k->exited)
		b[0] = '\0';
	else
		rate_text(k->io_write_bps, b, n);
}

static void cell_wchan(const struct task *k, const struct cell_ctx *c, char *b, size_t n)
{
	(void)c;
	escape_text(k->exited ? "" : k->wchan, b, n);
}

static void cell_cgroup(const struct task *k, const struct cell_ctx *c, char *b, size_t n)
{
	(void)c;
	escape_text(k->cgroup && !k->exited ? k->cgroup : "", b, n);
}

/* The optional columns drop first (level 1, with WAITING). */
static const struct column column_defs[SORT_COUNT] = {
	[SORT_PID] = { 7, true, 0, false, cell_pid },
	[SORT_TID] = { 7, true, 0, true, cell_tid },
	[SORT_PPID] = { 7, true, 6, false, cell_ppid },
	[SORT_STATE] = { 1, false, 0, false, cell_state },
	[SORT_CPU] = { 5, true, 5, false, cell_cpu },
	[SORT_RSS] = { 6, true, 3, false, cell_rss },
	[SORT_THR] = { 4, true, 4, false, cell_thr },
	[SORT_START] = { 8, false, 2, false, cell_start },
	[SORT_WAIT] = { 36, false, 1, false, cell_wait },
	[SORT_COMMAND] = { 0, false, 0, false, NULL },
	[SORT_USER] = { 9, false, 1, false, cell_user },
	[SORT_NICE] = { 3, true, 1, false, cell_nice },
	[SORT_PRI] = { 3, true, 1, false, cell_pri },
	[SORT_TTY] = { 7, false, 1, false, cell_tty },
	[SORT_VIRT] = { 6, true, 1, false, cell_virt },
	[SORT_SHR] = { 6, true, 1, false, cell_shr },
	[SORT_MEM] = { 5, true, 1, false, cell_mem },
	[SORT_TIME] = { 9, true, 1, false, cell_time },
	[SORT_IO_R] = { 6, true, 1, false, cell_io_r },
	[SORT_IO_W] = { 6, true, 1, false, cell_io_w },
	[SORT_WCHAN] = { 16, false, 1, false, cell_wchan },
	[SORT_CGROUP] = { 30, false, 1, false, cell_cgroup },
};

const struct column *columns_def(enum sort_key k)
{
	return &column_defs[(unsigned)k < SORT_COUNT ? k : SORT_PID];
}

int table_columns_set(struct tui *t, const char *list, char *err, size_t errlen)
{
	enum sort_key got[TASKSORT_MAX_LIST];
	int n = tasksort_parse_list(list, got, TASKSORT_MAX_LIST, err, errlen);
	if (n < 0)
		return -1;
	size_t k = 0;
	for (int i = 0; i < n; i++)
		if (got[i] != SORT_COMMAND)
			t->cols[k++] = got[i];
	/* COMMAND takes the rest of the line: it can only be last. */
	t->cols[k++] = SORT_COMMAND;
	t->ncols = k;
	t->dirty = true;
	return 0;
}

void table_columns_get(const struct tui *t, char *buf, size_t len)
{
	tasksort_format_list(t->cols, t->ncols, buf, len);
}

unsigned table_columns_extras(const struct tui *t)
{
	enum sort_key sort = t->opts.sort;
	return tasksort_extras(t->cols, t->ncols) | tasksort_extras(&sort, 1);
}
