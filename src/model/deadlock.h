/* deadlock.h - deadlocks in the launched programs, found each refresh from
 * their telemetry through the wait-for graph, with names for display. */
#ifndef CONCMON_DEADLOCK_H
#define CONCMON_DEADLOCK_H

#include <stdbool.h>
#include <stddef.h>
#include <sys/types.h>

#include "supervise/programs.h"

/* tid (role) holds nothing it gives up: it waits for lock, held by holder. */
struct deadlock_link {
	pid_t program;                  /* the launched program whose segment told us */
	pid_t tid;
	char role[CM_NAME_MAX];
	char lock[CM_NAME_MAX];
	pid_t holder;
	char holder_role[CM_NAME_MAX];
};

struct deadlock {
	size_t n;                       /* 1: a thread waiting for a lock it holds */
	const struct deadlock_link *links;
};

struct deadlocks;

struct deadlocks *deadlocks_new(void);
void deadlocks_free(struct deadlocks *d);

/* Rebuilds the graph from the n programs' snapshots and finds the cycles. */
void deadlocks_update(struct deadlocks *d, const struct program *p, size_t n);

/* A recorded list (a replay): the graph from the n programs' snapshots,
 * for deadlocks_stuck, and the ncycles cycles as recorded, cycle i being
 * links[start[i]] up to links[start[i + 1]] (start has ncycles + 1). */
void deadlocks_load(struct deadlocks *d, const struct program *p, size_t n,
		    const struct deadlock_link *links, const size_t *start, size_t ncycles);

/* Deadlock i (0 <= i < count), valid until the next update. */
size_t deadlocks_count(const struct deadlocks *d);
struct deadlock deadlocks_get(const struct deadlocks *d, size_t i);

/* True when tid is stuck: in a cycle or waiting behind one. */
bool deadlocks_stuck(const struct deadlocks *d, pid_t tid);

#endif
