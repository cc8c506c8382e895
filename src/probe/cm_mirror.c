/* cm_mirror.c - publishing-only locks and queues: records of objects that
 * live elsewhere (a language runtime's own locks and queues, wrapped by the
 * Python layer). Nothing here blocks or locks: the caller does the real
 * operation and reports each step, so the wrapped object keeps its own
 * semantics (timeouts, a Lock released by another thread) while concmon
 * sees holders, waiters and depth like a probe object's. */
#include "probe.h"

#include "concmon/cmprobe.h"

_Static_assert((int)CM_MIRROR_MUTEX == (int)CM_LOCK_MUTEX &&
	       (int)CM_MIRROR_RECURSIVE == (int)CM_LOCK_RECURSIVE &&
	       (int)CM_MIRROR_SEMAPHORE == (int)CM_LOCK_SEMAPHORE &&
	       (int)CM_MIRROR_CONDITION == (int)CM_LOCK_CONDITION &&
	       (int)CM_MIRROR_EVENT == (int)CM_LOCK_EVENT, "mirror kinds are lock kinds");

#define ADD(x, n) atomic_fetch_add_explicit(&(x), (n), memory_order_relaxed)

struct cm_mirror {
	struct probe_lock lk;           /* first: record, slot, allocation */
	unsigned kind;                  /* enum cm_lock_kind */
	_Atomic uint64_t hold_start;    /* mutexes: when the current holder took it, ns */
};

struct cm_qmirror {
	struct probe_head ph;           /* first */
	struct cm_queue_rec *rec;       /* published slot, or &local */
	unsigned slot;
	struct cm_queue_rec local;
};

/* What the calling thread reported it blocks on (one thing at a time). */
static _Thread_local const void *tls_wait_on;
static _Thread_local uint64_t tls_wait_t0;

/* Lowers x by n, not below 0 (several writers). */
static void sub_floor(_Atomic uint32_t *x, uint32_t n)
{
	uint32_t v = atomic_load_explicit(x, memory_order_relaxed);
	while (!atomic_compare_exchange_weak_explicit(x, &v, v > n ? v - n : 0,
						      memory_order_relaxed, memory_order_relaxed))
		;
}

/* Raises x by n, not above max. */
static void add_cap(_Atomic uint64_t *x, uint64_t n, uint64_t max)
{
	uint64_t v = atomic_load_explicit(x, memory_order_relaxed);
	while (!atomic_compare_exchange_weak_explicit(x, &v, v + n > max ? max : v + n,
						      memory_order_relaxed, memory_order_relaxed))
		;
}

static void mark_traced(_Atomic uint32_t *flags, int cm_flags)
{
	if (cm_flags & CM_TRACED)
		atomic_fetch_or_explicit(flags, (uint32_t)CM_REC_TRACED, memory_order_relaxed);
}

struct cm_mirror *cm_mirror_new(const char *name, int kind, unsigned permits, int flags)
{
	if (kind < CM_MIRROR_MUTEX || kind > CM_MIRROR_EVENT)
		probe_fatal("cm_mirror_new(\"%s\"): bad kind %d", name ? name : "", kind);
	if (permits > CM_PERMITS_MAX)
		probe_fatal("cm_mirror_new(\"%s\"): %u permits is too many", name ? name : "", permits);
	struct cm_mirror *m = probe_lock_new(sizeof *m, name, (enum cm_lock_kind)kind, permits,
					     flags);
	m->kind = (unsigned)kind;
	mark_traced(&m->lk.local->flags, flags);
	if (m->lk.rec != m->lk.local)
		mark_traced(&m->lk.rec->flags, flags);
	probe_object_ready(m, NULL);
	return m;
}

void cm_mirror_wait(struct cm_mirror *m)
{
	ADD(m->lk.rec->waiters, 1u);
	/* The waiting thread is as traced as the lock it waits for. */
	probe_wait_begin_as(CM_WAIT_LOCK, m->lk.slot, RLD(m->lk.rec->flags) & CM_REC_TRACED);
	tls_wait_on = m;
	tls_wait_t0 = probe_now_ns();
}

/* Ends the calling thread's wait on m, if it reported one; true if it did. */
static bool wait_over(struct cm_mirror *m)
{
	if (tls_wait_on != m)
		return false;
	struct cm_lock_rec *r = m->lk.rec;
	uint64_t waited = probe_now_ns() - tls_wait_t0;
	tls_wait_on = NULL;
	probe_wait_end();
	sub_floor(&r->waiters, 1u);
	ADD(r->wait_ns_total, waited);
	probe_max(&r->wait_ns_max, waited);
	return true;
}

void cm_mirror_wait_end(struct cm_mirror *m)
{
	wait_over(m);
}

void cm_mirror_acquired(struct cm_mirror *m, unsigned n)
{
	struct cm_lock_rec *r = m->lk.rec;
	pid_t me = probe_tid();
	if (wait_over(m))
		ADD(r->contended, 1u);
	switch (m->kind) {
	case CM_LOCK_RECURSIVE:
		if (RLD(r->holders[0]) == me) {
			RST(r->depth, RLD(r->depth) + n);
			return;
		}
		RST(r->depth, n);
		/* fall through */
	case CM_LOCK_MUTEX:
		RST(r->holders[0], me);
		RST(m->hold_start, probe_now_ns());
		ADD(r->acquisitions, 1u);
		return;
	case CM_LOCK_SEMAPHORE:
		probe_holder_add(r, me);
		ADD(r->holder_count, n);
		sub_floor(&r->value, n);
		ADD(r->acquisitions, n);
		return;
	default:                        /* a condition or event wait returned */
		ADD(r->acquisitions, 1u);
	}
}

void cm_mirror_released(struct cm_mirror *m, unsigned n)
{
	struct cm_lock_rec *r = m->lk.rec;
	switch (m->kind) {
	case CM_LOCK_RECURSIVE:
		if (n && RLD(r->depth) > n) {     /* n 0: every level */
			RST(r->depth, RLD(r->depth) - n);
			return;
		}
		RST(r->depth, 0u);
		/* fall through */
	case CM_LOCK_MUTEX: {
		uint64_t since = RLD(m->hold_start), now = probe_now_ns();
		if (RLD(r->holders[0]) && since && now > since)
			ADD(r->hold_ns_total, now - since);
		RST(r->holders[0], 0);  /* whoever held it: Python lets another thread release */
		return;
	}
	case CM_LOCK_SEMAPHORE: {
		probe_holder_remove(r, probe_tid());
		sub_floor(&r->holder_count, n);
		uint32_t v = RLD(r->value);
		RST(r->value, v + n > CM_PERMITS_MAX ? CM_PERMITS_MAX : v + n);
		return;
	}
	default:
		return;
	}
}

void cm_mirror_value(struct cm_mirror *m, unsigned value)
{
	unsigned max = m->kind == CM_LOCK_SEMAPHORE ? CM_PERMITS_MAX
		: m->kind == CM_LOCK_EVENT ? 1 : 0;
	RST(m->lk.rec->value, value > max ? max : value);
}

void cm_mirror_free(struct cm_mirror *m)
{
	if (m && tls_wait_on == m)
		tls_wait_on = NULL;
	probe_lock_free(m);
}

/* ---- queues ---- */

/* In a forked child a private queue mirror is a copy: it stops publishing. */
static void qmirror_forked(struct probe_obj *o, pid_t old_tid, pid_t new_tid)
{
	(void)old_tid;
	(void)new_tid;
	struct cm_qmirror *q = (struct cm_qmirror *)o;
	if (q->rec == &q->local)
		return;
	RST(q->local.depth, RLD(q->rec->depth));
	q->rec = &q->local;
	q->slot = PROBE_NO_SLOT;
}

struct cm_qmirror *cm_qmirror_new(const char *name, size_t capacity, int flags)
{
	if (capacity == 0 || capacity > CM_QUEUE_CAPACITY_MAX)
		capacity = CM_QUEUE_CAPACITY_MAX;
	struct cm_qmirror *q = probe_object_new(sizeof *q, flags);
	probe_queue_rec_init(&q->local, name, capacity, flags);
	mark_traced(&q->local.flags, flags);
	struct cm_queue_rec *r = probe_claim(PROBE_QUEUES, &q->slot);
	if (r) {
		probe_queue_rec_init(r, name, capacity, flags);
		mark_traced(&r->flags, flags);
		probe_publish(r);
		q->rec = r;
	} else {
		q->rec = &q->local;
		q->slot = PROBE_NO_SLOT;
	}
	probe_object_ready(q, qmirror_forked);
	return q;
}

void cm_qmirror_put(struct cm_qmirror *q)
{
	struct cm_queue_rec *r = q->rec;
	add_cap(&r->depth, 1u, RLD(r->capacity));
	ADD(r->puts, 1u);
}

void cm_qmirror_get(struct cm_qmirror *q)
{
	struct cm_queue_rec *r = q->rec;
	uint64_t d = atomic_load_explicit(&r->depth, memory_order_relaxed);
	while (d && !atomic_compare_exchange_weak_explicit(&r->depth, &d, d - 1,
							   memory_order_relaxed,
							   memory_order_relaxed))
		;
	ADD(r->gets, 1u);
}

void cm_qmirror_wait(struct cm_qmirror *q, bool room)
{
	struct cm_queue_rec *r = q->rec;
	atomic_fetch_add_explicit(room ? &r->blocked_put : &r->blocked_get, 1u,
				  memory_order_relaxed);
	probe_wait_begin_as(room ? CM_WAIT_QUEUE_PUT : CM_WAIT_QUEUE_GET, q->slot,
			    RLD(r->flags) & CM_REC_TRACED);
}

void cm_qmirror_wait_end(struct cm_qmirror *q, bool room)
{
	struct cm_queue_rec *r = q->rec;
	probe_wait_end();
	sub_floor(room ? &r->blocked_put : &r->blocked_get, 1u);
}

void cm_qmirror_free(struct cm_qmirror *q)
{
	if (!q)
		return;
	if (q->rec != &q->local)
		probe_unpublish(q->rec);
	probe_object_free(q);
}
