/* util.h - small helpers shared by the model: allocation, time, I/O. */
#ifndef CONCMON_UTIL_H
#define CONCMON_UTIL_H

#include <stdbool.h>
#include <stddef.h>
#include <sys/types.h>

/* Allocation that aborts with a message instead of returning NULL. */
void *xmalloc(size_t n);
void *xcalloc(size_t n, size_t size);
void *xrealloc(void *p, size_t n);
char *xstrdup(const char *s);

/* The capacity for an array that must hold n items, now at cap: twice n
 * once n passes cap, and twice n again once n falls under a quarter of cap
 * (never under floor), so memory follows the population both ways without
 * a realloc every time it moves a little. Returns cap when it should stay. */
size_t util_fit_cap(size_t cap, size_t n, size_t floor);

/* An array of old_cap items of elem bytes made new_cap long, its first
 * keep items kept. Growing is a realloc. Shrinking makes a new block and
 * frees the old one: a realloc would leave the array where the peak put it
 * (high in the heap, or in a mapping of its own), pinning that memory. */
void *util_resize(void *p, size_t old_cap, size_t new_cap, size_t keep, size_t elem);

/* Formats a message into err (when err and errlen are set); returns rc, so
 * that a failing function can end with `return util_fail(-1, err, ...)`. */
int util_fail(int rc, char *err, size_t errlen, const char *fmt, ...)
	__attribute__((format(printf, 4, 5)));

/* Monotonic and wall-clock time in seconds. */
double util_now(void);
double util_wall(void);

/* Parses s as one whole decimal long, spaces around it allowed: false when
 * it is not one or does not fit. */
bool util_parse_long(const char *s, long *out);

/* Reads at most len-1 bytes of path into buf, NUL-terminates it; returns the
 * byte count or -1 with errno. Retries on EINTR. */
ssize_t util_read_file(const char *path, char *buf, size_t len);

/* The same relative to dirfd. Unless to_eof, a read well short of a page
 * ends it: /proc files are produced a page at a time, so no second read()
 * is needed just to see their end. */
ssize_t util_read_at(int dirfd, const char *path, char *buf, size_t len, bool to_eof);

#endif
