/* trace.h - internals of libconcmon-trace.so (preloaded by concmon --trace):
 * the real libc functions it wraps, the per-process table of the locks it
 * has seen, and publishing a lock into the telemetry segment.
 *
 * What is published: the segment has CM_MAX_LOCKS lock records, a program
 * (CPython: hundreds) many more locks. A lock is published only once a
 * thread has to wait for it (a failed trylock, a condition wait):
 * contended locks, and any lock a thread is blocked on, which is what the
 * wait-for graph needs. It then stays published until destroyed or the
 * process exits. Locks first seen while cmtrace_auto(0) is in force are
 * never published. A full segment: the lock stays private, its waits unseen.
 *
 * Mutexes cost nothing until published: glibc keeps the holder's TID in
 * every pthread_mutex_t (__data.__owner, all types) and the recursion count
 * (__data.__count), so an uncontended lock is the real call plus one bit
 * tested in trace_filter; the holder is read from the mutex when a thread
 * is about to wait, and again each second it keeps waiting. A mutex's table entry is made by pthread_mutex_init or
 * its first wait (that call site names it), and its counters (acquisitions,
 * contention, hold time) start at its publication. Read-write locks,
 * semaphores (no owner field: CPython's Lock is one, its holders are
 * tracked from the start) and conditions keep a private entry from first
 * use, its counters carried over into the published record. */
#ifndef CONCMON_TRACE_H
#define CONCMON_TRACE_H

#include <pthread.h>
#include <semaphore.h>
#include <stdatomic.h>
#include <stdbool.h>
#include <stdint.h>
#include <time.h>

#include "../probe/probe.h"

typedef int trace_mutex_fn(pthread_mutex_t *);

/* The libc functions the tracer wraps, resolved with dlsym(RTLD_NEXT). */
struct trace_real {
	int (*mutex_init)(pthread_mutex_t *, const pthread_mutexattr_t *);
	int (*mutex_destroy)(pthread_mutex_t *);
	/* The three hot ones are callable at any time without trace_ready():
	 * until resolved they point to stubs that resolve, then call. */
	trace_mutex_fn *_Atomic mutex_lock;
	trace_mutex_fn *_Atomic mutex_trylock;
	int (*mutex_timedlock)(pthread_mutex_t *, const struct timespec *);
	int (*mutex_clocklock)(pthread_mutex_t *, clockid_t, const struct timespec *);
	trace_mutex_fn *_Atomic mutex_unlock;
	int (*rw_destroy)(pthread_rwlock_t *);
	int (*rw_rdlock)(pthread_rwlock_t *);
	int (*rw_wrlock)(pthread_rwlock_t *);
	int (*rw_tryrdlock)(pthread_rwlock_t *);
	int (*rw_trywrlock)(pthread_rwlock_t *);
	int (*rw_timedrdlock)(pthread_rwlock_t *, const struct timespec *);
	int (*rw_timedwrlock)(pthread_rwlock_t *, const struct timespec *);
	int (*rw_clockrdlock)(pthread_rwlock_t *, clockid_t, const struct timespec *);
	int (*rw_clockwrlock)(pthread_rwlock_t *, clockid_t, const struct timespec *);
	int (*rw_unlock)(pthread_rwlock_t *);
	int (*sem_init)(sem_t *, int, unsigned);
	int (*sem_destroy)(sem_t *);
	int (*sem_wait)(sem_t *);
	int (*sem_timedwait)(sem_t *, const struct timespec *);
	int (*sem_clockwait)(sem_t *, clockid_t, const struct timespec *);
	int (*sem_trywait)(sem_t *);
	int (*sem_post)(sem_t *);
	int (*cond_init)(pthread_cond_t *, const pthread_condattr_t *);
	int (*cond_destroy)(pthread_cond_t *);
	int (*cond_wait)(pthread_cond_t *, pthread_mutex_t *);
	int (*cond_timedwait)(pthread_cond_t *, pthread_mutex_t *, const struct timespec *);
	int (*cond_clockwait)(pthread_cond_t *, pthread_mutex_t *, clockid_t,
			      const struct timespec *);
	int (*cond_signal)(pthread_cond_t *);
	int (*cond_broadcast)(pthread_cond_t *);
};
extern struct trace_real trace_real;
extern _Atomic bool trace_resolved;

/* Fills trace_real (idempotent; any thread, any time, even before the
 * library's constructor ran). Aborts if libc lacks a function. */
void trace_real_resolve(void);

static inline void trace_ready(void)
{
	if (__builtin_expect(!atomic_load_explicit(&trace_resolved, memory_order_acquire), 0))
		trace_real_resolve();
}

/* One lock the process has used. The fast paths write holder and counters
 * through rec with relaxed stores: for a mutex the mutex itself orders its
 * writers (and writes only once published). */
struct trace_lock {
	_Atomic uintptr_t addr;         /* key; 0 free, TRACE_TOMB forgotten */
	_Atomic(struct cm_lock_rec *) rec; /* &local, or the published segment record */
	uintptr_t site;                 /* first call site (a return address) */
	uint32_t kind;                  /* enum cm_lock_kind */
	uint32_t permits;               /* semaphores: sem_init's value */
	unsigned slot;                  /* segment slot, PROBE_NO_SLOT while private */
	bool noauto;                    /* first seen under cmtrace_auto(0) */
	_Atomic bool publishing;
	uint64_t hold_start;            /* coarse ns, published locks only */
	struct cm_lock_rec local;
};
#define TRACE_TOMB ((uintptr_t)1)

/* trace_lock_find when the entry is not in its home slot. */
struct trace_lock *trace_lock_find_slow(const void *addr, uintptr_t site, enum cm_lock_kind kind);

#define TRACE_TABLE_BITS 14
extern _Atomic(struct trace_lock *) trace_table;

static inline unsigned trace_hash(uintptr_t a)
{
	return (unsigned)(((uint64_t)a * UINT64_C(0x9e3779b97f4a7c15)) >> (64 - TRACE_TABLE_BITS));
}

/* The entry of addr, or NULL (the table is full, or the tracer is off).
 * With site != 0 a missing entry is made, of kind, first used at site;
 * site 0 only looks. Inline: the home slot is the fast path. */
static inline struct trace_lock *trace_lock_find(const void *addr, uintptr_t site,
						 enum cm_lock_kind kind)
{
	struct trace_lock *t = atomic_load_explicit(&trace_table, memory_order_acquire);
	if (__builtin_expect(t != NULL, 1)) {
		struct trace_lock *lk = &t[trace_hash((uintptr_t)addr)];
		if (atomic_load_explicit(&lk->addr, memory_order_acquire) == (uintptr_t)addr)
			return lk;
	}
	return trace_lock_find_slow(addr, site, kind);
}

/* Mutexes that may be published: a bit per hash of the address, set on
 * publication and never cleared (a stale bit costs a table lookup). */
#define TRACE_FILTER_BITS 12
extern _Atomic uint64_t trace_filter[(1u << TRACE_FILTER_BITS) / 64];

/* The address's bits above its alignment: neighbouring mutexes (an array)
 * get distinct bits, and it is cheaper than a multiplicative hash. */
static inline unsigned trace_filter_bit(const void *addr)
{
	return (unsigned)((uintptr_t)addr >> 3) & ((1u << TRACE_FILTER_BITS) - 1);
}

/* Set with the first bit: until then one load tells that no mutex is. */
extern _Atomic bool trace_filter_used;

/* False when the mutex at addr is surely not published. */
static inline bool trace_maybe_published(const void *addr)
{
	if (__builtin_expect(!atomic_load_explicit(&trace_filter_used, memory_order_relaxed), 1))
		return false;
	unsigned h = trace_filter_bit(addr);
	return (atomic_load_explicit(&trace_filter[h / 64], memory_order_relaxed) >> (h % 64)) & 1;
}

/* Forgets addr (destroyed): unpublishes its record; a later lock at the
 * same address starts afresh. */
void trace_lock_forget(const void *addr);

/* The record waits on lk should go to: published now if it can be. */
struct cm_lock_rec *trace_publish(struct trace_lock *lk);

/* The calling thread blocks on lk (published by trace_publish) / no
 * longer does: waiters, the thread record, the wait time. */
uint64_t trace_wait_begin(struct trace_lock *lk, struct cm_lock_rec *r);
void trace_wait_end(struct cm_lock_rec *r, uint64_t t0, bool acquired);

/* The entry published in each lock slot of the segment, NULL for none. */
extern struct trace_lock *trace_owners[CM_MAX_LOCKS];

/* Whether locks seen from now on may be published (cmtrace_auto). */
extern _Atomic bool trace_auto;

/* Forks: the child's copies of published locks go private again. */
void trace_table_forked(pid_t old_tid, pid_t new_tid);

/* What the wrappers export (the rest of the library is hidden). */
#define TRACE_EXPORT __attribute__((visibility("default")))

#define TRACE_SITE() ((uintptr_t)__builtin_return_address(0))

#endif
