/* taskdiff.h - lifecycle events derived from two consecutive snapshots of
 * the supervised tree: what polling alone can tell (the kernel's proc
 * connector, when available, reports spawns, execs and exits exactly). */
#ifndef CONCMON_TASKDIFF_H
#define CONCMON_TASKDIFF_H

#include <stdbool.h>
#include <stddef.h>
#include <sys/types.h>

#include "model/events.h"
#include "model/task.h"

struct taskdiff;

/* self: concmon's PID (the adopter). Aborts on allocation failure. */
struct taskdiff *taskdiff_new(pid_t self);
void taskdiff_free(struct taskdiff *d);

/* Compares tasks (sorted by tid, as lifecycle keeps them) with the previous
 * call and adds the events to ev. exact: spawns, execs and exits come from
 * the kernel, so only zombie, reaped, re-parented, stopped and continued
 * are derived here. Everything supervised is concmon's doing, so the
 * first call reports what it finds as new. */
void taskdiff_update(struct taskdiff *d, const struct task *tasks, size_t n, bool exact,
		     struct events *ev);

#endif
