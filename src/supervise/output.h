/* output.h - what a launched program wrote on stdout and stderr: a ring of
 * lines bounded in bytes; when it is full the oldest lines go, and the
 * count of dropped lines says so. */
#ifndef CONCMON_OUTPUT_H
#define CONCMON_OUTPUT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* Longest line kept; longer ones are cut into pieces of this size. */
#define OUTPUT_LINE_MAX 1024

struct output_line {
	uint64_t seq;          /* 1, 2, 3... over the program's life */
	double time;           /* unix seconds when it was read */
	bool err;              /* written on stderr */
	const char *text;      /* NUL-terminated, without the newline, raw bytes */
};

struct output;

/* A ring holding at most max_bytes of text (a NUL ends each line), allocated
 * as lines come. Aborts on allocation failure. */
struct output *output_new(size_t max_bytes);
void output_free(struct output *o);

/* Appends len bytes read from stdout (err false) or stderr; complete lines
 * are stored, a trailing partial line waits for the rest. */
void output_feed(struct output *o, bool err, const char *buf, size_t len, double now);

/* The stream ended: a pending partial line is stored as it is. */
void output_flush(struct output *o, bool err, double now);

/* Lines stored now (oldest first: index 0), and how many were dropped. */
size_t output_count(const struct output *o);
uint64_t output_dropped(const struct output *o);

/* Line i (0 = oldest kept), valid until the next feed/flush. */
struct output_line output_get(const struct output *o, size_t i);

#endif
