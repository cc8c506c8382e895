/* telemetry.h - concmon's side of the probe segment: create it for a
 * program, read it, validate everything in it, turn knobs. */
#ifndef CONCMON_TELEMETRY_H
#define CONCMON_TELEMETRY_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

#include "concmon/telemetry_format.h"

/* A validated, private copy of a segment: plain C, no pointer into shared
 * memory, only live records, every string NUL-terminated. Counters that a
 * torn read can make inconsistent (contended > acquisitions, wait max >
 * total) are clamped, not rejected. */
struct telemetry_queue {
	unsigned slot;                  /* index in the segment, stable while live */
	pid_t pid;
	bool shared, closed;
	char name[CM_NAME_MAX];
	uint64_t capacity, depth, puts, gets;
	unsigned blocked_put, blocked_get;
};

struct telemetry_lock {
	unsigned slot;
	pid_t pid;
	bool shared;
	enum cm_lock_kind kind;
	char name[CM_NAME_MAX];
	unsigned permits, value;        /* semaphores: initial and free permits; events: value 1 = set */
	unsigned holder_count;          /* threads holding it (semaphores: permits taken) */
	unsigned n_holders;             /* TIDs listed in holders[] (<= holder_count) */
	pid_t holders[CM_MAX_HOLDERS];
	unsigned depth;                 /* recursion depth (1 for a held plain mutex) */
	unsigned waiters;
	uint64_t acquisitions, contended, wait_ns_total, wait_ns_max, hold_ns_total;
};

struct telemetry_thread {
	pid_t tid, pid;
	char role[CM_NAME_MAX];
	enum cm_wait_kind wait_kind;
	int wait;                       /* index into the snapshot's locks[] or queues[]
					 * (by wait_kind), -1 if none or not published */
	uint64_t wait_since_ns;         /* CLOCK_MONOTONIC */
};

struct telemetry_knob {
	unsigned slot;
	pid_t pid;
	char name[CM_NAME_MAX];
	long value, min, max;
};

struct telemetry_value {
	unsigned slot;
	pid_t pid;
	char name[CM_NAME_MAX];
	long value;
};

struct telemetry_snapshot {
	unsigned attaches;              /* processes that mapped the segment; 0: no probe */
	size_t n_queues, n_locks, n_threads, n_knobs, n_values;
	struct telemetry_queue queues[CM_MAX_QUEUES];
	struct telemetry_lock locks[CM_MAX_LOCKS];
	struct telemetry_thread threads[CM_MAX_THREADS];
	struct telemetry_knob knobs[CM_MAX_KNOBS];
	struct telemetry_value values[CM_MAX_VALUES];
};

struct telemetry;

/* Creates a sealed (no shrink/grow) memfd segment with its header written,
 * mapped shared. NULL with a one-line reason in err on failure. */
struct telemetry *telemetry_create(char *err, size_t errlen);

/* The segment's fd (close-on-exec): dup it into the child and put its number
 * in CM_TELEMETRY_ENV. Owned by t. */
int telemetry_fd(const struct telemetry *t);

/* Unmaps and closes; NULL is fine. */
void telemetry_free(struct telemetry *t);

/* Checks len bytes at seg (any alignment, any content) as a segment and
 * fills out. Pure. 0 on success; -1 with a one-line reason in err ("bad
 * magic", "queue 3: name not terminated") and out undefined. */
int telemetry_validate(const void *seg, size_t len, struct telemetry_snapshot *out,
		       char *err, size_t errlen);

/* Copies the live segment and validates the copy (retrying a torn copy a
 * few times). 0 or -1 with a reason, as telemetry_validate. */
int telemetry_read(struct telemetry *t, struct telemetry_snapshot *out, char *err, size_t errlen);

/* Sets every live knob called name whose [min, max] holds value (checked on
 * a validated copy, stored atomically into the live segment). False if none
 * was set: no such knob, value out of range, or a corrupt segment. */
bool telemetry_set_knob(struct telemetry *t, const char *name, long value);

#endif
