/* events.h - the lifecycle event log of the supervised tree: spawned, exec,
 * exited/killed, zombie, reaped, re-parented, stopped, continued, and the
 * signals concmon sent, the restarts of a restart policy. A bounded ring; every event has a sequence number so
 * readers can ask for what is new. */
#ifndef CONCMON_EVENTS_H
#define CONCMON_EVENTS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <sys/types.h>

enum event_kind {
	EV_SPAWNED,      /* pid started; other = parent */
	EV_THREAD,       /* thread tid started in process pid */
	EV_EXEC,         /* pid ran a new program (comm) */
	EV_EXITED,       /* pid exited with code; code -1 if unknown */
	EV_KILLED,       /* pid killed by signal code */
	EV_ZOMBIE,       /* pid is a zombie; other = the parent that must wait() */
	EV_REAPED,       /* pid's status collected; other = by whom (0 unknown) */
	EV_REPARENTED,   /* pid adopted by concmon; other = former parent */
	EV_STOPPED,
	EV_CONTINUED,
	EV_SIGNAL,       /* concmon sent signal code to pid; result = 0 or errno */
	EV_RESTARTED,    /* pid launched by a restart policy in place of other;
			  * code = attempt (1, 2...), result = backoff waited in ms */
	EV_KIND_COUNT
};

struct event {
	uint64_t seq;            /* 1, 2, 3... */
	double time;             /* unix seconds, millisecond precision or better */
	enum event_kind kind;
	pid_t pid, tid;
	pid_t other;
	int code;
	int result;
	char comm[32];
	bool exact;              /* from the kernel (netlink) rather than two snapshots */
};

/* The name of a kind as used in JSON and the log ("spawned", "killed"...). */
const char *events_kind_name(enum event_kind k);

struct events;

/* A ring of capacity events. Aborts on allocation failure. */
struct events *events_new(size_t capacity);
void events_free(struct events *ev);

/* Appends ev to this log file as NDJSON from now on (append mode, 0600).
 * Returns 0 or an errno value. */
int events_log_to(struct events *ev, const char *path);

/* Adds an event (seq and, when 0, time are filled in); the oldest is
 * dropped when the ring is full. Writes it to the log file, if any
 * (buffered until events_flush). */
void events_add(struct events *ev, struct event e);

/* Adds an event read back from a recording: its seq is kept when it is
 * past the newest one (else it gets the next), so a replay numbers
 * events as the recorded run did. */
void events_add_recorded(struct events *ev, struct event e);

/* Pushes what the log file has buffered to the kernel: once per pass of
 * the loop, before it sleeps, so a reader sees each event without a write
 * per event. */
void events_flush(struct events *ev);

/* Sequence number of the newest event (0 when none). */
uint64_t events_last(const struct events *ev);

/* The events with seq > after, oldest first, at most max: copies them to
 * out and returns how many. Costs what it copies, whatever the ring holds. */
size_t events_since(const struct events *ev, uint64_t after, struct event *out, size_t max);

/* Writes e as one JSON object (no newline). */
void events_json(FILE *fp, const struct event *e);

/* One line of plain text for a view: "12:00:01.234 killed 4512 (sleep) by SIGTERM". */
void events_describe(const struct event *e, char *buf, size_t len);

#endif
