/* util.c - allocation that cannot fail silently, clocks, whole-file reads. */
#include "util/util.h"

#include <errno.h>
#include <fcntl.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

static void oom(size_t n)
{
	fprintf(stderr, "concmon: out of memory (%zu bytes)\n", n);
	abort();
}

void *xmalloc(size_t n)
{
	void *p = malloc(n ? n : 1);
	if (!p)
		oom(n);
	return p;
}

void *xcalloc(size_t n, size_t size)
{
	void *p = calloc(n ? n : 1, size ? size : 1);
	if (!p)
		oom(n * size);
	return p;
}

void *xrealloc(void *p, size_t n)
{
	void *q = realloc(p, n ? n : 1);
	if (!q)
		oom(n);
	return q;
}

size_t util_fit_cap(size_t cap, size_t n, size_t floor)
{
	if (n <= cap && (cap <= floor || n >= cap / 4))
		return cap;
	size_t want = n * 2;
	return want > floor ? want : floor;
}

void *util_resize(void *p, size_t old_cap, size_t new_cap, size_t keep, size_t elem)
{
	if (new_cap >= old_cap)
		return xrealloc(p, new_cap * elem);
	void *q = xmalloc(new_cap * elem);
	if (keep > new_cap)
		keep = new_cap;
	if (keep)
		memcpy(q, p, keep * elem);
	free(p);
	return q;
}

int util_fail(int rc, char *err, size_t errlen, const char *fmt, ...)
{
	if (err && errlen) {
		va_list ap;
		va_start(ap, fmt);
		vsnprintf(err, errlen, fmt, ap);
		va_end(ap);
	}
	return rc;
}

char *xstrdup(const char *s)
{
	size_t n = strlen(s) + 1;
	return memcpy(xmalloc(n), s, n);
}

static double clock_seconds(clockid_t id)
{
	struct timespec ts;
	clock_gettime(id, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

double util_now(void) { return clock_seconds(CLOCK_MONOTONIC); }
double util_wall(void) { return clock_seconds(CLOCK_REALTIME); }

/* procfs files are seq_files: a read returns whole records, as many as fit
 * a page-sized buffer (a stat line is one record, whatever its size). A
 * read shorter than a page by more than any record (a children entry is at
 * most 11 bytes) therefore returned everything there was. */
#define SEQ_SHORT (4096 - 64)

ssize_t util_read_at(int dirfd, const char *path, char *buf, size_t len, bool to_eof)
{
	int fd;
	do
		fd = openat(dirfd, path, O_RDONLY | O_CLOEXEC);
	while (fd < 0 && errno == EINTR);
	if (fd < 0)
		return -1;
	size_t got = 0;
	while (got + 1 < len) {
		ssize_t r = read(fd, buf + got, len - 1 - got);
		if (r < 0 && errno == EINTR)
			continue;
		if (r < 0) {
			int e = errno;
			close(fd);
			errno = e;
			return -1;
		}
		if (r == 0)
			break;
		got += (size_t)r;
		if (!to_eof && (size_t)r < SEQ_SHORT)
			break;
	}
	close(fd);
	buf[got] = '\0';
	return (ssize_t)got;
}

bool util_parse_long(const char *s, long *out)
{
	char *end;
	while (*s == ' ')
		s++;
	errno = 0;
	long v = strtol(s, &end, 10);
	if (errno || end == s)
		return false;
	while (*end == ' ')
		end++;
	if (*end)
		return false;
	*out = v;
	return true;
}

ssize_t util_read_file(const char *path, char *buf, size_t len)
{
	return util_read_at(AT_FDCWD, path, buf, len, true);
}
