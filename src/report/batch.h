/* batch.h - what --batch prints each refresh: the snapshot as one JSON
 * line or a text table, with the lines programs wrote and the events since
 * the previous one. Exited tasks past TASKTREE_EXITED_CAP per parent fold
 * into summary rows, and past a cap events are counted by kind, so a line
 * stays small in a fork storm. Keeps what was printed already. */
#ifndef CONCMON_BATCH_H
#define CONCMON_BATCH_H

#include <stdbool.h>
#include <stddef.h>
#include <stdio.h>

#include "model/deadlock.h"
#include "model/events.h"
#include "infer/infer.h"
#include "kernel/sysmeter.h"
#include "model/task.h"
#include "supervise/programs.h"

/* One refresh's model, as batch_print reads it. */
struct batch_input {
	double time;                        /* unix seconds; 0: now (a replay: then) */
	const struct task *tasks;
	size_t ntasks;
	bool all;                           /* --all: the summary counts every task */
	bool json;                          /* NDJSON, else text */
	struct programs *progs;             /* their output lines are marked printed; NULL: none */
	const struct program *programs;     /* without progs: a replay's programs */
	size_t nprograms;
	const struct deadlocks *deadlocks;
	const struct infer *infer;          /* each task's "waiting"; NULL: not inferred */
	const char *(*wait)(const void *ctx, pid_t tid); /* without infer: a replay's waits */
	const void *wait_ctx;
	const struct events *events;
	const char *containment;            /* "cgroup", "process-groups" */
	unsigned extras;                    /* enum proc_extra: costly task fields to write */
	bool replay;                        /* from a recording, which lacks the htop columns' fields */
	double exited_after;                /* exited tasks before this monotonic time are hidden */
	double linger;                      /* for the summary rows' text; 0: the default */
	const struct sysmeter_reading *system; /* the machine's meters; NULL: not read ("system": null) */
};

struct batch;

/* Aborts on allocation failure. */
struct batch *batch_new(void);
void batch_free(struct batch *b);

/* Prints one snapshot to fp and flushes it. Returns -1 when fp failed
 * (nobody reads any more), else 0. */
int batch_print(struct batch *b, FILE *fp, const struct batch_input *in);

#endif
