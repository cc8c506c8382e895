/* cm_mutex.c - instrumented mutexes (plain and recursive) and condition
 * variables. An uncontended lock+unlock must cost at most 1.5x a bare
 * pthread one (tests/bench/probe_overhead.c): the fast path has no locked
 * instruction of its own and reads no clock on most acquisitions. */
#include "probe.h"

#include <errno.h>
#include <pthread.h>
#include <string.h>

#include "cmprobe.h"

/* Hold times use the coarse clock (one tick is several ms), and after a
 * hold that lasted less than a tick the next HOLD_SKIP uncontended holds
 * are not timed: the next timed one then counts for all of them. The total
 * stays unbiased on average, hot loops pay for one clock read in 64, and
 * long holds (what a student watches) are timed every time. */
#define HOLD_SKIP 63

struct cm_mutex {
	pthread_mutex_t mtx;
	struct cm_lock_rec *rec;        /* published slot, or &local */
	unsigned slot;
	int flags;
	bool recursive;
	struct probe_obj obj;           /* private ones: forgotten by forked children */
	/* Changed only by the holder, with mtx held. */
	unsigned depth, skip, untimed;
	bool timed;
	uint64_t hold_start;            /* coarse ns */
	struct cm_lock_rec local;
};

struct cm_cond {
	pthread_cond_t cond;
	struct cm_lock_rec *rec;
	unsigned slot;
	int flags;
	struct probe_obj obj;
	struct cm_lock_rec local;
};

static void check(int rc, const char *what, const char *name)
{
	if (rc)
		probe_fatal("%s(\"%s\"): %s", what, name, strerror(rc));
}

static inline void hold_begin(struct cm_mutex *m)
{
	if (m->skip) {
		m->skip--;
		m->timed = false;
	} else {
		m->timed = true;
		m->hold_start = probe_coarse_ns();
	}
}

static inline void hold_end(struct cm_mutex *m, struct cm_lock_rec *r)
{
	if (!m->timed) {
		m->untimed++;
		return;
	}
	uint64_t held = probe_coarse_ns() - m->hold_start;
	BUMP(r->hold_ns_total, held * (m->untimed + 1u));
	m->untimed = 0;
	m->skip = held ? 0 : HOLD_SKIP;
}

/* Bookkeeping of an outermost acquisition, mtx held. */
static inline void taken(struct cm_mutex *m, struct cm_lock_rec *r, pid_t me)
{
	m->depth = 1;
	RST(r->holders[0], me);
	if (m->recursive)
		RST(r->depth, 1u);
	BUMP(r->acquisitions, 1u);
	hold_begin(m);
}

/* Bookkeeping of an outermost release, mtx still held. */
static inline void released(struct cm_mutex *m, struct cm_lock_rec *r)
{
	hold_end(m, r);
	m->depth = 0;
	if (m->recursive)
		RST(r->depth, 0u);
	RST(r->holders[0], 0);
}

/* The lock is (or looks) taken: publish the wait, then block. A plain mutex
 * locked again by its holder blocks forever, visibly waiting on itself. */
static void lock_slow(struct cm_mutex *m, struct cm_lock_rec *r, pid_t me)
{
	atomic_fetch_add_explicit(&r->waiters, 1, memory_order_relaxed);
	probe_wait_begin(CM_WAIT_LOCK, m->slot);
	uint64_t t0 = probe_now_ns();
	check(pthread_mutex_lock(&m->mtx), "cm_mutex_lock", m->local.name);
	uint64_t waited = probe_now_ns() - t0;
	probe_wait_end();
	atomic_fetch_sub_explicit(&r->waiters, 1, memory_order_relaxed);
	BUMP(r->contended, 1u);
	BUMP(r->wait_ns_total, waited);
	if (waited > RLD(r->wait_ns_max))
		RST(r->wait_ns_max, waited);
	m->skip = 0;
	taken(m, r, me);
}

/* The holder locks a recursive mutex again. */
static void relock(struct cm_mutex *m, struct cm_lock_rec *r)
{
	check(pthread_mutex_lock(&m->mtx), "cm_mutex_lock", m->local.name);
	RST(r->depth, ++m->depth);
}

void cm_mutex_lock(struct cm_mutex *m)
{
	struct cm_lock_rec *r = m->rec;
	pid_t me = probe_tid();
	if (__builtin_expect(RLD(r->holders[0]) == me, 0)) {
		if (m->recursive)
			relock(m, r);
		else
			lock_slow(m, r, me);
		return;
	}
	if (probe_alone(m->flags)) {
		/* Nobody else exists to hold it: glibc locks without atomics. */
		check(pthread_mutex_lock(&m->mtx), "cm_mutex_lock", m->local.name);
	} else if (pthread_mutex_trylock(&m->mtx) != 0) {
		lock_slow(m, r, me);
		return;
	}
	taken(m, r, me);
}

bool cm_mutex_trylock(struct cm_mutex *m)
{
	struct cm_lock_rec *r = m->rec;
	pid_t me = probe_tid();
	if (RLD(r->holders[0]) == me) {
		if (!m->recursive)
			return false;
		relock(m, r);
		return true;
	}
	int rc = pthread_mutex_trylock(&m->mtx);
	if (rc == EBUSY)
		return false;
	check(rc, "cm_mutex_trylock", m->local.name);
	taken(m, r, me);
	return true;
}

void cm_mutex_unlock(struct cm_mutex *m)
{
	struct cm_lock_rec *r = m->rec;
	if (__builtin_expect(RLD(r->holders[0]) != probe_tid(), 0))
		probe_fatal("cm_mutex_unlock(\"%s\"): not held by this thread", m->local.name);
	if (m->depth > 1)
		RST(r->depth, --m->depth);
	else
		released(m, r);
	check(pthread_mutex_unlock(&m->mtx), "cm_mutex_unlock", m->local.name);
}

static void mutex_detach(struct probe_obj *o, pid_t old_tid, pid_t new_tid)
{
	struct cm_mutex *m = (struct cm_mutex *)((char *)o - offsetof(struct cm_mutex, obj));
	probe_lock_detach(&m->rec, &m->slot, &m->local, old_tid, new_tid);
}

struct cm_mutex *cm_mutex_new(const char *name, bool recursive, int flags)
{
	cm_init();
	struct cm_mutex *m = probe_alloc(sizeof *m, flags);
	pthread_mutexattr_t a;
	pthread_mutexattr_init(&a);
	pthread_mutexattr_settype(&a, recursive ? PTHREAD_MUTEX_RECURSIVE : PTHREAD_MUTEX_NORMAL);
	if (flags & CM_SHARED)
		pthread_mutexattr_setpshared(&a, PTHREAD_PROCESS_SHARED);
	check(pthread_mutex_init(&m->mtx, &a), "cm_mutex_new", name ? name : "");
	pthread_mutexattr_destroy(&a);
	m->flags = flags;
	m->recursive = recursive;
	m->rec = probe_lock_publish(&m->local, &m->slot, name,
				    recursive ? CM_LOCK_RECURSIVE : CM_LOCK_MUTEX, 0, flags);
	if (!(flags & CM_SHARED))
		probe_obj_add(&m->obj, mutex_detach);
	return m;
}

void cm_mutex_free(struct cm_mutex *m)
{
	if (!m)
		return;
	if (!(m->flags & CM_SHARED))
		probe_obj_del(&m->obj);
	probe_lock_unpublish(m->rec, &m->local);
	pthread_mutex_destroy(&m->mtx);
	probe_dealloc(m, sizeof *m, m->flags);
}

/* ---- condition variables ---- */

void cm_cond_wait(struct cm_cond *c, struct cm_mutex *m)
{
	struct cm_lock_rec *mr = m->rec, *cr = c->rec;
	pid_t me = probe_tid();
	if (RLD(mr->holders[0]) != me || m->depth != 1)
		probe_fatal("cm_cond_wait(\"%s\"): mutex \"%s\" not held (once) by this thread",
			    c->local.name, m->local.name);
	released(m, mr);
	atomic_fetch_add_explicit(&cr->waiters, 1, memory_order_relaxed);
	probe_wait_begin(CM_WAIT_LOCK, c->slot);
	uint64_t t0 = probe_now_ns();
	int rc = pthread_cond_wait(&c->cond, &m->mtx);
	uint64_t waited = probe_now_ns() - t0;
	probe_wait_end();
	atomic_fetch_sub_explicit(&cr->waiters, 1, memory_order_relaxed);
	check(rc, "cm_cond_wait", c->local.name);
	atomic_fetch_add_explicit(&cr->acquisitions, 1, memory_order_relaxed);
	atomic_fetch_add_explicit(&cr->wait_ns_total, waited, memory_order_relaxed);
	probe_max(&cr->wait_ns_max, waited);
	m->skip = 0;
	taken(m, mr, me);
}

void cm_cond_signal(struct cm_cond *c)
{
	check(pthread_cond_signal(&c->cond), "cm_cond_signal", c->local.name);
}

void cm_cond_broadcast(struct cm_cond *c)
{
	check(pthread_cond_broadcast(&c->cond), "cm_cond_broadcast", c->local.name);
}

static void cond_detach(struct probe_obj *o, pid_t old_tid, pid_t new_tid)
{
	struct cm_cond *c = (struct cm_cond *)((char *)o - offsetof(struct cm_cond, obj));
	probe_lock_detach(&c->rec, &c->slot, &c->local, old_tid, new_tid);
}

struct cm_cond *cm_cond_new(const char *name, int flags)
{
	cm_init();
	struct cm_cond *c = probe_alloc(sizeof *c, flags);
	pthread_condattr_t a;
	pthread_condattr_init(&a);
	if (flags & CM_SHARED)
		pthread_condattr_setpshared(&a, PTHREAD_PROCESS_SHARED);
	check(pthread_cond_init(&c->cond, &a), "cm_cond_new", name ? name : "");
	pthread_condattr_destroy(&a);
	c->flags = flags;
	c->rec = probe_lock_publish(&c->local, &c->slot, name, CM_LOCK_CONDITION, 0, flags);
	if (!(flags & CM_SHARED))
		probe_obj_add(&c->obj, cond_detach);
	return c;
}

void cm_cond_free(struct cm_cond *c)
{
	if (!c)
		return;
	if (!(c->flags & CM_SHARED))
		probe_obj_del(&c->obj);
	probe_lock_unpublish(c->rec, &c->local);
	pthread_cond_destroy(&c->cond);
	probe_dealloc(c, sizeof *c, c->flags);
}
