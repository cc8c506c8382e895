/* workers.h - a resizable set of identical worker threads, so a demo can
 * follow a knob ("dryers", "workers per stage") while it runs.
 *
 * A retired worker is never interrupted: it finishes what it is doing and
 * leaves when it next calls worker_should_go(). Threads are named
 * ROLE-N (cm_thread_role) before fn runs. */
#ifndef CONCMON_DEMO_WORKERS_H
#define CONCMON_DEMO_WORKERS_H

#include <stdbool.h>

struct cm_knob;
struct worker_set;
struct worker;

/* The body of a worker: loop until worker_should_go(w). */
typedef void (*worker_fn)(struct worker *w);

/* A set of at most max workers running fn with arg; none started yet. */
struct worker_set *workers_new(const char *role, int max, worker_fn fn, void *arg);

/* Starts or retires workers so that n (clamped to [0, max]) are active,
 * and joins those that have left. Returns the number now active. */
int workers_resize(struct worker_set *s, int n);

/* workers_resize to the knob's value, saying so when it changed since
 * *last (which is updated). */
void workers_follow_knob(struct worker_set *s, const char *what, const struct cm_knob *k,
			 long *last);

/* Workers active (started and not retired). */
int workers_active(const struct worker_set *s);

/* Asks every worker to leave (worker_retired becomes true). */
void workers_retire_all(struct worker_set *s);

/* Waits for every worker to return. They must leave by themselves: retire
 * them, or close the queue they read, and wake the ones that may block. */
void workers_join_all(struct worker_set *s);

/* Retires and joins every worker (see workers_join_all), frees the set. */
void workers_free(struct worker_set *s);

/* True when this worker was retired or the demo is stopping. */
bool worker_should_go(const struct worker *w);

/* True when this worker was retired (a demo stop alone does not count:
 * for workers that drain a closed queue before leaving). */
bool worker_retired(const struct worker *w);

/* The arg given to workers_new, and this worker's number (1-based). */
void *worker_arg(const struct worker *w);
int worker_id(const struct worker *w);

/* This worker's name, ROLE-N. */
const char *worker_name(const struct worker *w);

#endif
