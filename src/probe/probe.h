/* probe.h - internals shared by the probe's modules (programs include
 * cmprobe.h only): the mapped segment, record slots, thread records, the
 * clocks, allocation and the fork registry. */
#ifndef CONCMON_PROBE_H
#define CONCMON_PROBE_H

#include <stdatomic.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>
#include <time.h>

#include "cmprobe.h"
#include "telemetry_format.h"

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

/* Objects whose copy in a forked child needs fixing up: private ones stop
 * publishing there (they are distinct objects in the child, the records
 * are the parent's), file locks re-initialise their thread mutex. forked
 * runs in the child; old_tid/new_tid are the forking thread's TID in the
 * parent and in the child. */
struct probe_obj {
	struct probe_obj *prev, *next;
	void (*forked)(struct probe_obj *o, pid_t old_tid, pid_t new_tid);
};
void probe_obj_add(struct probe_obj *o, void (*forked)(struct probe_obj *, pid_t, pid_t));
void probe_obj_del(struct probe_obj *o);

/* Initialises a lock record (segment slot or an object's local one). */
void probe_lock_rec_init(struct cm_lock_rec *r, const char *name, enum cm_lock_kind kind,
			 unsigned permits, int flags);

/* The record of a new lock-like object: a published slot, or local (then
 * *slot is PROBE_NO_SLOT). local is initialised either way. */
struct cm_lock_rec *probe_lock_publish(struct cm_lock_rec *local, unsigned *slot,
				       const char *name, enum cm_lock_kind kind,
				       unsigned permits, int flags);

/* Frees rec unless it is the object's local one. */
void probe_lock_unpublish(struct cm_lock_rec *rec, struct cm_lock_rec *local);

/* Detach helper for lock-like objects: moves holder/depth to local
 * (translating the forking thread's TID) and points *rec at it. */
void probe_lock_detach(struct cm_lock_rec **rec, unsigned *slot, struct cm_lock_rec *local,
		       pid_t old_tid, pid_t new_tid);

#endif
