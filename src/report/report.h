/* report.h - snapshots for --batch: NDJSON or an aligned text table. */
#ifndef CONCMON_REPORT_H
#define CONCMON_REPORT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdio.h>

#include "model/tasktree.h"

/* What a snapshot carries besides tasks: the launched programs and their
 * telemetry. */
struct program;
struct deadlocks;
struct infer;
struct report_extra {
	const struct program *programs;
	size_t nprograms;
	const struct deadlocks *deadlocks;  /* NULL: none searched */
	const struct infer *infer;          /* tasks' "waiting"; NULL: wait below, else null */
	const char *(*wait)(const void *ctx, pid_t tid); /* a replay's "waiting", or NULL */
	const void *wait_ctx;
	const char *containment;            /* "cgroup", "process-groups"; NULL: not written */
	unsigned extras;                    /* enum proc_extra: the costly task fields written */
	bool unrecorded;                    /* a replay: the fields recordings lack (nice... time_s) are left out */
	void (*more)(FILE *fp, void *arg);  /* writes further ,"key":value members */
	void *more_arg;
};

/* One JSON object on one line: time, tasks (in row order; summary rows
 * are not tasks), summary, and with x the summary rows as
 * "exited_summary" and the programs' telemetry (see report_tel.h). Numbers are
 * written without the locale; a non-finite one is null. */
void report_json(FILE *fp, double unix_time, const struct row *rows, size_t n,
		 const struct summary *sum, const struct report_extra *x);

/* One line a program wrote, as text: "[4242 stderr] text", the text
 * sanitized, then a newline. */
void report_text_output(FILE *fp, pid_t pid, bool err, const char *text);

/* The same snapshot as text: a summary line (local time), the column
 * header, one aligned row per task (a summary row: its parent's PID, "+"
 * and its tally) with sanitized strings, a blank line. */
void report_text(FILE *fp, double unix_time, const struct row *rows, size_t n,
		 const struct summary *sum);

#endif
