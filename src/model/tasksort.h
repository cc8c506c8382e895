/* tasksort.h - the sort keys, one per table column: names, order, which
 * extra /proc facts each needs, and column lists ("PID,USER,CPU%"). Pure. */
#ifndef CONCMON_TASKSORT_H
#define CONCMON_TASKSORT_H

#include <stdbool.h>
#include <stddef.h>
#include <sys/types.h>

#include "model/task.h"

/* The first six keep their values (recordings and tests name them). */
enum sort_key {
	SORT_PID, SORT_CPU, SORT_RSS, SORT_STATE, SORT_COMMAND, SORT_START,
	SORT_TID, SORT_PPID, SORT_THR, SORT_WAIT, SORT_USER, SORT_NICE, SORT_PRI, SORT_TTY,
	SORT_VIRT, SORT_SHR, SORT_MEM, SORT_TIME, SORT_IO_R, SORT_IO_W, SORT_WCHAN, SORT_CGROUP,
	SORT_COUNT
};

/* The columns shown when nothing says otherwise (--columns, concmonrc). */
#define TASKSORT_DEFAULT_COLUMNS "PID,TID,PPID,S,CPU%,RSS,THR,START,WAITING,COMMAND"

/* The most keys a column list holds. */
#define TASKSORT_MAX_LIST SORT_COUNT

/* Name of a sort key for menus and help ("PID", "CPU%", "STATE"...); "?"
 * out of range. */
const char *tasktree_sort_name(enum sort_key k);

/* The column title of a key: as its name, but "S" for STATE. */
const char *tasksort_column_name(enum sort_key k);

/* The key named name (a column title or a sort name, any case); -1 if none. */
int tasksort_parse(const char *name);

/* What the WAITING key compares: the wait text of a task (NULL: none). */
typedef const char *tasksort_wait_fn(pid_t tid, void *arg);

/* Compares a and b by k: < 0, 0, > 0 (numbers ascending, NaN and unknown
 * lowest; texts by bytes, empty lowest). wait may be NULL. */
int tasksort_compare(const struct task *a, const struct task *b, enum sort_key k,
		     tasksort_wait_fn *wait, void *wait_arg);

/* The enum proc_extra bits the keys in list need read from /proc. */
unsigned tasksort_extras(const enum sort_key *list, size_t n);

/* Parses "PID,USER,CPU%" (names as tasksort_parse; no repeats, none
 * empty) into out (at most max). Returns the count, or -1 with a one-line
 * reason in err. */
int tasksort_parse_list(const char *text, enum sort_key *out, size_t max, char *err,
			size_t errlen);

/* Writes the list back as column titles joined by commas. */
void tasksort_format_list(const enum sort_key *list, size_t n, char *buf, size_t len);

/* Every column title, comma-separated (for usage messages). */
void tasksort_all_names(char *buf, size_t len);

#endif
