/* cm_mutex.c - instrumented mutexes (plain and recursive) and condition
 * variables. An uncontended lock+unlock must cost at most 1.5x a bare
 * pthread one (tests/bench/probe_overhead.c): the fast path has no locked
 * instruction of its own and reads no clock on most acquisitions. */
#include "probe.h"

#include <errno.h>
#include <pthread.h>
#include <string.h>
#include <unistd.h>

#include "concmon/cmprobe.h"

/* Hold times use the coarse clock (one tick is several ms: a hold reads as
 * a whole number of ticks, right on average). While holds last a tick or
 * more every one is timed; after a shorter one, only every HOLD_SAMPLE-th
 * acquisition is (and contended ones, whose clock reads are paid already),
 * and a timed hold counts for all acquisitions since the last timed one.
 * So the total is an estimate for short holds (a hot loop pays for one
 * clock read in 64) and exact to a tick for the long holds a student
 * watches. An untimed hold costs a test of the acquisition count. */
#define HOLD_SAMPLE 64

/* What the fast paths test, a byte each: kind is fixed at creation (read
 * before locking), timing belongs to the holder. */
enum {
	KIND_RECURSIVE = 1,
	KIND_SHARED = 2,
};
enum {
	TIMING_EVERY = 1,       /* time every hold (the last timed one was long) */
	TIMING_NOW = 2,         /* the current hold is being timed */
};

struct cm_mutex {
	struct probe_lock lk;           /* first: record, slot, allocation */
	pthread_mutex_t mtx;
	unsigned char kind;             /* KIND_* */
	unsigned char timing;           /* TIMING_*, changed only with mtx held */
	/* Changed only by the holder, with mtx held. */
	unsigned depth;                 /* recursive ones only */
	uint64_t last_timed;            /* acquisition count at the last timed hold */
	uint64_t weight;                /* acquisitions the current timed hold stands for */
	uint64_t hold_start;            /* coarse ns */
};

struct cm_cond {
	struct probe_lock lk;           /* first */
	pthread_cond_t cond;
};

static void check(int rc, const char *what, const char *name)
{
	if (rc)
		probe_fatal("%s(\"%s\"): %s", what, name, strerror(rc));
}

/* Out of line: the fast paths then need no stack frame. */
__attribute__((noinline)) static void hold_clock_start(struct cm_mutex *m, uint64_t acq)
{
	m->weight = acq > m->last_timed ? acq - m->last_timed : 1;
	m->last_timed = acq;
	m->timing |= TIMING_NOW;
	m->hold_start = probe_coarse_ns();
}

__attribute__((noinline)) static void hold_clock_stop(struct cm_mutex *m, struct cm_lock_rec *r)
{
	uint64_t held = probe_coarse_ns() - m->hold_start;
	BUMP(r->hold_ns_total, held * m->weight);
	m->timing = held ? TIMING_EVERY : 0;
}

/* Books an outermost acquisition (mtx held, or about to be with nobody
 * else around); true when this hold is to be timed. */
static inline bool book(struct cm_mutex *m, struct cm_lock_rec *r, pid_t me, uint64_t *acq)
{
	RST(r->holders[0], me);
	if (m->kind & KIND_RECURSIVE) {
		m->depth = 1;
		RST(r->depth, 1u);
	}
	*acq = RLD(r->acquisitions) + 1;
	RST(r->acquisitions, *acq);
	return (m->timing & TIMING_EVERY) || *acq % HOLD_SAMPLE == 0;
}

/* Bookkeeping of an outermost acquisition, mtx held; timed: whatever the
 * sampling says. */
static inline void taken(struct cm_mutex *m, struct cm_lock_rec *r, pid_t me, bool timed)
{
	uint64_t acq;
	if (book(m, r, me, &acq) || timed)
		hold_clock_start(m, acq);
}

/* Bookkeeping of an outermost release, mtx still held. */
static inline void released(struct cm_mutex *m, struct cm_lock_rec *r)
{
	if (m->timing & TIMING_NOW)
		hold_clock_stop(m, r);
	if (m->kind & KIND_RECURSIVE) {
		m->depth = 0;
		RST(r->depth, 0u);
	}
	RST(r->holders[0], 0);
}

/* What a plain mutex does when its holder locks it again; robust ones
 * (the shared ones) report EDEADLK instead, so do it here. */
__attribute__((noinline, noreturn)) static void wait_on_self(void)
{
	for (;;)
		pause();
}

/* Checks what locking m returned; a holder that died leaves m as it was
 * at its death, so the bookkeeping a new holder overwrites is all there
 * is to repair (depth, for a recursive one, comes back as 1 from glibc). */
static void locked(struct cm_mutex *m, int rc, const char *what)
{
	if (probe_pthread_locked(rc, &m->mtx, what, m->lk.local->name))
		m->timing = 0;
}

/* The lock is (or looks) taken: publish the wait, then block. A plain mutex
 * locked again by its holder blocks forever, visibly waiting on itself. */
__attribute__((noinline)) static void lock_slow(struct cm_mutex *m, struct cm_lock_rec *r, pid_t me)
{
	atomic_fetch_add_explicit(&r->waiters, 1, memory_order_relaxed);
	probe_wait_begin(CM_WAIT_LOCK, m->lk.slot);
	uint64_t t0 = probe_now_ns();
	int rc = pthread_mutex_lock(&m->mtx);
	if (rc == EDEADLK)              /* a robust (shared) one relocked by its holder */
		wait_on_self();
	locked(m, rc, "cm_mutex_lock");
	uint64_t waited = probe_now_ns() - t0;
	probe_wait_end();
	atomic_fetch_sub_explicit(&r->waiters, 1, memory_order_relaxed);
	BUMP(r->contended, 1u);
	BUMP(r->wait_ns_total, waited);
	if (waited > RLD(r->wait_ns_max))
		RST(r->wait_ns_max, waited);
	taken(m, r, me, true);
}

/* The holder locks it again: deeper if recursive, a self-deadlock if not. */
__attribute__((noinline)) static void lock_again(struct cm_mutex *m, struct cm_lock_rec *r, pid_t me)
{
	if (!(m->kind & KIND_RECURSIVE)) {
		lock_slow(m, r, me);
		return;
	}
	check(pthread_mutex_lock(&m->mtx), "cm_mutex_lock", m->lk.local->name);
	RST(r->depth, ++m->depth);
}

/* Other threads or processes may hold it: try, and wait if that fails. */
__attribute__((noinline)) static void lock_shared(struct cm_mutex *m, struct cm_lock_rec *r, pid_t me)
{
	int rc = pthread_mutex_trylock(&m->mtx);
	if (rc == EBUSY) {
		lock_slow(m, r, me);
		return;
	}
	locked(m, rc, "cm_mutex_lock");
	taken(m, r, me, false);
}

/* Alone and timing this hold (out of line: see lock_first). */
__attribute__((noinline)) static void lock_alone_timed(struct cm_mutex *m, uint64_t acq)
{
	hold_clock_start(m, acq);
	pthread_mutex_lock(&m->mtx);
}

/* A thread's first lock: learn its TID (out of line, so that the fast
 * path below needs no stack frame). */
__attribute__((noinline)) static void lock_first(struct cm_mutex *m)
{
	probe_tid_slow();
	cm_mutex_lock(m);
}

void cm_mutex_lock(struct cm_mutex *m)
{
	struct cm_lock_rec *r = m->lk.rec;
	pid_t me = probe_tls_tid;
	if (__builtin_expect(me == 0, 0)) {
		lock_first(m);
		return;
	}
	if (__builtin_expect(RLD(r->holders[0]) == me, 0)) {
		lock_again(m, r, me);
		return;
	}
	if (!probe_alone(m->kind & KIND_SHARED ? CM_SHARED : CM_PRIVATE)) {
		lock_shared(m, r, me);
		return;
	}
	/* Nobody else exists to hold it, so locking cannot block: book the
	 * acquisition first and end in pthread (glibc locks without atomics
	 * here; so must we, to stay within budget). */
	uint64_t acq;
	if (book(m, r, me, &acq)) {
		lock_alone_timed(m, acq);
		return;
	}
	pthread_mutex_lock(&m->mtx);
}

bool cm_mutex_trylock(struct cm_mutex *m)
{
	struct cm_lock_rec *r = m->lk.rec;
	pid_t me = probe_tid();
	if (RLD(r->holders[0]) == me) {
		if (!(m->kind & KIND_RECURSIVE))
			return false;
		lock_again(m, r, me);
		return true;
	}
	int rc = pthread_mutex_trylock(&m->mtx);
	if (rc == EBUSY)
		return false;
	locked(m, rc, "cm_mutex_trylock");
	taken(m, r, me, false);
	return true;
}

__attribute__((noinline, noreturn)) static void not_held(const struct cm_mutex *m)
{
	probe_fatal("cm_mutex_unlock(\"%s\"): not held by this thread", m->lk.local->name);
}

/* Unlock when there is more to do than the fast path does: an inner
 * level of a recursive lock, or a timed hold. */
__attribute__((noinline)) static void unlock_slow(struct cm_mutex *m, struct cm_lock_rec *r)
{
	if ((m->kind & KIND_RECURSIVE) && m->depth > 1)
		RST(r->depth, --m->depth);
	else
		released(m, r);
	pthread_mutex_unlock(&m->mtx);
}

/* Ends in pthread_mutex_unlock, whose one error (EPERM: not the owner,
 * for recursive mutexes) the holder check rules out. */
void cm_mutex_unlock(struct cm_mutex *m)
{
	struct cm_lock_rec *r = m->lk.rec;
	/* A thread that never locked has no TID cached: 0, never a holder. */
	if (__builtin_expect(RLD(r->holders[0]) != probe_tls_tid || probe_tls_tid == 0, 0))
		not_held(m);
	if (__builtin_expect((m->kind & KIND_RECURSIVE) || (m->timing & TIMING_NOW), 0)) {
		unlock_slow(m, r);
		return;
	}
	RST(r->holders[0], 0);  /* a plain mutex, an untimed hold */
	pthread_mutex_unlock(&m->mtx);
}

/* In a forked child a private mutex is a copy: it stops publishing, and
 * sampling starts again from its local record. */
static void mutex_forked(struct probe_obj *o, pid_t old_tid, pid_t new_tid)
{
	struct cm_mutex *m = (struct cm_mutex *)o;
	probe_lock_forked(o, old_tid, new_tid);
	m->last_timed = RLD(m->lk.local->acquisitions);
}

struct cm_mutex *cm_mutex_new(const char *name, bool recursive, int flags)
{
	struct cm_mutex *m = probe_lock_new(sizeof *m, name,
					    recursive ? CM_LOCK_RECURSIVE : CM_LOCK_MUTEX, 0, flags);
	probe_pthread_mutex_init(&m->mtx, recursive ? PTHREAD_MUTEX_RECURSIVE : PTHREAD_MUTEX_NORMAL,
				 flags, name);
	m->kind = (unsigned char)((recursive ? KIND_RECURSIVE : 0) |
				  (flags & CM_SHARED ? KIND_SHARED : 0));
	m->timing = TIMING_EVERY;       /* until a hold is shorter than a tick */
	probe_object_ready(m, mutex_forked);
	return m;
}

void cm_mutex_free(struct cm_mutex *m)
{
	if (!m)
		return;
	pthread_mutex_destroy(&m->mtx);
	probe_lock_free(m);
}

/* ---- condition variables ---- */

void cm_cond_wait(struct cm_cond *c, struct cm_mutex *m)
{
	struct cm_lock_rec *mr = m->lk.rec, *cr = c->lk.rec;
	pid_t me = probe_tid();
	if (RLD(mr->holders[0]) != me || ((m->kind & KIND_RECURSIVE) && m->depth != 1))
		probe_fatal("cm_cond_wait(\"%s\"): mutex \"%s\" not held (once) by this thread",
			    c->lk.local->name, m->lk.local->name);
	released(m, mr);
	atomic_fetch_add_explicit(&cr->waiters, 1, memory_order_relaxed);
	probe_wait_begin(CM_WAIT_LOCK, c->lk.slot);
	uint64_t t0 = probe_now_ns();
	int rc = pthread_cond_wait(&c->cond, &m->mtx);
	uint64_t waited = probe_now_ns() - t0;
	probe_wait_end();
	atomic_fetch_sub_explicit(&cr->waiters, 1, memory_order_relaxed);
	locked(m, rc, "cm_cond_wait");
	atomic_fetch_add_explicit(&cr->acquisitions, 1, memory_order_relaxed);
	atomic_fetch_add_explicit(&cr->wait_ns_total, waited, memory_order_relaxed);
	probe_max(&cr->wait_ns_max, waited);
	taken(m, mr, me, true);
}

void cm_cond_signal(struct cm_cond *c)
{
	check(pthread_cond_signal(&c->cond), "cm_cond_signal", c->lk.local->name);
}

void cm_cond_broadcast(struct cm_cond *c)
{
	check(pthread_cond_broadcast(&c->cond), "cm_cond_broadcast", c->lk.local->name);
}

struct cm_cond *cm_cond_new(const char *name, int flags)
{
	struct cm_cond *c = probe_lock_new(sizeof *c, name, CM_LOCK_CONDITION, 0, flags);
	probe_pthread_cond_init(&c->cond, flags, name);
	probe_object_ready(c, NULL);
	return c;
}

void cm_cond_free(struct cm_cond *c)
{
	if (!c)
		return;
	probe_pthread_cond_destroy(&c->cond, c->lk.head.flags);
	probe_lock_free(c);
}
