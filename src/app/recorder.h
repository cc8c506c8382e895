/* recorder.h - the recording a live concmon writes (--record FILE, or
 * started and stopped from the TUI): opened, fed each snapshot, closed,
 * with a message for the user at each step. */
#ifndef CONCMON_RECORDER_H
#define CONCMON_RECORDER_H

#include <stdbool.h>
#include <stddef.h>

#include "model/events.h"
#include "model/task.h"
#include "record/record.h"

/* Starts recording into *rec (NULL) at path, or with path NULL at
 * concmon-YYYYMMDD-HHMMSS.rec in the working directory. msg says where
 * or why not. Returns 0 or an errno value. */
int recorder_start(struct record **rec, const char *path, bool all, const char *containment,
		   char *msg, size_t len);

/* Stops *rec (sets it NULL); msg says how many snapshots went where. */
int recorder_stop(struct record **rec, char *msg, size_t len);

/* Appends a snapshot; on a write error stops recording, puts the reason
 * in msg and returns the errno value, else 0. */
int recorder_frame(struct record **rec, double wall, const struct task *t, size_t n,
		   const struct events *ev,
		   const struct record_programs *pr, record_wait_fn *wait, const void *wait_ctx, char *msg,
		   size_t len);

#endif
