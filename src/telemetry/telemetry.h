/* telemetry.h - concmon's side of the probe segment: create it for a
 * program, read it, validate everything in it, turn knobs. */
#ifndef CONCMON_TELEMETRY_H
#define CONCMON_TELEMETRY_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

#include "concmon/telemetry_format.h"

/* How a fact is known: the program's own calls to the probe, the preloaded
 * tracer, or concmon reading the kernel and the program's memory. */
enum tel_source {
	TEL_PROBE = 0,
	TEL_TRACED = 1,
	TEL_INFERRED = 2,
};

/* What a queue is: a probe/tracer queue of items, or a kernel buffer
 * concmon measured from outside (depth in bytes, or messages). */
enum tel_queue_kind {
	TEL_QUEUE_ITEMS = 0,
	TEL_QUEUE_PIPE = 1,
	TEL_QUEUE_UNIX = 2,
	TEL_QUEUE_TCP = 3,
	TEL_QUEUE_MQUEUE = 4,
};

/* Room in a snapshot: the segment's records, plus what concmon inferred. */
#define TEL_MAX_QUEUES (CM_MAX_QUEUES + 64)
#define TEL_MAX_LOCKS (CM_MAX_LOCKS + 128)
#define TEL_MAX_THREADS (CM_MAX_THREADS + 256)

/* A validated, private copy of a segment: plain C, no pointer into shared
 * memory, only live records, every string NUL-terminated. Counters that a
 * torn read can make inconsistent (contended > acquisitions, wait max >
 * total) are clamped, not rejected. */
struct telemetry_queue {
	unsigned slot;                  /* index in the segment, stable while live */
	enum tel_source source;
	enum tel_queue_kind kind;
	pid_t pid;                      /* writer (the creating process for items) */
	pid_t reader;                   /* kernel queues: the reading process, 0 if unknown */
	bool shared, closed;
	bool listener;                  /* kernel sockets: depth counts pending connections */
	char name[CM_NAME_MAX];
	uint64_t capacity, depth, puts, gets;
	unsigned blocked_put, blocked_get;
};

struct telemetry_lock {
	unsigned slot;
	enum tel_source source;
	uint64_t addr;                  /* inferred: the futex address in pid; else 0 */
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
	enum tel_source source;
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
	bool at_start;                  /* CM_KNOB_AT_START: read once; a change needs a restart */
};

struct telemetry_value {
	unsigned slot;
	pid_t pid;
	char name[CM_NAME_MAX];
	long value;
};

struct telemetry_snapshot {
	unsigned attaches;              /* processes that mapped the segment; 0: no probe */
	unsigned traced;                /* of those, processes where the tracer attached */
	size_t n_queues, n_locks, n_threads, n_knobs, n_values;
	struct telemetry_queue queues[TEL_MAX_QUEUES];
	struct telemetry_lock locks[TEL_MAX_LOCKS];
	struct telemetry_thread threads[TEL_MAX_THREADS];
	struct telemetry_knob knobs[CM_MAX_KNOBS];
	struct telemetry_value values[CM_MAX_VALUES];
};

struct telemetry;

/* "probe", "traced" or "inferred" (static storage). */
const char *telemetry_source_name(enum tel_source s);

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
