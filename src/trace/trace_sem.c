/* trace_sem.c - the wrapped POSIX semaphores. A semaphore made with
 * permits (sem_init value >= 1) is a lock: a thread that takes a permit is
 * listed as a holder until it posts one back, so that CPython's
 * threading.Lock (a sem_t of value 1) shows who holds it and a two-Lock
 * deadlock is a cycle. One made empty is a signal: it lists no holders
 * (a consumer that took a posted item holds nothing). A holder that blocks
 * on its own semaphore stops being one: that is how CPython's Condition
 * waits (its waiter lock, taken twice, is released by the notifier), so
 * a Lock acquired twice by one thread is not seen as a self-deadlock. */
#include "trace.h"

#include <errno.h>

static inline struct cm_lock_rec *rec_of(struct trace_lock *lk)
{
	return atomic_load_explicit(&lk->rec, memory_order_acquire);
}

/* The value is only shown once published (the publishing wait reads it). */
static void sem_value(struct trace_lock *lk, struct cm_lock_rec *r, sem_t *s)
{
	int v;
	if (r != &lk->local && sem_getvalue(s, &v) == 0 && v >= 0)
		RST(r->value, (uint32_t)v);
}

/* A semaphore of one permit is a lock: the semaphore orders its holders
 * (sem_post releases, sem_wait acquires), so plain stores do, as for a
 * mutex. More permits: several holders at once, atomics. */
static void sem_taken(struct trace_lock *lk, sem_t *s, pid_t me)
{
	struct cm_lock_rec *r = rec_of(lk);
	if (lk->permits == 1) {
		BUMP(r->acquisitions, 1u);
		RST(r->holder_count, 1u);
		RST(r->holders[0], me);
	} else {
		atomic_fetch_add_explicit(&r->acquisitions, 1, memory_order_relaxed);
	}
	if (lk->permits > 1) {
		atomic_fetch_add_explicit(&r->holder_count, 1, memory_order_relaxed);
		for (unsigned h = 0; h < CM_MAX_HOLDERS; h++) {
			int32_t none = 0;
			if (atomic_compare_exchange_strong_explicit(&r->holders[h], &none, me,
								    memory_order_relaxed,
								    memory_order_relaxed))
				break;
		}
	}
	sem_value(lk, r, s);
}

static void count_down(struct cm_lock_rec *r)
{
	uint32_t n = RLD(r->holder_count);
	while (n && !atomic_compare_exchange_weak_explicit(&r->holder_count, &n, n - 1,
							   memory_order_relaxed, memory_order_relaxed))
		;
}

/* Takes me off lk's holders; false when it was not listed. */
static bool unlist(struct cm_lock_rec *r, pid_t me)
{
	for (unsigned h = 0; h < CM_MAX_HOLDERS; h++) {
		int32_t was = me;
		if (atomic_compare_exchange_strong_explicit(&r->holders[h], &was, 0,
							    memory_order_relaxed, memory_order_relaxed))
			return true;
	}
	return false;
}

/* me gives a permit back (blocking: only one it holds). Of a one-permit
 * semaphore, any post frees it, whoever took it (CPython's Condition). */
static void sem_released(struct trace_lock *lk, pid_t me, bool blocking)
{
	if (!lk->permits)
		return;
	struct cm_lock_rec *r = rec_of(lk);
	if (lk->permits == 1) {
		if (!blocking || RLD(r->holders[0]) == me) {
			RST(r->holders[0], 0);
			RST(r->holder_count, 0u);
		}
		return;
	}
	if (unlist(r, me) || !blocking)
		count_down(r);
}

TRACE_EXPORT int sem_init(sem_t *s, int pshared, unsigned value)
{
	trace_ready();
	trace_lock_forget(s);
	int rc = trace_real.sem_init(s, pshared, value);
	struct trace_lock *lk = rc == 0 ? trace_lock_find(s, TRACE_SITE(), CM_LOCK_SEMAPHORE) : NULL;
	if (lk && value <= CM_PERMITS_MAX) {
		lk->permits = value;
		RST(lk->local.permits, value);
		RST(lk->local.value, value);
	}
	return rc;
}

TRACE_EXPORT int sem_destroy(sem_t *s)
{
	trace_ready();
	trace_lock_forget(s);
	return trace_real.sem_destroy(s);
}

/* A permit could not be had at once: publish, then block in call. */
#define SEM_BLOCK(s, lk, me, call) do { \
		sem_released(lk, me, true); \
		struct cm_lock_rec *r_ = trace_publish(lk); \
		sem_value(lk, r_, s); \
		uint64_t t0_ = trace_wait_begin(lk, r_); \
		int rc_ = call; \
		int e_ = errno; \
		trace_wait_end(r_, t0_, rc_ == 0); \
		if (rc_ == 0) \
			sem_taken(lk, s, me); \
		errno = e_; \
		return rc_; \
	} while (0)

#define SEM_WRAP(fn, call, ...) \
	TRACE_EXPORT int fn(sem_t *s, ##__VA_ARGS__) \
	{ \
		trace_ready(); \
		struct trace_lock *lk = trace_lock_find(s, TRACE_SITE(), CM_LOCK_SEMAPHORE); \
		int saved = errno; \
		if (!lk) \
			return call; \
		pid_t me = probe_tid(); \
		if (trace_real.sem_trywait(s) == 0) { \
			sem_taken(lk, s, me); \
			return 0; \
		} \
		if (errno != EAGAIN) \
			return -1; \
		errno = saved; \
		SEM_BLOCK(s, lk, me, call); \
	}

SEM_WRAP(sem_wait, trace_real.sem_wait(s))
SEM_WRAP(sem_timedwait, trace_real.sem_timedwait(s, abs), const struct timespec *abs)
SEM_WRAP(sem_clockwait, trace_real.sem_clockwait(s, clk, abs), clockid_t clk,
	 const struct timespec *abs)

TRACE_EXPORT int sem_trywait(sem_t *s)
{
	trace_ready();
	struct trace_lock *lk = trace_lock_find(s, TRACE_SITE(), CM_LOCK_SEMAPHORE);
	int rc = trace_real.sem_trywait(s);
	if (lk && rc == 0)
		sem_taken(lk, s, probe_tid());
	return rc;
}

TRACE_EXPORT int sem_post(sem_t *s)
{
	trace_ready();
	struct trace_lock *lk = trace_lock_find(s, 0, 0);
	if (lk)
		sem_released(lk, probe_tid(), false);
	int rc = trace_real.sem_post(s);
	int e = errno;
	if (lk)
		sem_value(lk, rec_of(lk), s);
	errno = e;
	return rc;
}
