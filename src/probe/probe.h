/* probe.h - internals shared by the probe's modules (programs include
 * cmprobe.h only): the mapped segment, record slots, thread records, the
 * clocks, allocation and the fork registry. */
#ifndef CONCMON_PROBE_H
#define CONCMON_PROBE_H

#include <stdatomic.h>
#include <stdbool.h>
#include <stddef.h>
#include <pthread.h>
#include <stdint.h>
#include <sys/types.h>
#include <time.h>

#include "concmon/cmprobe.h"
#include "concmon/telemetry_format.h"

#if defined(__has_include)
#if __has_include(<sys/single_threaded.h>)
#include <sys/single_threaded.h>
#define PROBE_HAVE_SINGLE_THREADED 1
#endif
#endif

#define PROBE_NO_SLOT UINT32_MAX

#define RLD(x) atomic_load_explicit(&(x), memory_order_relaxed)
#define RST(x, v) atomic_store_explicit(&(x), (v), memory_order_relaxed)
/* A counter only its lock holder changes: a plain load and store, no
 * locked instruction (this is the uncontended fast path's budget). */
#define BUMP(x, n) RST(x, RLD(x) + (n))

enum probe_table { PROBE_QUEUES, PROBE_LOCKS, PROBE_THREADS, PROBE_KNOBS, PROBE_VALUES };

/* Prints "concmon-probe: ..." and aborts: a broken invariant or misuse. */
_Noreturn void probe_fatal(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

/* Zeroed memory for an object; CM_SHARED objects get a MAP_SHARED anonymous
 * mapping (so forked children share them). Aborts on failure. */
void *probe_alloc(size_t size, int flags);
void probe_dealloc(void *p, size_t size, int flags);

/* Copies src (NULL: "") into a segment string: truncated on a UTF-8
 * boundary, control characters replaced, NUL-padded. */
void probe_name(char dst[CM_NAME_MAX], const char *src);

/* Sets up the thread key and fork handlers (once, from cm_init). */
void probe_thread_init(void);

/* The mapped segment after cm_init(), NULL when not publishing. */
struct cm_segment *probe_segment(void);

/* Claims a free (or stale: its process or thread is gone) record of table:
 * state CLAIMED, pid set, the rest for the caller to fill before
 * probe_publish(). NULL when not publishing or the table is full. */
void *probe_claim(enum probe_table table, unsigned *slot);

/* Makes a filled record visible / frees it. rec is any record type (the
 * state is its first member). */
void probe_publish(void *rec);
void probe_unpublish(void *rec);

/* The calling thread's TID, cached. */
extern _Thread_local pid_t probe_tls_tid;
pid_t probe_tid_slow(void);
static inline pid_t probe_tid(void)
{
	pid_t t = probe_tls_tid;
	return t ? t : probe_tid_slow();
}

/* True when no other thread or process can hold a private lock: glibc then
 * locks without atomics, and so may we (no trylock needed). */
static inline bool probe_alone(int flags)
{
#ifdef PROBE_HAVE_SINGLE_THREADED
	return __libc_single_threaded && !(flags & CM_SHARED);
#else
	(void)flags;
	return false;
#endif
}

static inline uint64_t probe_clock(clockid_t id)
{
	struct timespec ts;
	clock_gettime(id, &ts);
	return (uint64_t)ts.tv_sec * 1000000000u + (uint64_t)ts.tv_nsec;
}
/* Precise (waits) and cheap, tick-grained (hold times) monotonic clocks. */
static inline uint64_t probe_now_ns(void) { return probe_clock(CLOCK_MONOTONIC); }
static inline uint64_t probe_coarse_ns(void) { return probe_clock(CLOCK_MONOTONIC_COARSE); }

/* Raises *max to v if smaller (several writers). */
void probe_max(_Atomic uint64_t *max, uint64_t v);

/* Publishes that the calling thread blocks on slot of a table (registering
 * the thread under its comm name if it never called cm_thread_role), and
 * that it no longer does. No-ops when not publishing or slot is
 * PROBE_NO_SLOT. */
void probe_wait_begin(enum cm_wait_kind kind, unsigned slot);
void probe_wait_end(void);
/* probe_wait_begin with the thread record's flags (CM_REC_TRACED: the
 * tracer saw this wait). */
void probe_wait_begin_as(enum cm_wait_kind kind, unsigned slot, uint32_t flags);

/* Objects whose copy in a forked child needs fixing up: private ones stop
 * publishing there (they are distinct objects in the child, the records
 * are the parent's), file locks re-initialise their thread mutex. forked
 * runs in the child; old_tid/new_tid are the forking thread's TID in the
 * parent and in the child. */
struct probe_obj;
typedef void probe_forked_fn(struct probe_obj *o, pid_t old_tid, pid_t new_tid);
struct probe_obj {
	struct probe_obj *prev, *next;
	probe_forked_fn *forked;
};
void probe_obj_add(struct probe_obj *o, probe_forked_fn *forked);
void probe_obj_del(struct probe_obj *o);

/* What every probe object starts with. obj comes first, so the struct
 * probe_obj * a forked callback gets is the object itself. */
struct probe_head {
	struct probe_obj obj;           /* private objects only */
	size_t size;                    /* bytes allocated */
	int flags;                      /* CM_SHARED or CM_PRIVATE */
};

/* A zeroed object of size bytes starting with a struct probe_head (shared
 * memory for CM_SHARED), after cm_init. Aborts on failure. */
void *probe_object_new(size_t size, int flags);

/* Once obj is fully made: a private one is registered, so that forked
 * fixes up its copy in a forked child (NULL: probe_lock_forked). */
void probe_object_ready(void *obj, probe_forked_fn *forked);

/* Unregisters and frees an object made by probe_object_new (NULL: no-op). */
void probe_object_free(void *obj);

/* Fills a lock record (a segment slot or an object's local one): flags
 * CM_REC_SHARED for CM_SHARED objects and file locks, counters zero. */
void probe_lock_rec_init(struct cm_lock_rec *r, const char *name, enum cm_lock_kind kind,
			 unsigned permits, int flags);

/* A lock-like object's start: its head and the record it publishes through. */
struct probe_lock {
	struct probe_head head;
	struct cm_lock_rec *rec;        /* published slot, or &local */
	unsigned slot;                  /* PROBE_NO_SLOT with local */
	/* Also where the name is kept. After the object, in the same
	 * allocation: it would push the fields the fast paths read onto
	 * other cache lines. */
	struct cm_lock_rec *local;
};

/* probe_object_new for an object starting with a struct probe_lock, its
 * record published (or local when not publishing or the table is full). */
void *probe_lock_new(size_t size, const char *name, enum cm_lock_kind kind, unsigned permits,
		     int flags);

/* Unpublishes and frees an object made by probe_lock_new (NULL: no-op). */
void probe_lock_free(void *obj);

/* A private lock's copy in a forked child stops publishing: its holders
 * (the forking thread's TID translated) and depth move to the local record. */
void probe_lock_forked(struct probe_obj *o, pid_t old_tid, pid_t new_tid);

/* Lists tid as a holder of r in a free holders[] entry; its index, or -1
 * when all are taken. Best effort for semaphores, which have no owner. */
int probe_holder_add(struct cm_lock_rec *r, pid_t tid);

/* Takes tid off r's holders, or, when every holder is listed (holder_count
 * is no more than the listed ones) and tid is not one of them, some
 * holder. Returns the index or -1. */
int probe_holder_remove(struct cm_lock_rec *r, pid_t tid);

/* Fills a queue record (a segment slot or an object's local one). */
void probe_queue_rec_init(struct cm_queue_rec *r, const char *name, size_t cap, int flags);

/* A mutex of type (PTHREAD_MUTEX_*): process-shared and robust for
 * CM_SHARED (a process that dies holding it does not wedge the others).
 * Aborts on failure; name is for the message. */
void probe_pthread_mutex_init(pthread_mutex_t *m, int type, int flags, const char *name);

/* A condition variable, process-shared for CM_SHARED. Aborts on failure. */
void probe_pthread_cond_init(pthread_cond_t *c, int flags, const char *name);

/* Destroys a private condition variable and leaves a shared one alone:
 * other processes may still wait on it or have been killed waiting, and
 * glibc's destroy waits for every waiter to acknowledge its wake-up. */
void probe_pthread_cond_destroy(pthread_cond_t *c, int flags);

/* Checks what locking m returned (lock, a successful trylock, cond_wait).
 * EOWNERDEAD: its holder died; m is made consistent, stderr says what it
 * protects may be half-updated, and true is returned so the caller can
 * repair that. 0: false. Anything else aborts, naming what and name. */
bool probe_pthread_locked(int rc, pthread_mutex_t *m, const char *what, const char *name);

#endif
