/* cmprobe.h - libconcmon-probe: instrumented concurrency primitives that
 * publish what happens inside a program (queues, locks, threads, knobs)
 * into the shared-memory segment concmon hands over in the environment
 * (CONCMON_TELEMETRY_FD). Without concmon the primitives work the same and
 * publish nothing.
 *
 * Every constructor aborts with a message on allocation failure, and misuse
 * (unlocking what this thread does not hold, a bad capacity) aborts with a
 * message too. Names are truncated to CM_NAME_MAX-1 bytes (control
 * characters become '?'). Objects created with CM_SHARED live in shared
 * memory and work across fork() (create them before forking); a forked
 * child's copy of a CM_PRIVATE object is its own and publishes nothing.
 * Knobs and values live until exit and are shared with forked children. */
#ifndef CONCMON_CMPROBE_H
#define CONCMON_CMPROBE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define CM_NAME_MAX 32

enum cm_flags {
	CM_PRIVATE = 0,
	CM_SHARED = 1 << 0,     /* usable by this process and its forked children */
	CM_TRACED = 1 << 1,     /* mirrors: published as traced (by a tracing layer, not the
				 * program's own calls) */
};

/* Maps the telemetry segment if concmon provided one. Idempotent; every
 * other function calls it. Returns true when telemetry is being published. */
bool cm_init(void);

/* Names the calling thread (also its comm, via pthread_setname_np) and
 * publishes its TID and role. Call once at the start of each thread. */
void cm_thread_role(const char *role);

/* Mutex; recursive when recursive is set (a plain one deadlocks on re-entry,
 * and concmon sees that as a self-wait). */
struct cm_mutex;
struct cm_mutex *cm_mutex_new(const char *name, bool recursive, int flags);
void cm_mutex_lock(struct cm_mutex *m);
bool cm_mutex_trylock(struct cm_mutex *m);
void cm_mutex_unlock(struct cm_mutex *m);
void cm_mutex_free(struct cm_mutex *m);

/* Counting semaphore. */
struct cm_sem;
struct cm_sem *cm_sem_new(const char *name, unsigned permits, int flags);
void cm_sem_wait(struct cm_sem *s);
void cm_sem_post(struct cm_sem *s);
void cm_sem_free(struct cm_sem *s);

/* Condition variable used with a cm_mutex, waited on in a predicate loop. */
struct cm_cond;
struct cm_cond *cm_cond_new(const char *name, int flags);
void cm_cond_wait(struct cm_cond *c, struct cm_mutex *m);
void cm_cond_signal(struct cm_cond *c);
void cm_cond_broadcast(struct cm_cond *c);
void cm_cond_free(struct cm_cond *c);

/* Event (like Python's threading.Event): wait blocks until set. */
struct cm_event;
struct cm_event *cm_event_new(const char *name, int flags);
void cm_event_set(struct cm_event *e);
void cm_event_clear(struct cm_event *e);
bool cm_event_is_set(struct cm_event *e);
void cm_event_wait(struct cm_event *e);
void cm_event_free(struct cm_event *e);

/* Bounded blocking queue of integers (or pointers, for CM_PRIVATE ones).
 * put blocks while full, get while empty; after close, put fails and get
 * drains what is left, then fails. */
struct cm_queue;
struct cm_queue *cm_queue_new(const char *name, size_t capacity, int flags);
bool cm_queue_put(struct cm_queue *q, intptr_t item);        /* false: closed */
bool cm_queue_get(struct cm_queue *q, intptr_t *item);       /* false: closed and empty */
void cm_queue_close(struct cm_queue *q);
size_t cm_queue_depth(struct cm_queue *q);
void cm_queue_free(struct cm_queue *q);

/* Knob: an integer concmon may change while the program runs. */
struct cm_knob;
struct cm_knob *cm_knob_new(const char *name, long value, long min, long max);
/* A knob the program reads only once, at start (a size, a count of
 * threads): concmon marks it "(at start)" and offers a restart with the new
 * value instead of a change that would do nothing. */
struct cm_knob *cm_knob_new_at_start(const char *name, long value, long min, long max);
long cm_knob_get(const struct cm_knob *k);
void cm_knob_set(struct cm_knob *k, long value);   /* clamped to [min, max] */

/* Value: an integer the program publishes for concmon to show (counters,
 * results: expected vs actual count, tickets sold...). */
struct cm_value;
struct cm_value *cm_value_new(const char *name);
void cm_value_set(struct cm_value *v, long value);
void cm_value_add(struct cm_value *v, long delta);
long cm_value_get(const struct cm_value *v);

/* Inter-process lock on an open file (fcntl record lock on the whole
 * file), published like a mutex. fcntl locks belong to a process: the
 * probe orders the threads of one process itself, and each forked child
 * locks as a process of its own (all publish through the one record). */
struct cm_flock;
struct cm_flock *cm_flock_new(const char *name, int fd);
void cm_flock_lock(struct cm_flock *l);
void cm_flock_unlock(struct cm_flock *l);
void cm_flock_free(struct cm_flock *l);

/* Mirror: publishes a lock that lives elsewhere (a language runtime's own
 * lock, semaphore, condition or event: the Python layer wraps threading's)
 * without locking anything. The caller does the real operation and reports
 * each step, so the real object keeps its semantics (timeouts, a lock
 * released by another thread) and concmon sees holders, waiters and waits.
 * Every call is a few atomic stores; none blocks. */
enum cm_mirror_kind {
	CM_MIRROR_MUTEX = 1,
	CM_MIRROR_RECURSIVE = 2,
	CM_MIRROR_SEMAPHORE = 3,
	CM_MIRROR_CONDITION = 4,
	CM_MIRROR_EVENT = 5,
};
struct cm_mirror;
/* kind: enum cm_mirror_kind; permits: a semaphore's initial value, else 0;
 * flags: CM_SHARED, CM_TRACED. */
struct cm_mirror *cm_mirror_new(const char *name, int kind, unsigned permits, int flags);
/* The calling thread is about to block on m (a lock or semaphore it wants,
 * a condition or event it waits for). */
void cm_mirror_wait(struct cm_mirror *m);
/* Its wait ended without getting m (a timeout). */
void cm_mirror_wait_end(struct cm_mirror *m);
/* The calling thread got m n times (recursion levels, permits; 1 for a
 * mutex; for a condition or event: its wait returned). Ends its wait. */
void cm_mirror_acquired(struct cm_mirror *m, unsigned n);
/* m was released n times (levels, permits; 0: every level of a recursive
 * one) by the calling thread; a mutex loses its holder whoever releases
 * it. No-op for conditions and events. */
void cm_mirror_released(struct cm_mirror *m, unsigned n);
/* Events: 1 when set; semaphores: permits free now (corrects drift). */
void cm_mirror_value(struct cm_mirror *m, unsigned value);
void cm_mirror_free(struct cm_mirror *m);

/* Queue mirror: publishes a queue that lives elsewhere. capacity 0 means
 * unbounded (published as CM's largest capacity). Depth follows the puts
 * and gets reported, never below 0 or above capacity. */
struct cm_qmirror;
struct cm_qmirror *cm_qmirror_new(const char *name, size_t capacity, int flags);
void cm_qmirror_put(struct cm_qmirror *q);                  /* an item went in */
void cm_qmirror_get(struct cm_qmirror *q);                  /* an item came out */
/* The calling thread blocks for room (room) or for an item / stops. */
void cm_qmirror_wait(struct cm_qmirror *q, bool room);
void cm_qmirror_wait_end(struct cm_qmirror *q, bool room);
void cm_qmirror_free(struct cm_qmirror *q);

#endif
