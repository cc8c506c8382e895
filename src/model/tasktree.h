/* tasktree.h - orders tasks for display: tree or flat, sorted, filtered,
 * plus the header summary. Pure functions over task arrays. */
#ifndef CONCMON_TASKTREE_H
#define CONCMON_TASKTREE_H

#include <stdbool.h>
#include <stddef.h>

#include "model/task.h"

enum sort_key { SORT_PID, SORT_CPU, SORT_RSS, SORT_STATE, SORT_COMMAND, SORT_START, SORT_COUNT };

/* Name of a sort key for menus and help ("PID", "CPU%"...). */
const char *tasktree_sort_name(enum sort_key k);

struct tree_opts {
	bool tree;            /* parent -> children; else flat */
	bool threads;         /* include threads other than main threads */
	enum sort_key sort;
	bool descending;
	const char *filter;   /* substring of comm, cmdline or pid; NULL/"" = none */
};

#define TREE_MAX_DEPTH 64

struct row {
	const struct task *task;
	int depth;                     /* 0 for roots; threads are one below their process;
					* clamped to TREE_MAX_DEPTH - 1 */
	bool last;                     /* last among its siblings (flat: the last row) */
	unsigned long long more;       /* bit d (d < depth): the ancestor at depth d has
					* later siblings, i.e. draw a vertical line there */
};

/* Orders the n tasks into rows (caller's array of at least n); rows point
 * into tasks. Flat: sorted by key, ties by tid. Tree: under each process
 * its threads, then its child processes, each group sorted by key; a task
 * whose parent is not in the set is a root, and a ppid loop is cut at its
 * lowest TID. A filter keeps the matches (and in tree mode their ancestors,
 * so the tree stays readable). Threads (tid != pid) appear only when
 * o->threads. Exited tasks are included. O(n log n). Returns row count. */
size_t tasktree_build(const struct task *tasks, size_t n, const struct tree_opts *o,
		      struct row *rows);

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

#endif
