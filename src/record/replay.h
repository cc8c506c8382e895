/* replay.h - reads a recording (record.h) back. A recording is input from
 * elsewhere (a file mailed by a student): every size, count, offset,
 * string and version is checked, and a bad one is refused with a reason. */
#ifndef CONCMON_REPLAY_H
#define CONCMON_REPLAY_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "model/deadlock.h"
#include "model/events.h"
#include "model/task.h"

/* Largest file replay_open reads. */
#define REPLAY_FILE_MAX (1ull << 31)

/* One decoded snapshot; its arrays belong to the reader and last until
 * the next replay_frame or replay_free. */
struct replay_frame {
	double time;                /* unix seconds */
	size_t deadlocks;
	const struct task *tasks;
	size_t ntasks;
	const struct event *events; /* logged since the previous snapshot */
	size_t nevents;
	const struct program *programs; /* snap points at the recorded telemetry; no
					 * segment, output or argv */
	size_t nprograms;
	const struct deadlock_link *links; /* the deadlock cycles, one after another */
	const size_t *cycle_start;      /* ncycles + 1 entries: cycle i is links
					 * [cycle_start[i], cycle_start[i + 1]) */
	size_t ncycles;                 /* == deadlocks */
};

struct replay;

/* Reads the file at path. Returns NULL with a reason in err. */
struct replay *replay_open(const char *path, char *err, size_t errlen);

/* The same from memory (copied). */
struct replay *replay_open_mem(const void *data, size_t size, char *err, size_t errlen);

void replay_free(struct replay *r);

/* Snapshots in the recording. */
size_t replay_count(const struct replay *r);

/* Whether it was recorded with --all; its containment ("" if none). */
bool replay_all(const struct replay *r);
const char *replay_containment(const struct replay *r);

/* Whether the index at its end was found and used (else the frames were
 * scanned: a recording cut short by a crash). */
bool replay_indexed(const struct replay *r);

/* Snapshot i's time and marks (record_mark bits), from the index. */
double replay_time(const struct replay *r, size_t i);
unsigned replay_marks(const struct replay *r, size_t i);

/* The first snapshot after (dir 1) or before (dir -1) i carrying mark;
 * returns i when there is none. */
size_t replay_seek_mark(const struct replay *r, size_t i, int dir, unsigned mark);

/* What tid waited for in the snapshot decoded last, NULL when nothing
 * was known (ctx: the replay); a report's wait callback. */
const char *replay_wait(const void *ctx, pid_t tid);

/* Decodes snapshot i into f. Returns 0, or -1 with a reason in err. */
int replay_frame(struct replay *r, size_t i, struct replay_frame *f, char *err, size_t errlen);

#endif
