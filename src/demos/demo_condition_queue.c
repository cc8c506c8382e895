/* demo_condition_queue.c - a priority queue guarded by one mutex and two
 * condition variables (the seed's PriorityQueue): consumers wait on
 * "not-empty" in a predicate loop and are woken by each put; the producer
 * waits on "not-full". The highest priority always comes out first. */
#include <pthread.h>
#include <stdio.h>

#include "common.h"
#include "concmon/cmprobe.h"
#include "registry.h"
#include "workers.h"

#define PQ_CAP 32

struct item {
	long id;
	int priority;
};

struct pq {
	struct cm_mutex *lock;
	struct cm_cond *not_empty, *not_full;
	struct item heap[PQ_CAP];   /* max-heap on priority, under lock */
	int n;
	bool closed;
	struct cm_knob *work_ms, *rate;
	struct cm_value *v_queued;
};

static void swap_items(struct item *a, struct item *b)
{
	struct item t = *a;

	*a = *b;
	*b = t;
}

static void heap_push(struct pq *q, struct item it)
{
	int i = q->n++;

	q->heap[i] = it;
	for (; i > 0 && q->heap[(i - 1) / 2].priority < q->heap[i].priority; i = (i - 1) / 2)
		swap_items(&q->heap[i], &q->heap[(i - 1) / 2]);
}

static struct item heap_pop(struct pq *q)
{
	struct item top = q->heap[0];
	int i = 0;

	q->heap[0] = q->heap[--q->n];
	for (;;) {
		int l = 2 * i + 1, r = l + 1, big = i;

		if (l < q->n && q->heap[l].priority > q->heap[big].priority)
			big = l;
		if (r < q->n && q->heap[r].priority > q->heap[big].priority)
			big = r;
		if (big == i)
			return top;
		swap_items(&q->heap[i], &q->heap[big]);
		i = big;
	}
}

/* false: closed. */
static bool pq_put(struct pq *q, struct item it, const char *who)
{
	cm_mutex_lock(q->lock);
	while (q->n == PQ_CAP && !q->closed) {
		printf("%s: queue full (%d), sleeping on not-full\n", who, PQ_CAP);
		cm_cond_wait(q->not_full, q->lock);
	}
	if (q->closed) {
		cm_mutex_unlock(q->lock);
		return false;
	}
	heap_push(q, it);
	cm_value_set(q->v_queued, q->n);
	printf("%s: put item %ld (priority %d), %d queued\n", who, it.id, it.priority, q->n);
	cm_cond_signal(q->not_empty);
	cm_mutex_unlock(q->lock);
	return true;
}

/* false: closed. */
static bool pq_get(struct pq *q, struct item *out, const char *who)
{
	cm_mutex_lock(q->lock);
	while (q->n == 0 && !q->closed) {
		printf("%s: queue empty, sleeping on the condition\n", who);
		cm_cond_wait(q->not_empty, q->lock);
	}
	if (q->closed) {
		cm_mutex_unlock(q->lock);
		return false;
	}
	*out = heap_pop(q);
	cm_value_set(q->v_queued, q->n);
	cm_cond_signal(q->not_full);
	cm_mutex_unlock(q->lock);
	return true;
}

static void pq_close(struct pq *q)
{
	cm_mutex_lock(q->lock);
	q->closed = true;
	cm_cond_broadcast(q->not_empty);
	cm_cond_broadcast(q->not_full);
	cm_mutex_unlock(q->lock);
}

static void consumer(struct worker *w)
{
	struct pq *q = worker_arg(w);
	struct item it;

	while (!worker_should_go(w) && pq_get(q, &it, worker_name(w))) {
		printf("%s: woke up with item %ld (priority %d)\n", worker_name(w), it.id,
		       it.priority);
		demo_sleep_ms(cm_knob_get(q->work_ms));
	}
}

static void *producer(void *p)
{
	struct pq *q = p;
	unsigned seed = 54321;

	cm_thread_role("producer");
	for (long id = 4; demo_sleep_ms(1000 / cm_knob_get(q->rate)); id++)
		if (!pq_put(q, (struct item){ id, (int)demo_rand_range(&seed, 0, 99) }, "producer"))
			break;
	return NULL;
}

int demo_condition_queue(struct demo_ctx *ctx)
{
	struct pq q = {
		.lock = cm_mutex_new("pq-lock", false, CM_PRIVATE),
		.not_empty = cm_cond_new("not-empty", CM_PRIVATE),
		.not_full = cm_cond_new("not-full", CM_PRIVATE),
		.work_ms = demo_knob(ctx, "work_ms"),
		.v_queued = cm_value_new("queued"),
	};
	long nconsumers = demo_knob_value(ctx, "consumers");
	struct worker_set *ws = workers_new("consumer", (int)nconsumers, consumer, &q);
	unsigned seed = 12345;
	pthread_t prod;

	q.rate = demo_knob(ctx, "rate");
	printf("main: 3 items queued before the consumers start, as in the seed\n");
	for (long id = 1; id <= 3; id++)
		pq_put(&q, (struct item){ id, (int)demo_rand_range(&seed, 0, 99) }, "main");
	workers_resize(ws, (int)nconsumers);
	demo_thread_start(&prod, producer, &q);
	while (demo_sleep_ms(100))
		;
	printf("main: stopping: closing the queue, waking everyone\n");
	pq_close(&q);
	demo_thread_join(prod);
	workers_free(ws);
	cm_cond_free(q.not_empty);
	cm_cond_free(q.not_full);
	cm_mutex_free(q.lock);
	return 0;
}
