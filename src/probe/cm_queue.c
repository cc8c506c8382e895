/* cm_queue.c - the instrumented bounded blocking queue: a ring buffer under
 * a mutex with two condition variables. Telemetry costs a few plain stores
 * per operation (the counters change only under the queue's mutex). */
#include "probe.h"

#include <pthread.h>
#include <string.h>

#include "concmon/cmprobe.h"

struct cm_queue {
	struct probe_head ph;           /* first */
	pthread_mutex_t mtx;
	pthread_cond_t not_full, not_empty;
	struct cm_queue_rec *rec;       /* published slot, or &local */
	unsigned slot;
	/* With mtx held: */
	size_t cap, head, count;
	unsigned wait_put, wait_get;    /* threads blocked for room / for an item */
	bool closed;
	struct cm_queue_rec local;
	intptr_t items[];
};

static void check(int rc, const char *what, const struct cm_queue *q)
{
	if (rc)
		probe_fatal("%s(\"%s\"): %s", what, q->local.name, strerror(rc));
}

/* A process died holding the lock (a shared queue): keep the ring within
 * bounds, whatever step of a put or get it died at. */
__attribute__((cold, noinline)) static void queue_repair(struct cm_queue *q)
{
	if (q->head >= q->cap)
		q->head = 0;
	if (q->count > q->cap)
		q->count = q->cap;
	RST(q->rec->depth, (uint64_t)q->count);
}

/* rc: what locking q->mtx returned (0 inline: the fast path's budget). */
static inline void queue_locked(struct cm_queue *q, int rc, const char *what)
{
	if (__builtin_expect(rc != 0, 0) && probe_pthread_locked(rc, &q->mtx, what, q->local.name))
		queue_repair(q);
}

static void queue_lock(struct cm_queue *q)
{
	queue_locked(q, pthread_mutex_lock(&q->mtx), "cm_queue");
}

static void queue_unlock(struct cm_queue *q)
{
	check(pthread_mutex_unlock(&q->mtx), "cm_queue", q);
}

/* Blocks until there is room (room) or an item, or the queue is closed;
 * published as the thread's wait and in the blocked counts. */
static void queue_wait(struct cm_queue *q, bool room)
{
	struct cm_queue_rec *r = q->rec;
	pthread_cond_t *cv = room ? &q->not_full : &q->not_empty;
	unsigned *waiting = room ? &q->wait_put : &q->wait_get;
	_Atomic uint32_t *blocked = room ? &r->blocked_put : &r->blocked_get;
	probe_wait_begin(room ? CM_WAIT_QUEUE_PUT : CM_WAIT_QUEUE_GET, q->slot);
	atomic_store_explicit(blocked, ++*waiting, memory_order_relaxed);
	do
		queue_locked(q, pthread_cond_wait(cv, &q->mtx), "cm_queue wait");
	while (!q->closed && (room ? q->count == q->cap : q->count == 0));
	atomic_store_explicit(blocked, --*waiting, memory_order_relaxed);
	probe_wait_end();
}

bool cm_queue_put(struct cm_queue *q, intptr_t item)
{
	queue_lock(q);
	if (q->count == q->cap && !q->closed)
		queue_wait(q, true);
	if (q->closed) {
		queue_unlock(q);
		return false;
	}
	size_t tail = q->head + q->count;
	if (tail >= q->cap)
		tail -= q->cap;
	q->items[tail] = item;
	q->count++;
	struct cm_queue_rec *r = q->rec;
	RST(r->depth, (uint64_t)q->count);
	BUMP(r->puts, 1u);
	if (q->wait_get)
		pthread_cond_signal(&q->not_empty);
	queue_unlock(q);
	return true;
}

bool cm_queue_get(struct cm_queue *q, intptr_t *item)
{
	queue_lock(q);
	if (q->count == 0 && !q->closed)
		queue_wait(q, false);
	if (q->count == 0) {            /* closed and drained */
		queue_unlock(q);
		return false;
	}
	*item = q->items[q->head];
	if (++q->head == q->cap)
		q->head = 0;
	q->count--;
	struct cm_queue_rec *r = q->rec;
	RST(r->depth, (uint64_t)q->count);
	BUMP(r->gets, 1u);
	if (q->wait_put)
		pthread_cond_signal(&q->not_full);
	queue_unlock(q);
	return true;
}

void cm_queue_close(struct cm_queue *q)
{
	queue_lock(q);
	q->closed = true;
	RST(q->rec->closed, 1u);
	pthread_cond_broadcast(&q->not_full);
	pthread_cond_broadcast(&q->not_empty);
	queue_unlock(q);
}

size_t cm_queue_depth(struct cm_queue *q)
{
	queue_lock(q);
	size_t n = q->count;
	queue_unlock(q);
	return n;
}

void probe_queue_rec_init(struct cm_queue_rec *r, const char *name, size_t cap, int flags)
{
	RST(r->flags, flags & CM_SHARED ? (uint32_t)CM_REC_SHARED : 0u);
	RST(r->closed, 0u);
	probe_name(r->name, name);
	RST(r->capacity, (uint64_t)cap);
	RST(r->depth, 0u);
	RST(r->puts, 0u);
	RST(r->gets, 0u);
	RST(r->blocked_put, 0u);
	RST(r->blocked_get, 0u);
}

/* In a forked child a private queue is a copy: it stops publishing. */
static void queue_detach(struct probe_obj *o, pid_t old_tid, pid_t new_tid)
{
	(void)old_tid;
	(void)new_tid;
	struct cm_queue *q = (struct cm_queue *)o;
	if (q->rec == &q->local)
		return;
	RST(q->local.depth, (uint64_t)q->count);
	RST(q->local.closed, (uint32_t)q->closed);
	q->rec = &q->local;
	q->slot = PROBE_NO_SLOT;
}

struct cm_queue *cm_queue_new(const char *name, size_t capacity, int flags)
{
	if (capacity < 1 || capacity > CM_QUEUE_CAPACITY_MAX)
		probe_fatal("cm_queue_new(\"%s\"): capacity %zu not in 1..%u", name ? name : "",
			    capacity, CM_QUEUE_CAPACITY_MAX);
	struct cm_queue *q = probe_object_new(sizeof *q + capacity * sizeof q->items[0], flags);
	q->cap = capacity;
	probe_queue_rec_init(&q->local, name, capacity, flags);
	probe_pthread_mutex_init(&q->mtx, PTHREAD_MUTEX_DEFAULT, flags, name);
	probe_pthread_cond_init(&q->not_full, flags, name);
	probe_pthread_cond_init(&q->not_empty, flags, name);
	struct cm_queue_rec *r = probe_claim(PROBE_QUEUES, &q->slot);
	if (r) {
		probe_queue_rec_init(r, name, capacity, flags);
		probe_publish(r);
		q->rec = r;
	} else {
		q->rec = &q->local;
		q->slot = PROBE_NO_SLOT;
	}
	probe_object_ready(q, queue_detach);
	return q;
}

void cm_queue_free(struct cm_queue *q)
{
	if (!q)
		return;
	if (q->rec != &q->local)
		probe_unpublish(q->rec);
	probe_pthread_cond_destroy(&q->not_full, q->ph.flags);
	probe_pthread_cond_destroy(&q->not_empty, q->ph.flags);
	pthread_mutex_destroy(&q->mtx);
	probe_object_free(q);
}
