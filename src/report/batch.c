/* batch.c - see batch.h. */
#include "report/batch.h"

#include <stdint.h>
#include <stdlib.h>

#include "model/tasktree.h"
#include "report/report.h"
#include "supervise/output.h"
#include "util/escape.h"
#include "util/util.h"

struct batch {
	struct row *rows;           /* the ordering buffer, sized by the tree */
	size_t rows_cap;
	uint64_t events_reported;   /* JSON: the last event already printed */
};

/* One print: the batch and what it prints from. */
struct batch_ctx {
	struct batch *b;
	const struct batch_input *in;
};

struct batch *batch_new(void)
{
	return xcalloc(1, sizeof(struct batch));
}

void batch_free(struct batch *b)
{
	if (!b)
		return;
	free(b->rows);
	free(b);
}

/* Writes one output line of program pid; first: the first of this snapshot. */
typedef void output_fn(FILE *fp, pid_t pid, const struct output_line *l, bool first);

/* Hands fn every line the programs wrote since the last snapshot, and
 * marks them reported. */
static void print_new_output(FILE *fp, struct batch_ctx *c, output_fn *fn)
{
	size_t np;
	const struct program *p = programs_list(c->in->progs, &np);
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

/* Batch JSON: the events since the previous snapshot (a report_extra hook),
 * then the output lines. */
static void print_events(FILE *fp, void *arg)
{
	struct batch_ctx *c = arg;
	print_output(fp, c);
	struct event buf[256];
	size_t n;
	bool first = true;
	fputs(",\"events\":[", fp);
	while ((n = events_since(c->in->events, c->b->events_reported, buf, 256)) > 0) {
		for (size_t i = 0; i < n; i++) {
			if (!first)
				fputc(',', fp);
			first = false;
			events_json(fp, &buf[i]);
		}
		c->b->events_reported = buf[n - 1].seq;
	}
	fputc(']', fp);
}

int batch_print(struct batch *b, FILE *fp, const struct batch_input *in)
{
	struct batch_ctx c = { b, in };
	size_t cap = util_fit_cap(b->rows_cap, in->ntasks, 16);
	if (cap != b->rows_cap) {
		b->rows = util_resize(b->rows, b->rows_cap, cap, 0, sizeof *b->rows);
		b->rows_cap = cap;
	}
	struct tree_opts o = { .tree = true, .threads = true, .sort = SORT_PID };
	size_t nrows = tasktree_build(in->tasks, in->ntasks, &o, b->rows);
	struct summary sum;
	tasktree_summary(in->tasks, in->ntasks, in->all, &sum);
	if (in->json) {
		size_t np;
		const struct program *p = programs_list(in->progs, &np);
		struct report_extra x = {
			.programs = p, .nprograms = np, .deadlocks = in->deadlocks,
			.containment = in->containment, .more = print_events, .more_arg = &c,
		};
		report_json(fp, util_wall(), b->rows, nrows, &sum, &x);
	} else {
		print_new_output(fp, &c, output_text);
		report_text(fp, util_wall(), b->rows, nrows, &sum);
	}
	return fflush(fp) != 0 || ferror(fp) ? -1 : 0;
}
