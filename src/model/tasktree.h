/* tasktree.h - orders tasks for display: tree or flat, sorted, filtered,
 * plus the header summary. Pure functions over task arrays. */
#ifndef CONCMON_TASKTREE_H
#define CONCMON_TASKTREE_H

#include <stdbool.h>
#include <stddef.h>

#include "model/task.h"
#include "model/tasksort.h"


struct tree_opts {
	bool tree;            /* parent -> children; else flat */
	bool threads;         /* include threads other than main threads */
	enum sort_key sort;
	bool descending;
	const char *filter;   /* substring of comm, cmdline or pid; NULL/"" = none */
	size_t exited_cap;    /* tasktree_rows only: > 0 folds exited tasks beyond it */
	/* tasktree_rows: true lists a parent's folded tasks anyway (under their
	 * summary row's heading); parent NULL asks for the roots. NULL: never. */
	bool (*unfolded)(const struct task *parent, void *arg);
	void *unfolded_arg;
	/* Exited tasks show only when they exited at or after this monotonic
	 * time (the linger setting; 0 shows every one the model keeps), or
	 * are held (task.h); a held task is never folded either. */
	double exited_after;
	double linger;        /* seconds the fold text says; 0: LIFECYCLE_LINGER */
	tasksort_wait_fn *wait; /* the WAITING key's text; NULL: none */
	void *wait_arg;
};

/* Exited tasks one parent lists before the rest fold into a summary row:
 * a fork storm leaves thousands lingering, and they would bury the live. */
#define TASKTREE_EXITED_CAP 8

#define TALLY_CODES 256
#define TALLY_SIGNALS 65

/* The exited tasks of one parent beyond the cap, by how they ended. */
struct exit_tally {
	const struct task *parent;       /* NULL: tasks whose parent is not listed */
	unsigned count;
	bool unfolded;                   /* listed anyway, above the summary row */
	double linger;                   /* the seconds they are shown for */
	unsigned unknown;                /* ended; concmon does not know how */
	unsigned codes[TALLY_CODES];     /* exited with code c (its low 8 bits) */
	unsigned signals[TALLY_SIGNALS]; /* killed by signal s; [0]: one past 64 */
};

#define TREE_MAX_DEPTH 64

struct row {
	const struct task *task;       /* NULL on a summary row */
	int depth;                     /* 0 for roots; threads are one below their process;
					* clamped to TREE_MAX_DEPTH - 1 */
	bool last;                     /* last among its siblings (flat: the last row) */
	unsigned long long more;       /* bit d (d < depth): the ancestor at depth d has
					* later siblings, i.e. draw a vertical line there */
	const struct exit_tally *fold; /* a summary row (task NULL): what it stands for */
};

/* Orders the n tasks into rows (caller's array of at least n); rows point
 * into tasks. Flat: sorted by key, ties by tid. Tree: under each process
 * its threads, then its child processes, each group sorted by key; a task
 * whose parent is not in the set is a root, and a ppid loop is cut at its
 * lowest TID. A filter keeps the matches (and in tree mode their ancestors,
 * so the tree stays readable). Threads (tid != pid) appear only when
 * o->threads. Exited tasks are included, every one (exited_cap and unfolded
 * are tasktree_rows' only). O(n log n). Returns row count. */
size_t tasktree_build(const struct task *tasks, size_t n, const struct tree_opts *o,
		      struct row *rows);

struct tasktree;

/* Aborts on allocation failure. */
struct tasktree *tasktree_new(void);
void tasktree_free(struct tasktree *tt);

/* As tasktree_build, and with o->exited_cap > 0 each parent (a process,
 * or the roots together) lists its live children first, then its exited
 * ones; beyond the cap its exited leaves fold into one summary row, its
 * last child, unless o->unfolded says list them (the summary row stays,
 * after them). Flat: the live rows, the exited ones within their parent's
 * cap, then the summary rows. The rows and tallies belong to tt, valid
 * until its next build; *nrows receives their count. */
const struct row *tasktree_rows(struct tasktree *tt, const struct task *tasks, size_t n,
				const struct tree_opts *o, size_t *nrows);

/* "+2,611 exited in the last 5 s: 2,600 code 0, 11 SIGKILL" into buf. */
void tasktree_fold_text(const struct exit_tally *x, char *buf, size_t len);

/* True when t matches the filter text: an ASCII case-insensitive substring
 * of comm or cmdline, or exactly its decimal pid or tid. NULL/"" matches. */
bool tasktree_match(const struct task *t, const char *text);

struct summary {
	int processes, threads;        /* live ones */
	int running, sleeping, disk, stopped, zombies, orphans, exited;
};

/* Counts over the supervised tasks (or all when all_tasks); every count but
 * exited is over live tasks. processes: tasks with tid == pid. threads: when
 * any thread row (tid != pid) is present, the number of live rows (each
 * thread once, main threads included); otherwise the sum of the processes'
 * threads fields (at least 1 each). State counts are per row, so threads
 * count when they were sampled: running R, sleeping S and I, disk D,
 * stopped T and t, zombies Z. orphans: live processes with orphan set.
 * exited: exited rows, processes and threads alike. */
void tasktree_summary(const struct task *tasks, size_t n, bool all_tasks, struct summary *s);

/* The same, counting only the exited tasks shown: those that exited at or
 * after exited_after (tree_opts.exited_after, the linger), and held ones. */
void tasktree_summary_shown(const struct task *tasks, size_t n, bool all_tasks,
			    double exited_after, struct summary *s);

#endif
