/* trace_mutex.c - the wrapped pthread mutexes, read-write locks and
 * condition variables. A lock is taken with the real trylock first: when
 * that works (uncontended) the bookkeeping is a few relaxed stores into the
 * lock's record; only a failed trylock publishes the lock and the wait,
 * reads the clock and blocks in the real call. A read-write lock is shown
 * as a mutex whose holder is its writer, or one of its readers. */
#include "trace.h"

#include <errno.h>

/* The mutex type glibc keeps in the mutex (static initializers too). */
#define KIND_MASK 3
#define KIND_PSHARED 128

static enum cm_lock_kind mutex_kind(const pthread_mutex_t *m)
{
	return (m->__data.__kind & KIND_MASK) == PTHREAD_MUTEX_RECURSIVE_NP ? CM_LOCK_RECURSIVE
									  : CM_LOCK_MUTEX;
}

static inline struct cm_lock_rec *rec_of(struct trace_lock *lk)
{
	return atomic_load_explicit(&lk->rec, memory_order_acquire);
}

/* me now holds lk (an outermost or a recursive acquisition). */
static inline void mutex_taken(struct trace_lock *lk, pid_t me)
{
	struct cm_lock_rec *r = rec_of(lk);
	if (lk->kind == CM_LOCK_RECURSIVE) {
		if (RLD(r->holders[0]) == me) {
			RST(r->depth, ++lk->depth);
			return;
		}
		lk->depth = 1;
		RST(r->depth, 1u);
	}
	RST(r->holders[0], me);
	BUMP(r->acquisitions, 1u);
	if (__builtin_expect(r != &lk->local, 0))
		lk->hold_start = probe_coarse_ns();
}

/* me lets go of lk once (levels: all of a recursive one, for cond waits);
 * returns the depth it had. */
static inline unsigned mutex_released(struct trace_lock *lk, pid_t me, bool all)
{
	struct cm_lock_rec *r = rec_of(lk);
	if (RLD(r->holders[0]) != me)
		return 0;
	unsigned depth = lk->depth;
	if (lk->kind == CM_LOCK_RECURSIVE && depth > 1 && !all) {
		RST(r->depth, --lk->depth);
		return depth;
	}
	if (__builtin_expect(lk->hold_start != 0, 0)) {
		BUMP(r->hold_ns_total, probe_coarse_ns() - lk->hold_start);
		lk->hold_start = 0;
	}
	if (lk->kind == CM_LOCK_RECURSIVE) {
		lk->depth = 0;
		RST(r->depth, 0u);
	}
	RST(r->holders[0], 0);
	return depth;
}

/* Blocks in call (a real locking function, its result rc) with the wait
 * published; ok: what counts as acquired. Keeps errno from the call. */
#define BLOCK(lk, rc, ok, call) do { \
		struct cm_lock_rec *r_ = trace_publish(lk); \
		uint64_t t0_ = trace_wait_begin(lk, r_); \
		rc = call; \
		int e_ = errno; \
		trace_wait_end(r_, t0_, ok); \
		errno = e_; \
	} while (0)

#define LOCKED(rc) ((rc) == 0 || (rc) == EOWNERDEAD)

TRACE_EXPORT int pthread_mutex_lock(pthread_mutex_t *m)
{
	trace_ready();
	struct trace_lock *lk = trace_lock_find(m, TRACE_SITE(), mutex_kind(m));
	if (!lk)
		return trace_real.mutex_lock(m);
	pid_t me = probe_tid();
	int rc;
	/* Alone, locking cannot block unless we hold it already: the real lock
	 * then needs no atomics, where trylock would. */
	if (probe_alone(m->__data.__kind & KIND_PSHARED ? CM_SHARED : CM_PRIVATE) &&
	    RLD(rec_of(lk)->holders[0]) != me)
		rc = trace_real.mutex_lock(m);
	else if ((rc = trace_real.mutex_trylock(m)) == EBUSY)
		BLOCK(lk, rc, LOCKED(rc), trace_real.mutex_lock(m));
	if (LOCKED(rc))
		mutex_taken(lk, me);
	return rc;
}

TRACE_EXPORT int pthread_mutex_trylock(pthread_mutex_t *m)
{
	trace_ready();
	struct trace_lock *lk = trace_lock_find(m, TRACE_SITE(), mutex_kind(m));
	int rc = trace_real.mutex_trylock(m);
	if (lk && LOCKED(rc))
		mutex_taken(lk, probe_tid());
	return rc;
}

TRACE_EXPORT int pthread_mutex_timedlock(pthread_mutex_t *m, const struct timespec *abs)
{
	trace_ready();
	struct trace_lock *lk = trace_lock_find(m, TRACE_SITE(), mutex_kind(m));
	int rc = trace_real.mutex_trylock(m);
	if (!lk)
		return rc == EBUSY ? trace_real.mutex_timedlock(m, abs) : rc;
	if (rc == EBUSY)
		BLOCK(lk, rc, LOCKED(rc), trace_real.mutex_timedlock(m, abs));
	if (LOCKED(rc))
		mutex_taken(lk, probe_tid());
	return rc;
}

TRACE_EXPORT int pthread_mutex_clocklock(pthread_mutex_t *m, clockid_t clk, const struct timespec *abs)
{
	trace_ready();
	struct trace_lock *lk = trace_lock_find(m, TRACE_SITE(), mutex_kind(m));
	int rc = trace_real.mutex_trylock(m);
	if (!lk)
		return rc == EBUSY ? trace_real.mutex_clocklock(m, clk, abs) : rc;
	if (rc == EBUSY)
		BLOCK(lk, rc, LOCKED(rc), trace_real.mutex_clocklock(m, clk, abs));
	if (LOCKED(rc))
		mutex_taken(lk, probe_tid());
	return rc;
}

TRACE_EXPORT int pthread_mutex_unlock(pthread_mutex_t *m)
{
	trace_ready();
	struct trace_lock *lk = trace_lock_find(m, 0, 0);
	if (lk)
		mutex_released(lk, probe_tid(), false);
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
		if (rc == EBUSY && lk) \
			BLOCK(lk, rc, rc == 0, call); \
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
		struct trace_lock *ml = trace_lock_find(m, TRACE_SITE(), mutex_kind(m)); \
		pid_t me = probe_tid(); \
		unsigned depth = ml ? mutex_released(ml, me, true) : 0; \
		int rc; \
		if (cl) \
			BLOCK(cl, rc, true, call); \
		else \
			rc = call; \
		if (cl) \
			atomic_fetch_add_explicit(&rec_of(cl)->acquisitions, 1, memory_order_relaxed); \
		if (ml && depth) { \
			mutex_taken(ml, me); \
			if (depth > 1) \
				RST(rec_of(ml)->depth, ml->depth = depth); \
		} \
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
