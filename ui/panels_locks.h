/* panels_locks.h - the lock lines of the panels: per lock its kind, state,
 * waiters, contention and wait times, who holds it and who waits for it. */
#ifndef CONCMON_PANELS_LOCKS_H
#define CONCMON_PANELS_LOCKS_H

#include "supervise/programs.h"
#include "tui.h"

/* Lines the locks want below their header: one each, two when the
 * waiters do not fit beside the holders. */
int panels_lock_need(const struct telemetry_snapshot *s);

/* Draws the lock header on y and at most lines lines of locks below it.
 * Returns the lines drawn, header included. */
int panels_lock_lines(const struct tui *t, const struct telemetry_snapshot *s, int y, int lines);

#endif
