/* metrics.h - the model as Prometheus text (exposition format 0.0.4) for
 * --listen's /metrics: tasks by state, zombies, orphans, per-program
 * resources, exits and restarts, queues, locks, deadlocks, events.
 * Bounded and safe to publish: a program is named by its demo or its
 * command's base name (never a PID, a command line or an environment), at
 * most METRICS_MAX_PROGRAMS of them (later ones count as "other"); queue
 * and lock names are cut to METRICS_LABEL_MAX bytes, at most
 * METRICS_MAX_SERIES each (the rest fold into "other"). */
#ifndef CONCMON_METRICS_H
#define CONCMON_METRICS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdio.h>

#include "model/task.h"
#include "supervise/programs.h"

#define METRICS_MAX_PROGRAMS 64
#define METRICS_LABEL_MAX 64
#define METRICS_MAX_SERIES 256

/* The content type of what metrics_render writes. */
#define METRICS_CONTENT_TYPE "text/plain; version=0.0.4; charset=utf-8"

struct events;
struct deadlocks;

/* The counters that outlive a refresh (events, exits, restarts) and the
 * program names seen so far. Aborts on allocation failure. */
struct metrics *metrics_new(void);
void metrics_free(struct metrics *m);

/* Counts the events logged since the last call (each refresh: the ring
 * is bounded, so a long gap undercounts). */
void metrics_observe(struct metrics *m, const struct events *ev);

/* A launched program ended: by signal sig, else by exit code. */
void metrics_note_exit(struct metrics *m, const struct program *p, int sig);

/* A program was launched again (argv, line or demo as programs_launch_name
 * takes them). */
void metrics_note_restart(struct metrics *m, char *const argv[], const char *line,
			  const char *demo);

/* What one scrape shows. */
struct metrics_input {
	const struct task *tasks;
	size_t ntasks;
	bool all;                       /* count every task, not only the supervised */
	const struct program *progs;
	size_t nprogs;
	size_t deadlocks;               /* cycles found at the last refresh */
	const char *version;
};

/* The exposition text, HELP and TYPE before each family: malloc'd, NUL
 * terminated, its length in *len; the caller frees it. */
char *metrics_render(struct metrics *m, const struct metrics_input *in, size_t *len);

/* Writes s as a label value's body (no quotes): cut to max bytes at a
 * character boundary, invalid UTF-8 and control characters other than
 * newline as '?', then backslash, double quote and newline escaped. */
void metrics_put_label(FILE *fp, const char *s, size_t max);

/* The label of a launch: the demo's name, else the base name of the
 * command's first word (argv[0] or line's), cut to METRICS_LABEL_MAX. */
void metrics_program_label(char *const argv[], const char *line, const char *demo, char *buf,
			   size_t len);

#endif
