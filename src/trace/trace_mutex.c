/* trace_mutex.c - the wrapped pthread mutexes, read-write locks and
 * condition variables. An unpublished mutex is not tracked (trace.h): its
 * lock is the real call and one filter bit tested; only a failed trylock
 * publishes the mutex and the wait, reads its holder from the mutex, reads
 * the clock and blocks in the real call. A published mutex's holder and
 * counters are kept by each lock and unlock. A read-write lock is shown as
 * a mutex whose holder is its writer, or one of its readers. */
#include "trace.h"

#include <errno.h>

/* The mutex type glibc keeps in the mutex (static initializers too). */
#define KIND_MASK 3
#define KIND_PSHARED 128

_Atomic uint64_t trace_filter[(1u << TRACE_FILTER_BITS) / 64];
_Atomic bool trace_filter_used;

static enum cm_lock_kind mutex_kind(const pthread_mutex_t *m)
{
	return (m->__data.__kind & KIND_MASK) == PTHREAD_MUTEX_RECURSIVE_NP ? CM_LOCK_RECURSIVE
									  : CM_LOCK_MUTEX;
}

/* What glibc keeps in the mutex, read while other threads may change it. */
static inline pid_t mutex_owner(const pthread_mutex_t *m)
{
	return __atomic_load_n(&m->__data.__owner, __ATOMIC_RELAXED);
}

static inline unsigned mutex_count(const pthread_mutex_t *m)
{
	return __atomic_load_n(&m->__data.__count, __ATOMIC_RELAXED);
}

static inline struct cm_lock_rec *rec_of(struct trace_lock *lk)
{
	return atomic_load_explicit(&lk->rec, memory_order_acquire);
}

/* m's published record (its entry in *lk), or NULL while private. */
static struct cm_lock_rec *published(const pthread_mutex_t *m, struct trace_lock **lk)
{
	*lk = trace_lock_find(m, 0, 0);
	struct cm_lock_rec *r = *lk ? rec_of(*lk) : NULL;
	return r && r != &(*lk)->local ? r : NULL;
}

/* me, which holds m, is listed as its holder (not again for a recursive
 * re-acquisition: its depth only). */
static void mutex_taken(struct trace_lock *lk, struct cm_lock_rec *r, const pthread_mutex_t *m,
			pid_t me)
{
	if (lk->kind == CM_LOCK_RECURSIVE) {
		unsigned depth = mutex_count(m);
		RST(r->depth, depth);
		if (depth > 1 && RLD(r->holders[0]) == me)
			return;
	}
	RST(r->holders[0], me);
	BUMP(r->acquisitions, 1u);
	lk->hold_start = probe_coarse_ns();
}

/* me is about to let go of m once (all: every level, for a cond wait). */
static void mutex_released(struct trace_lock *lk, struct cm_lock_rec *r, const pthread_mutex_t *m,
			   pid_t me, bool all)
{
	if (RLD(r->holders[0]) != me)
		return;
	if (lk->kind == CM_LOCK_RECURSIVE) {
		unsigned depth = mutex_count(m);
		if (depth > 1 && !all) {
			RST(r->depth, depth - 1);
			return;
		}
		RST(r->depth, 0u);
	}
	if (lk->hold_start) {
		BUMP(r->hold_ns_total, probe_coarse_ns() - lk->hold_start);
		lk->hold_start = 0;
	}
	RST(r->holders[0], 0);
}

__attribute__((noinline)) static void published_taken(const pthread_mutex_t *m)
{
	struct trace_lock *lk;
	struct cm_lock_rec *r = published(m, &lk);
	if (r)
		mutex_taken(lk, r, m, probe_tid());
}

__attribute__((noinline)) static void published_released(const pthread_mutex_t *m, bool all)
{
	struct trace_lock *lk;
	struct cm_lock_rec *r = published(m, &lk);
	if (r)
		mutex_released(lk, r, m, probe_tid(), all);
}

/* The holder (and depth) of published m as glibc has them in the mutex. */
static void mutex_refresh(struct trace_lock *lk, struct cm_lock_rec *r, const pthread_mutex_t *m)
{
	pid_t owner = mutex_owner(m);
	if (owner < 0)                  /* a robust mutex's "not recoverable" */
		owner = 0;
	if (RLD(r->holders[0]) != owner)
		RST(r->holders[0], owner);
	if (lk->kind == CM_LOCK_RECURSIVE)
		RST(r->depth, owner ? mutex_count(m) : 0u);
}

/* A thread must wait for m: m published (from now on the filter lets its
 * locks and unlocks through), its holder and depth read from the mutex. */
static struct cm_lock_rec *mutex_publish(struct trace_lock *lk, const pthread_mutex_t *m)
{
	struct cm_lock_rec *r = trace_publish(lk);
	if (r == &lk->local)
		return r;
	unsigned h = trace_filter_bit(m);
	atomic_fetch_or_explicit(&trace_filter[h / 64], UINT64_C(1) << (h % 64),
				 memory_order_relaxed);
	atomic_store_explicit(&trace_filter_used, true, memory_order_relaxed);
	mutex_refresh(lk, r, m);
	return r;
}

/* Blocks in call (a real locking function, its result rc) with the wait
 * published in r; ok: what counts as acquired. Keeps errno from the call. */
#define BLOCK(lk, r, rc, ok, call) do { \
		uint64_t t0_ = trace_wait_begin(lk, r); \
		rc = call; \
		int e_ = errno; \
		trace_wait_end(r, t0_, ok); \
		errno = e_; \
	} while (0)

#define LOCKED(rc) ((rc) == 0 || (rc) == EOWNERDEAD)

/* How a waiting locker blocks: each way's real call. */
struct mutex_way {
	pthread_mutex_t *m;
	clockid_t clk;
	const struct timespec *abs;
	int (*call)(const struct mutex_way *);
	struct trace_lock *lk;          /* set by mutex_wait */
};

/* The untimed lock wakes each second to read the holder from the mutex
 * again: one that took it while it was being published can be missed
 * (neither side fences), and a holder seen just as it let go lingers. */
static int way_lock(const struct mutex_way *w)
{
	for (;;) {
		struct timespec t;
		clock_gettime(CLOCK_REALTIME, &t);
		t.tv_sec += 1;
		int rc = trace_real.mutex_timedlock(w->m, &t);
		struct cm_lock_rec *r = rec_of(w->lk);
		if (rc != ETIMEDOUT)
			return rc;
		if (r != &w->lk->local)
			mutex_refresh(w->lk, r, w->m);
	}
}

static int way_timed(const struct mutex_way *w) { return trace_real.mutex_timedlock(w->m, w->abs); }
static int way_clock(const struct mutex_way *w)
{
	return trace_real.mutex_clocklock(w->m, w->clk, w->abs);
}

/* The trylock failed: publish m, block the real way, list the new holder. */
__attribute__((noinline)) static int mutex_wait(struct mutex_way *w, uintptr_t site)
{
	struct trace_lock *lk = trace_lock_find(w->m, site, mutex_kind(w->m));
	if (!lk)                        /* untraced (the table is full) */
		return w->call == way_lock ? trace_real.mutex_lock(w->m) : w->call(w);
	w->lk = lk;
	struct cm_lock_rec *r = mutex_publish(lk, w->m);
	int rc;
	BLOCK(lk, r, rc, LOCKED(rc), w->call(w));
	if (LOCKED(rc) && (r = rec_of(lk)) != &lk->local)
		mutex_taken(lk, r, w->m, probe_tid());
	return rc;
}

/* Locking with others around: the real trylock, and a filter bit. */
__attribute__((noinline)) static int mutex_lock_shared(pthread_mutex_t *m, uintptr_t site)
{
	int rc = trace_real.mutex_trylock(m);
	if (rc == EBUSY)
		return mutex_wait(&(struct mutex_way){ m, 0, NULL, way_lock, NULL }, site);
	if (__builtin_expect(trace_maybe_published(m), 0) && LOCKED(rc))
		published_taken(m);
	return rc;
}

/* Alone, a mutex nobody holds cannot block, nor be published meanwhile:
 * the real lock, a tail call (glibc then locks without atomics, where
 * trylock would not). Kept free of a stack frame. */
TRACE_EXPORT int pthread_mutex_lock(pthread_mutex_t *m)
{
	if (probe_alone(m->__data.__kind & KIND_PSHARED ? CM_SHARED : CM_PRIVATE) &&
	    mutex_owner(m) == 0 && !trace_maybe_published(m))
		return trace_real.mutex_lock(m);
	return mutex_lock_shared(m, TRACE_SITE());
}

TRACE_EXPORT int pthread_mutex_trylock(pthread_mutex_t *m)
{
	int rc = trace_real.mutex_trylock(m);
	if (__builtin_expect(trace_maybe_published(m), 0) && LOCKED(rc))
		published_taken(m);
	return rc;
}

TRACE_EXPORT int pthread_mutex_timedlock(pthread_mutex_t *m, const struct timespec *abs)
{
	trace_ready();
	int rc = trace_real.mutex_trylock(m);
	if (rc == EBUSY)
		return mutex_wait(&(struct mutex_way){ m, 0, abs, way_timed, NULL }, TRACE_SITE());
	if (trace_maybe_published(m) && LOCKED(rc))
		published_taken(m);
	return rc;
}

TRACE_EXPORT int pthread_mutex_clocklock(pthread_mutex_t *m, clockid_t clk, const struct timespec *abs)
{
	trace_ready();
	int rc = trace_real.mutex_trylock(m);
	if (rc == EBUSY)
		return mutex_wait(&(struct mutex_way){ m, clk, abs, way_clock, NULL }, TRACE_SITE());
	if (trace_maybe_published(m) && LOCKED(rc))
		published_taken(m);
	return rc;
}

TRACE_EXPORT int pthread_mutex_unlock(pthread_mutex_t *m)
{
	if (__builtin_expect(trace_maybe_published(m), 0))
		published_released(m, false);
	return trace_real.mutex_unlock(m);
}

TRACE_EXPORT int pthread_mutex_init(pthread_mutex_t *m, const pthread_mutexattr_t *a)
{
	trace_ready();
	trace_lock_forget(m);
	int rc = trace_real.mutex_init(m, a);
	if (rc == 0)
		trace_lock_find(m, TRACE_SITE(), mutex_kind(m));
	return rc;
}

TRACE_EXPORT int pthread_mutex_destroy(pthread_mutex_t *m)
{
	trace_ready();
	trace_lock_forget(m);
	return trace_real.mutex_destroy(m);
}

/* ---- read-write locks ---- */

/* Readers share the lock: counters take atomic adds here. */
static void rw_taken(struct trace_lock *lk, pid_t me)
{
	struct cm_lock_rec *r = rec_of(lk);
	int32_t none = 0;
	atomic_compare_exchange_strong_explicit(&r->holders[0], &none, me, memory_order_relaxed,
						memory_order_relaxed);
	atomic_fetch_add_explicit(&r->acquisitions, 1, memory_order_relaxed);
}

#define RW_WRAP(fn, tryfn, call, ...) \
	TRACE_EXPORT int fn(pthread_rwlock_t *l, ##__VA_ARGS__) \
	{ \
		trace_ready(); \
		struct trace_lock *lk = trace_lock_find(l, TRACE_SITE(), CM_LOCK_MUTEX); \
		int rc = trace_real.tryfn(l); \
		if (rc == EBUSY && lk) { \
			struct cm_lock_rec *r_ = trace_publish(lk); \
			BLOCK(lk, r_, rc, rc == 0, call); \
		} \
		else if (rc == EBUSY) \
			rc = call; \
		if (lk && rc == 0) \
			rw_taken(lk, probe_tid()); \
		return rc; \
	}

RW_WRAP(pthread_rwlock_rdlock, rw_tryrdlock, trace_real.rw_rdlock(l))
RW_WRAP(pthread_rwlock_wrlock, rw_trywrlock, trace_real.rw_wrlock(l))
RW_WRAP(pthread_rwlock_timedrdlock, rw_tryrdlock, trace_real.rw_timedrdlock(l, abs),
	const struct timespec *abs)
RW_WRAP(pthread_rwlock_timedwrlock, rw_trywrlock, trace_real.rw_timedwrlock(l, abs),
	const struct timespec *abs)
RW_WRAP(pthread_rwlock_clockrdlock, rw_tryrdlock, trace_real.rw_clockrdlock(l, clk, abs),
	clockid_t clk, const struct timespec *abs)
RW_WRAP(pthread_rwlock_clockwrlock, rw_trywrlock, trace_real.rw_clockwrlock(l, clk, abs),
	clockid_t clk, const struct timespec *abs)

TRACE_EXPORT int pthread_rwlock_tryrdlock(pthread_rwlock_t *l)
{
	trace_ready();
	struct trace_lock *lk = trace_lock_find(l, TRACE_SITE(), CM_LOCK_MUTEX);
	int rc = trace_real.rw_tryrdlock(l);
	if (lk && rc == 0)
		rw_taken(lk, probe_tid());
	return rc;
}

TRACE_EXPORT int pthread_rwlock_trywrlock(pthread_rwlock_t *l)
{
	trace_ready();
	struct trace_lock *lk = trace_lock_find(l, TRACE_SITE(), CM_LOCK_MUTEX);
	int rc = trace_real.rw_trywrlock(l);
	if (lk && rc == 0)
		rw_taken(lk, probe_tid());
	return rc;
}

TRACE_EXPORT int pthread_rwlock_unlock(pthread_rwlock_t *l)
{
	trace_ready();
	struct trace_lock *lk = trace_lock_find(l, 0, 0);
	if (lk) {
		int32_t me = probe_tid();
		atomic_compare_exchange_strong_explicit(&rec_of(lk)->holders[0], &me, 0,
							memory_order_relaxed, memory_order_relaxed);
	}
	return trace_real.rw_unlock(l);
}

TRACE_EXPORT int pthread_rwlock_destroy(pthread_rwlock_t *l)
{
	trace_ready();
	trace_lock_forget(l);
	return trace_real.rw_destroy(l);
}

/* ---- condition variables: the mutex is let go of while waiting ---- */

#define COND_WAIT(c, m, call) do { \
		trace_ready(); \
		struct trace_lock *cl = trace_lock_find(c, TRACE_SITE(), CM_LOCK_CONDITION); \
		if (trace_maybe_published(m)) \
			published_released(m, true); \
		int rc; \
		if (cl) { \
			struct cm_lock_rec *r_ = trace_publish(cl); \
			BLOCK(cl, r_, rc, true, call); \
			atomic_fetch_add_explicit(&r_->acquisitions, 1, memory_order_relaxed); \
		} else { \
			rc = call; \
		} \
		if (trace_maybe_published(m)) /* maybe published meanwhile */ \
			published_taken(m); \
		return rc; \
	} while (0)

TRACE_EXPORT int pthread_cond_wait(pthread_cond_t *c, pthread_mutex_t *m)
{
	COND_WAIT(c, m, trace_real.cond_wait(c, m));
}

TRACE_EXPORT int pthread_cond_timedwait(pthread_cond_t *c, pthread_mutex_t *m, const struct timespec *abs)
{
	COND_WAIT(c, m, trace_real.cond_timedwait(c, m, abs));
}

TRACE_EXPORT int pthread_cond_clockwait(pthread_cond_t *c, pthread_mutex_t *m, clockid_t clk,
			   const struct timespec *abs)
{
	COND_WAIT(c, m, trace_real.cond_clockwait(c, m, clk, abs));
}

TRACE_EXPORT int pthread_cond_signal(pthread_cond_t *c)
{
	trace_ready();
	return trace_real.cond_signal(c);
}

TRACE_EXPORT int pthread_cond_broadcast(pthread_cond_t *c)
{
	trace_ready();
	return trace_real.cond_broadcast(c);
}

TRACE_EXPORT int pthread_cond_init(pthread_cond_t *c, const pthread_condattr_t *a)
{
	trace_ready();
	trace_lock_forget(c);
	return trace_real.cond_init(c, a);
}

TRACE_EXPORT int pthread_cond_destroy(pthread_cond_t *c)
{
	trace_ready();
	trace_lock_forget(c);
	return trace_real.cond_destroy(c);
}
