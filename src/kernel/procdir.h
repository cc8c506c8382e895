/* procdir.h - the numeric entries of a /proc directory (PIDs, TIDs, fd
 * numbers) through getdents64 into a buffer the caller keeps: a refresh
 * that lists thousands of /proc directories allocates nothing (opendir
 * allocates 32 KiB each time, which a fork storm turns into churn). */
#ifndef CONCMON_PROCDIR_H
#define CONCMON_PROCDIR_H

#include <stdbool.h>
#include <stddef.h>

#define PROCDIR_BUF (32 * 1024)  /* bytes of a reader's buffer */

struct procdir {
	int fd;
	char *buf;               /* PROCDIR_BUF bytes, the caller's */
	long pos, end;
	bool done;               /* the last getdents returned everything */
};

/* Starts reading directory fd (open, O_DIRECTORY) from its beginning;
 * rewind: it was read before and must be read again from the start. */
void procdir_start(struct procdir *it, int fd, char *buf, bool rewind);

/* The next entry that is a decimal number (0, or without leading zeros),
 * or -1 at the end (or on an error). */
long procdir_next(struct procdir *it);

#endif
