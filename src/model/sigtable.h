/* sigtable.h - every signal a user can send, with a one-line description. */
#ifndef CONCMON_SIGTABLE_H
#define CONCMON_SIGTABLE_H

#include <stddef.h>

struct sigdesc {
	int signo;
	const char *name;   /* without the SIG prefix: "TERM" */
	const char *what;   /* one line for the signal menu and the man page */
};

/* The table, in signal-number order; *n receives its length. Static storage. */
const struct sigdesc *sigtable(size_t *n);

/* The entry for signo, or NULL. */
const struct sigdesc *sigtable_find(int signo);

/* Signal number for "TERM", "SIGTERM" or "15" (case-insensitive); -1 if none. */
int sigtable_parse(const char *s);

#endif
