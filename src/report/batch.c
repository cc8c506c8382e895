/* batch.c - see batch.h. */
#include "report/batch.h"

#include <stdint.h>
#include <stdlib.h>

#include "model/tasktree.h"
#include "report/report.h"
#include "report/report_sys.h"
#include "supervise/output.h"
#include "util/escape.h"
#include "util/util.h"

/* Events a snapshot lists in full; the rest are counted by kind: a fork
 * storm makes thousands a second, and --log keeps every one. */
#define BATCH_EVENTS_MAX 200

struct batch {
	struct tasktree *tree;      /* the rows, exited ones folded past the cap */
	uint64_t events_reported;   /* JSON: the last event already printed */
};

/* One print: the batch and what it prints from. */
struct batch_ctx {
	struct batch *b;
	const struct batch_input *in;
};

struct batch *batch_new(void)
{
	struct batch *b = xcalloc(1, sizeof(struct batch));
	b->tree = tasktree_new();
	return b;
}

void batch_free(struct batch *b)
{
	if (!b)
		return;
	tasktree_free(b->tree);
	free(b);
}

/* Writes one output line of program pid; first: the first of this snapshot. */
typedef void output_fn(FILE *fp, pid_t pid, const struct output_line *l, bool first);

/* Hands fn every line the programs wrote since the last snapshot, and
 * marks them reported. */
static void print_new_output(FILE *fp, struct batch_ctx *c, output_fn *fn)
{
	size_t np = 0;
	const struct program *p = c->in->progs ? programs_list(c->in->progs, &np) : NULL;
	bool first = true;
	for (size_t i = 0; i < np; i++) {
		size_t n = output_count(p[i].out);
		for (size_t k = 0; k < n; k++) {
			struct output_line l = output_get(p[i].out, k);
			if (l.seq <= p[i].out_reported)
				continue;
			fn(fp, p[i].pid, &l, first);
			first = false;
		}
		programs_output_reported(c->in->progs, p[i].pid);
	}
}

static void output_json(FILE *fp, pid_t pid, const struct output_line *l, bool first)
{
	fprintf(fp, "%s{\"pid\":%d,\"stream\":\"%s\",\"line\":", first ? "" : ",", (int)pid,
		l->err ? "stderr" : "stdout");
	escape_json_string(fp, l->text);
	fputc('}', fp);
}

static void output_text(FILE *fp, pid_t pid, const struct output_line *l, bool first)
{
	(void)first;
	report_text_output(fp, pid, l->err, l->text);
}

/* Batch JSON: ,"output":[...] with the lines programs wrote since the last one. */
static void print_output(FILE *fp, struct batch_ctx *c)
{
	fputs(",\"output\":[", fp);
	print_new_output(fp, c, output_json);
	fputc(']', fp);
}

/* ,"events_dropped":{"spawned":2700,...}: the kinds past the cap. */
static void print_dropped(FILE *fp, const size_t *dropped)
{
	bool first = true;
	fputs(",\"events_dropped\":{", fp);
	for (int k = 0; k < EV_KIND_COUNT; k++) {
		if (!dropped[k])
			continue;
		fprintf(fp, "%s\"%s\":%zu", first ? "" : ",", events_kind_name((enum event_kind)k),
			dropped[k]);
		first = false;
	}
	fputc('}', fp);
}

/* Batch JSON: the system meters, the output lines, then the first BATCH_EVENTS_MAX events
 * since the previous snapshot and a count of the rest by kind (a
 * report_extra hook). */
static void print_events(FILE *fp, void *arg)
{
	struct batch_ctx *c = arg;
	if (c->in->system)
		report_sys_json(fp, c->in->system);
	else    /* --no-meters, or a replay (recordings carry no meters): the same shape */
		fputs(",\"system\":null", fp);
	print_output(fp, c);
	struct event buf[256];
	size_t n, listed = 0, dropped[EV_KIND_COUNT] = { 0 };
	fputs(",\"events\":[", fp);
	while ((n = events_since(c->in->events, c->b->events_reported, buf, 256)) > 0) {
		for (size_t i = 0; i < n; i++) {
			if (listed == BATCH_EVENTS_MAX) {
				if (buf[i].kind < EV_KIND_COUNT)
					dropped[buf[i].kind]++;
				continue;
			}
			if (listed++)
				fputc(',', fp);
			events_json(fp, &buf[i]);
		}
		c->b->events_reported = buf[n - 1].seq;
	}
	fputc(']', fp);
	print_dropped(fp, dropped);
}

int batch_print(struct batch *b, FILE *fp, const struct batch_input *in)
{
	struct batch_ctx c = { b, in };
	struct tree_opts o = { .tree = true, .threads = true, .sort = SORT_PID,
			       .exited_cap = TASKTREE_EXITED_CAP, .exited_after = in->exited_after,
			       .linger = in->linger };
	size_t nrows;
	const struct row *rows = tasktree_rows(b->tree, in->tasks, in->ntasks, &o, &nrows);
	double now = in->time ? in->time : util_wall();
	struct summary sum;
	tasktree_summary_shown(in->tasks, in->ntasks, in->all, in->exited_after, &sum);
	if (in->json) {
		size_t np = in->nprograms;
		const struct program *p = in->progs ? programs_list(in->progs, &np) : in->programs;
		struct report_extra x = {
			.programs = p, .nprograms = np, .deadlocks = in->deadlocks, .infer = in->infer,
			.wait = in->wait, .wait_ctx = in->wait_ctx,
			.containment = in->containment, .more = print_events, .more_arg = &c,
			.extras = in->extras, .unrecorded = in->replay,
		};
		report_json(fp, now, rows, nrows, &sum, &x);
	} else {
		print_new_output(fp, &c, output_text);
		if (in->system)
			report_sys_text(fp, in->system);
		report_text(fp, now, rows, nrows, &sum);
	}
	return fflush(fp) != 0 || ferror(fp) ? -1 : 0;
}
