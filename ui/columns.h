/* columns.h - the task table's columns: how each one is drawn, and the
 * list of those shown (set from --columns now, the setup screen later). */
#ifndef CONCMON_COLUMNS_H
#define CONCMON_COLUMNS_H

#include <stdbool.h>
#include <stddef.h>
#include <time.h>

#include "model/tasksort.h"

struct tui;
struct task;

/* What a cell formatter may need besides the task. */
struct cell_ctx {
	time_t now;
	const struct tui *t;
};

typedef void cell_fn(const struct task *k, const struct cell_ctx *c, char *buf, size_t len);

/* One column, indexed by its sort key (every column sorts). */
struct column {
	int width;            /* 0: the rest of the line (COMMAND) */
	bool right;           /* numbers align right */
	int drop;             /* narrow screens hide lower numbers first; 0 never */
	bool threads_only;    /* only while threads are shown */
	cell_fn *cell;        /* NULL: drawn by the table (COMMAND) */
};

/* The column of key k. */
const struct column *columns_def(enum sort_key k);

/* The default list: PID,TID,PPID,S,CPU%,RSS,THR,START,WAITING,COMMAND. */
#define COLUMNS_DEFAULT TASKSORT_DEFAULT_COLUMNS

/* Shows the columns of list ("PID,USER,CPU%,COMMAND", names as
 * tasksort_parse); COMMAND is always last, added when missing. Returns 0,
 * or -1 with a reason in err and the shown list unchanged. */
int table_columns_set(struct tui *t, const char *list, char *err, size_t errlen);

/* Writes the shown list ("PID,TID,...,COMMAND") into buf. */
void table_columns_get(const struct tui *t, char *buf, size_t len);

/* The enum proc_extra bits the shown columns and the sort key need. */
unsigned table_columns_extras(const struct tui *t);

#endif
