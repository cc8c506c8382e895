/* waitgraph.h - the wait-for graph (thread -> lock it waits for -> threads
 * holding it) and deadlock detection on it. Pure: no /proc, no telemetry
 * types; the caller numbers locks and maps them back to names. */
#ifndef CONCMON_WAITGRAPH_H
#define CONCMON_WAITGRAPH_H

#include <stdbool.h>
#include <stddef.h>
#include <sys/types.h>

struct waitgraph;

/* One link of a deadlock cycle: tid waits for lock, which holder holds. */
struct wg_link {
	pid_t tid;
	int lock;
	pid_t holder;
};

struct wg_cycle {
	size_t n;                 /* links; 1 for a thread waiting on a lock it holds */
	const struct wg_link *links;
};

/* An empty graph. Aborts on allocation failure. */
struct waitgraph *waitgraph_new(void);
void waitgraph_free(struct waitgraph *g);

/* Empties the graph, keeping its memory, for the next refresh. */
void waitgraph_reset(struct waitgraph *g);

/* Adds a lock and returns its id (0, 1, 2... in call order). available:
 * a waiter could take it now (free semaphore permits, a set event), so
 * nobody waiting for it is deadlocked. */
int waitgraph_add_lock(struct waitgraph *g, bool available);

/* Records that tid holds lock (several holders for a semaphore). */
void waitgraph_add_holder(struct waitgraph *g, int lock, pid_t tid);

/* Adds a thread; waits_for is the lock it is blocked on, or -1. */
void waitgraph_add_thread(struct waitgraph *g, pid_t tid, int waits_for);

/* Finds the deadlocked threads: those waiting for a lock that no thread
 * able to progress holds. Returns the number of cycles, one per deadlock
 * (linear in threads + locks + holders). A lock without holders that is
 * not available (an unset event) is treated as one that may still come. */
size_t waitgraph_find(struct waitgraph *g);

/* Cycle i of the last waitgraph_find; valid until the next change of g. */
struct wg_cycle waitgraph_cycle(const struct waitgraph *g, size_t i);

/* True when tid is deadlocked: in a cycle, or waiting behind one. */
bool waitgraph_deadlocked(const struct waitgraph *g, pid_t tid);

#endif
