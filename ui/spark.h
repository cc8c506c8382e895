/* spark.h - what the queue panel remembers of each queue: depth and
 * put/get counters over the last minute, the rates derived from them, and
 * the sparkline and bar drawn from them. Pure (no curses): unit-tested. */
#ifndef CONCMON_SPARK_H
#define CONCMON_SPARK_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

#include "concmon/telemetry_format.h"

#define SPARK_SPAN 60.0         /* seconds a sparkline covers */
#define SPARK_QUANTUM 0.25      /* samples closer than this replace the newest */
#define SPARK_CAP 256           /* > SPARK_SPAN / SPARK_QUANTUM: a full minute */
#define SPARK_RATE_WINDOW 2.0   /* rates are averaged over about this long */

struct spark_sample {
	double t;                       /* monotonic seconds */
	uint64_t depth, puts, gets;
};

/* The history of one queue of one program. */
struct spark {
	pid_t prog;                     /* the launched program's PID */
	unsigned slot;                  /* the queue's record in the segment */
	char name[CM_NAME_MAX];
	uint64_t capacity;
	double seen;                    /* when a sample last arrived */
	size_t head, n;                 /* ring: s[head] is the oldest of n */
	struct spark_sample s[SPARK_CAP];
};

/* Every history the panel keeps; zero-initialised is empty. */
struct spark_set {
	struct spark **v;
	size_t n, cap;
};

/* The history of queue (prog, slot, name), added empty when missing and
 * create is set; NULL otherwise. Owned by set. */
struct spark *spark_find(struct spark_set *set, pid_t prog, unsigned slot, const char *name,
			 bool create);

/* The history of queue (prog, slot, name), or NULL. */
const struct spark *spark_lookup(const struct spark_set *set, pid_t prog, unsigned slot,
				 const char *name);

/* Records one sample taken at now. A counter going backwards or a new
 * capacity means a different queue: the history starts again. */
void spark_add(struct spark *h, double now, uint64_t capacity, uint64_t depth, uint64_t puts,
	       uint64_t gets);

/* Forgets histories without a sample for more than max_age seconds. */
void spark_prune(struct spark_set *set, double now, double max_age);

/* Frees every history; set is empty afterwards. */
void spark_set_free(struct spark_set *set);

/* Puts and gets per second over the last SPARK_RATE_WINDOW seconds (or
 * since the first sample). False while less than 0.2 s is known. */
bool spark_rates(const struct spark *h, double *puts, double *gets);

/* The sparkline of depth/capacity: cols glyphs for the SPARK_SPAN seconds
 * ending at the newest sample, each the highest depth seen in its slice
 * (or the last known one when no sample fell in it; blank before the
 * first). UTF-8 block glyphs, else ASCII "_.-=#". NUL-terminated, clipped
 * to len. */
void spark_line(const struct spark *h, int cols, bool utf8, char *buf, size_t len);

/* A depth bar of cols cells: filled in proportion to depth/capacity, never
 * empty unless depth is 0, never full unless depth == capacity. Filled and
 * empty parts go to separate buffers so they can be coloured apart. */
void spark_bar(uint64_t depth, uint64_t capacity, int cols, bool utf8, char *fill, char *empty,
	       size_t len);

#endif
