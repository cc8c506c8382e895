/* meters.c - see meters.h. The full layout: the cores in a grid (two to
 * eight bars a line, as many as keep the grid within a third of the
 * screen, else one total CPU bar), then Mem and Swp on the left and
 * Tasks, Load average and Uptime on the right, like htop's default. */
#include "meters.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "text.h"
#include "tui_state.h"
#include "util/util.h"

/* Below these the meters take one compact line; below METERS_MIN_LINES
 * none, so the table keeps its rows on a short terminal. */
#define METERS_FULL_COLS 100
#define METERS_FULL_LINES 30
#define METERS_MIN_LINES 20
#define METERS_BAR_MIN 16       /* a core's bar: " 12[||||  12.3%]" */
#define METERS_SIDE_LINES 3     /* Mem, Swp | Tasks, Load average, Uptime */

struct meters {
	struct sysmeter_reading r;      /* r.cpus points to cpus */
	struct sysmeter_cpu *cpus;
	size_t cap;
	bool have;
	bool hidden;
};

/* How the full layout places the cores: per_line bars a line on rows
 * lines; per_line 0 is one total bar. */
struct meters_grid {
	int per_line, rows;
};

/* One coloured stretch of a bar, in percent of it. */
struct meters_seg {
	double pct;
	enum ui_color color;
};

struct meters *meters_new(void)
{
	return xcalloc(1, sizeof(struct meters));
}

void meters_free(struct meters *m)
{
	if (!m)
		return;
	free(m->cpus);
	free(m);
}

void meters_set(struct meters *m, const struct sysmeter_reading *r)
{
	m->have = r != NULL;
	if (!r)
		return;
	if (r->ncpus > m->cap) {
		m->cap = r->ncpus;
		m->cpus = xrealloc(m->cpus, m->cap * sizeof *m->cpus);
	}
	m->r = *r;
	if (r->ncpus)
		memcpy(m->cpus, r->cpus, r->ncpus * sizeof *m->cpus);
	m->r.cpus = m->cpus;
}

bool meters_available(const struct meters *m)
{
	return m->have;
}

bool meters_shown(const struct meters *m)
{
	return !m->hidden;
}

bool meters_toggle(struct meters *m)
{
	m->hidden = !m->hidden;
	return !m->hidden;
}

static struct meters_grid meters_grid_of(const struct meters *m)
{
	static const int choices[] = { 2, 4, 8 };
	int n = m->r.cpu_known ? (int)m->r.ncpus : 0;
	int budget = LINES / 3 - METERS_SIDE_LINES;
	for (size_t i = 0; n > 0 && i < sizeof choices / sizeof choices[0]; i++) {
		int k = choices[i], rows = (n + k - 1) / k;
		if (COLS / k >= METERS_BAR_MIN && rows <= budget)
			return (struct meters_grid){ k, rows };
	}
	return (struct meters_grid){ 0, 1 };
}

static bool meters_full(void)
{
	return COLS >= METERS_FULL_COLS && LINES >= METERS_FULL_LINES;
}

int meters_lines(const struct tui *t)
{
	const struct meters *m = t->meters;
	if (!m || !m->have || m->hidden || LINES < METERS_MIN_LINES)
		return 0;
	if (!meters_full())
		return 1;
	return meters_grid_of(m).rows + METERS_SIDE_LINES;
}

/* "label[|||||||     text]" in w columns from x. */
static void meters_bar(const struct tui *t, int y, int x, int w, const char *label,
		       const struct meters_seg *seg, size_t nseg, const char *text)
{
	char fill[512];
	int lw = text_put(y, x, label, w, t->attr[UI_HEADER]);
	int inner = w - lw - 2;
	if (inner < 1)
		return;
	if (inner > (int)sizeof fill - 1)
		inner = (int)sizeof fill - 1;
	text_put(y, x + lw, "[", 1, A_BOLD);
	double cum = 0;
	for (size_t i = 0; i < nseg; i++) {
		int from = (int)(cum * inner / 100.0 + 0.5);
		cum += seg[i].pct > 0 ? seg[i].pct : 0;
		int to = (int)(cum * inner / 100.0 + 0.5);
		if (to > inner)
			to = inner;
		if (to <= from)
			continue;
		memset(fill, '|', (size_t)(to - from));
		fill[to - from] = '\0';
		text_put(y, x + lw + 1 + from, fill, to - from, t->attr[seg[i].color]);
	}
	int tw = text_width(text);
	if (tw <= inner)
		text_put(y, x + lw + 1 + inner - tw, text, tw, A_BOLD);
	text_put(y, x + lw + 1 + inner, "]", 1, A_BOLD);
}

static void meters_cpu_bar(const struct tui *t, int y, int x, int w, const char *label,
			   const struct sysmeter_cpu *c)
{
	const struct meters_seg seg[] = {
		{ c->user, UI_METER_USER }, { c->system, UI_METER_SYSTEM },
		{ c->iowait, UI_METER_IOWAIT }, { c->steal, UI_METER_STEAL },
	};
	char text[16];
	snprintf(text, sizeof text, "%.1f%%", sysmeter_busy(c));
	meters_bar(t, y, x, w, label, seg, sizeof seg / sizeof seg[0], text);
}

/* The core grid on rows from y; returns the rows drawn. */
static int meters_draw_cores(const struct tui *t, int y)
{
	const struct sysmeter_reading *r = &t->meters->r;
	struct meters_grid g = meters_grid_of(t->meters);
	if (!r->cpu_known) {
		static const struct meters_seg none[] = { { 0, UI_METER_USER } };
		meters_bar(t, y, 0, COLS / 2 - 1, "CPU", none, 0, "unknown");
		return 1;
	}
	if (g.per_line == 0) {
		meters_cpu_bar(t, y, 0, COLS / 2 - 1, "CPU", &r->total);
		return 1;
	}
	int w = COLS / g.per_line, digits = r->ncpus > 100 ? 3 : r->ncpus > 10 ? 2 : 1;
	for (size_t i = 0; i < r->ncpus; i++) {
		/* Down the columns, as htop numbers them. */
		int row = (int)i % g.rows, col = (int)i / g.rows;
		char label[16];
		snprintf(label, sizeof label, "%*d", digits + 1, r->cpus[i].id);
		meters_cpu_bar(t, y + row, col * w, w - 1, label, &r->cpus[i]);
	}
	return g.rows;
}

/* A Mem or Swp bar: used (and cached) of total. */
static void meters_mem_bar(const struct tui *t, int y, int w, const char *label,
			   unsigned long used, unsigned long cache, unsigned long total,
			   enum ui_color used_color)
{
	const struct sysmeter_reading *r = &t->meters->r;
	char u[16], tot[16], text[40];
	if (!r->mem_known) {
		meters_bar(t, y, 0, w, label, NULL, 0, "unknown");
		return;
	}
	double scale = total ? 100.0 / (double)total : 0;
	const struct meters_seg seg[] = {
		{ (double)used * scale, used_color }, { (double)cache * scale, UI_METER_CACHE },
	};
	text_human_kb(used, u, sizeof u);
	text_human_kb(total, tot, sizeof tot);
	snprintf(text, sizeof text, "%s/%s", u, tot);
	meters_bar(t, y, 0, w, label, seg, 2, text);
}

/* "Label: value" from x, the label in the header colour. */
static void meters_field(const struct tui *t, int y, int x, const char *label, const char *value)
{
	int lw = text_put(y, x, label, COLS - x, t->attr[UI_HEADER]);
	text_put(y, x + lw, value, COLS - x - lw, A_BOLD);
}

static void meters_draw_side(const struct tui *t, int y)
{
	const struct sysmeter_reading *r = &t->meters->r;
	int half = COLS / 2;
	char v[96] = "unknown";
	meters_mem_bar(t, y, half - 1, "Mem", r->mem_used_kb, r->mem_buffers_cache_kb,
		       r->mem_total_kb, UI_METER_USER);
	meters_mem_bar(t, y + 1, half - 1, "Swp", r->swap_used_kb, 0, r->swap_total_kb,
		       UI_METER_SYSTEM);
	if (r->tasks_known)
		snprintf(v, sizeof v, "%lu, %lu running, %lu blocked", r->tasks_total,
			 r->tasks_running, r->tasks_blocked);
	meters_field(t, y, half + 1, "Tasks: ", v);
	snprintf(v, sizeof v, "unknown");
	if (r->load_known)
		snprintf(v, sizeof v, "%.2f %.2f %.2f", r->load[0], r->load[1], r->load[2]);
	meters_field(t, y + 1, half + 1, "Load average: ", v);
	snprintf(v, sizeof v, "unknown");
	if (r->uptime_known)
		sysmeter_uptime_text(r->uptime_s, v, sizeof v);
	meters_field(t, y + 2, half + 1, "Uptime: ", v);
}

/* One line for 80 columns: "CPU 12.3% mem 1.2G/3.8G swp 0K/1.0G load
 * 0.52 0.40 0.33 up 03:12:44"; each piece only if it fits whole. */
static void meters_draw_compact(const struct tui *t, int y)
{
	const struct sysmeter_reading *r = &t->meters->r;
	char val[5][48], a[16], b[16];
	const char *const labels[5] = { "CPU ", " mem ", " swp ", " load ", " up " };
	snprintf(val[0], sizeof val[0], r->cpu_known ? "%.1f%%" : "?", sysmeter_busy(&r->total));
	strcpy(val[1], "?");
	strcpy(val[2], "?");
	if (r->mem_known) {
		text_human_kb(r->mem_used_kb, a, sizeof a);
		text_human_kb(r->mem_total_kb, b, sizeof b);
		snprintf(val[1], sizeof val[1], "%s/%s", a, b);
		text_human_kb(r->swap_used_kb, a, sizeof a);
		text_human_kb(r->swap_total_kb, b, sizeof b);
		snprintf(val[2], sizeof val[2], "%s/%s", a, b);
	}
	snprintf(val[3], sizeof val[3], "?");
	if (r->load_known)
		snprintf(val[3], sizeof val[3], "%.2f %.2f %.2f", r->load[0], r->load[1], r->load[2]);
	snprintf(val[4], sizeof val[4], "?");
	if (r->uptime_known)
		sysmeter_uptime_text(r->uptime_s, val[4], sizeof val[4]);
	int x = 0;
	for (int i = 0; i < 5; i++) {
		int w = text_width(labels[i]) + text_width(val[i]);
		if (x + w > COLS)
			break;
		x += text_put(y, x, labels[i], COLS - x, t->attr[UI_HEADER]);
		x += text_put(y, x, val[i], COLS - x, A_BOLD);
	}
}

void meters_draw(const struct tui *t, int y)
{
	int n = meters_lines(t);
	if (n == 0)
		return;
	if (n == 1) {
		meters_draw_compact(t, y);
		return;
	}
	int rows = meters_draw_cores(t, y);
	meters_draw_side(t, y + rows);
}
