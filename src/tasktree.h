/* tasktree.h - orders tasks for display: tree or flat, sorted, filtered,
 * plus the header summary. Pure functions over task arrays. */
#ifndef CONCMON_TASKTREE_H
#define CONCMON_TASKTREE_H

#include <stdbool.h>
#include <stddef.h>

#include "task.h"

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
	int depth;                     /* 0 for roots; threads are one below their process */
	bool last;                     /* last among its siblings */
	unsigned long long more;       /* bit d: the ancestor at depth d has later siblings */
};

/* Orders the n tasks into rows (caller's array of at least n). In tree mode
 * a task whose parent is not in the set is a root; a filter keeps the
 * ancestors of every match so the tree stays readable. Returns row count. */
size_t tasktree_build(const struct task *tasks, size_t n, const struct tree_opts *o,
		      struct row *rows);

/* True when t matches the filter text (comm, cmdline, or decimal pid/tid). */
bool tasktree_match(const struct task *t, const char *text);

struct summary {
	int processes, threads;        /* live ones */
	int running, sleeping, disk, stopped, zombies, orphans, exited;
};

/* Counts over the supervised tasks (or all when all_tasks). Threads count
 * towards threads and the state counts; processes counts thread groups. */
void tasktree_summary(const struct task *tasks, size_t n, bool all_tasks, struct summary *s);

#endif
