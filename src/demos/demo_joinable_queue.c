/* demo_joinable_queue.c - Python's JoinableQueue (queue.Queue's task_done
 * and join): a producer puts a round of items, workers take them and call
 * task_done() after the work, and the producer's join() returns only when
 * every item is DONE, not when the queue is merely empty. The knob
 * "forget" (or SIGUSR1) makes one worker skip one task_done: the count of
 * unfinished items stays at 1 with an empty queue and join() never returns. */
#include <stdatomic.h>
#include <stdint.h>
#include <stdio.h>

#include "common.h"
#include "concmon/cmprobe.h"
#include "registry.h"
#include "workers.h"

#define JQ_CAP 100          /* >= the items knob's max: put never blocks, as unbounded */
#define ITEM_BASE 1000      /* item = round * ITEM_BASE + index (index <= items max) */
#define PAUSE_MS 1000       /* between two rounds */

enum producer_phase { PH_PUTTING, PH_JOINING, PH_PAUSING };

static const char *const phase_names[] = {
	[PH_PUTTING] = "putting", [PH_JOINING] = "JOINING", [PH_PAUSING] = "pausing",
};

struct jq {
	struct cm_queue *items;
	struct cm_mutex *lock;          /* guards unfinished, stopping */
	struct cm_cond *all_done;       /* broadcast when unfinished reaches 0 */
	long unfinished;                /* put and not yet task_done (Python's unfinished_tasks) */
	bool stopping;
	struct cm_knob *work_ms, *nitems;
	struct cm_value *v_unfinished, *v_rounds, *v_forgotten;
	atomic_long round_items;        /* items in the current round */
	atomic_int phase;
	atomic_long join_since;         /* ms the current join() began */
	atomic_bool forget_armed;       /* the next finished item gets no task_done */
};

static long jq_unfinished(struct jq *q)
{
	long n;

	cm_mutex_lock(q->lock);
	n = q->unfinished;
	cm_mutex_unlock(q->lock);
	return n;
}

/* Like Queue.put: the count goes up with the put, before a worker can see
 * the item (so task_done never finds it at 0). */
static bool jq_put(struct jq *q, intptr_t item)
{
	cm_mutex_lock(q->lock);
	q->unfinished++;
	cm_value_set(q->v_unfinished, q->unfinished);
	cm_mutex_unlock(q->lock);
	return cm_queue_put(q->items, item);
}

/* Says so under the lock, so the line comes before the producer's. */
static void jq_task_done(struct jq *q, const char *who, long round, long idx)
{
	long left;

	cm_mutex_lock(q->lock);
	left = --q->unfinished;
	cm_value_set(q->v_unfinished, left);
	printf("%s: item %ld.%ld done, task_done(): unfinished %ld%s\n", who, round, idx, left,
	       left == 0 ? ": every item is DONE, join() returns" : "");
	if (left == 0)
		cm_cond_broadcast(q->all_done);
	cm_mutex_unlock(q->lock);
}

/* Like Queue.join: sleeps on the condition until unfinished is 0. False
 * when the demo stops first. */
static bool jq_join(struct jq *q)
{
	bool done;

	cm_mutex_lock(q->lock);
	while (q->unfinished > 0 && !q->stopping)
		cm_cond_wait(q->all_done, q->lock);
	done = q->unfinished == 0;
	cm_mutex_unlock(q->lock);
	return done;
}

static void jq_stop(struct jq *q)
{
	cm_mutex_lock(q->lock);
	q->stopping = true;
	cm_cond_broadcast(q->all_done);
	cm_mutex_unlock(q->lock);
	cm_queue_close(q->items);
}

static void finish_item(struct jq *q, const char *who, long round, long idx)
{
	if (atomic_exchange(&q->forget_armed, false)) {
		cm_value_add(q->v_forgotten, 1);
		printf("%s: item %ld.%ld done but I FORGOT task_done (the bug): unfinished still "
		       "counts it (%ld now), join() will never return\n", who, round, idx,
		       jq_unfinished(q));
		return;
	}
	jq_task_done(q, who, round, idx);
}

/* Even a retired worker finishes the item it took: dropping it would leave
 * unfinished above 0 for good, the very bug this demo shows on purpose. */
static void worker(struct worker *w)
{
	struct jq *q = worker_arg(w);
	intptr_t item;

	while (!worker_should_go(w) && cm_queue_get(q->items, &item)) {
		long round = (long)item / ITEM_BASE, idx = (long)item % ITEM_BASE;
		long n = atomic_load(&q->round_items);

		printf("%s: took item %ld.%ld of %ld (queue depth %zu, unfinished %ld)\n",
		       worker_name(w), round, idx, n, cm_queue_depth(q->items), jq_unfinished(q));
		if (idx == n)
			printf("%s: queue EMPTY (depth 0) but unfinished %ld: join() still waits for "
			       "the items in progress\n", worker_name(w), jq_unfinished(q));
		if (!demo_sleep_ms(cm_knob_get(q->work_ms)))
			break;
		finish_item(q, worker_name(w), round, idx);
	}
}

static bool producer_round(struct jq *q, long round)
{
	long n = cm_knob_get(q->nitems), t0;

	atomic_store(&q->phase, PH_PUTTING);
	atomic_store(&q->round_items, n);
	printf("producer: round %ld: putting %ld items\n", round, n);
	for (long i = 1; i <= n; i++)
		if (!jq_put(q, (intptr_t)(round * ITEM_BASE + i)))
			return false;
	t0 = demo_now_ms();
	atomic_store(&q->join_since, t0);
	atomic_store(&q->phase, PH_JOINING);
	printf("producer: round %ld: all %ld put; join(): waiting until every item is DONE\n",
	       round, n);
	if (!jq_join(q))
		return false;
	atomic_store(&q->phase, PH_PAUSING);
	cm_value_set(q->v_rounds, round);
	printf("producer: round %ld: join() returned after %ld ms: all %ld items done\n", round,
	       demo_now_ms() - t0, n);
	return true;
}

static void *producer(void *p)
{
	struct jq *q = p;

	cm_thread_role("producer");
	for (long round = 1; producer_round(q, round) && demo_sleep_ms(PAUSE_MS); round++)
		;
	return NULL;
}

static void arm_forget(struct jq *q, const char *why)
{
	atomic_store(&q->forget_armed, true);
	printf("main: %s: the next item a worker finishes gets no task_done()\n", why);
}

static void print_status(struct jq *q)
{
	int phase = atomic_load(&q->phase);
	long unfinished = jq_unfinished(q);
	size_t depth = cm_queue_depth(q->items);

	printf("status: queue depth %zu, unfinished %ld, producer %s", depth, unfinished,
	       phase_names[phase]);
	if (phase == PH_JOINING)
		printf(" for %ld ms%s", demo_now_ms() - atomic_load(&q->join_since),
		       depth == 0 && unfinished > 0 && cm_value_get(q->v_forgotten) > 0
		       ? ": the queue is empty but a task_done is missing, join() never returns" : "");
	printf("\n");
}

int demo_joinable_queue(struct demo_ctx *ctx)
{
	struct jq q = {
		.items = cm_queue_new("jobs", JQ_CAP, CM_PRIVATE),
		.lock = cm_mutex_new("jq-lock", false, CM_PRIVATE),
		.all_done = cm_cond_new("all-done", CM_PRIVATE),
		.work_ms = demo_knob(ctx, "work_ms"), .nitems = demo_knob(ctx, "items"),
		.v_unfinished = cm_value_new("unfinished"), .v_rounds = cm_value_new("rounds_done"),
		.v_forgotten = cm_value_new("forgotten"),
	};
	struct cm_knob *kw = demo_knob(ctx, "workers"), *kf = demo_knob(ctx, "forget");
	long nw = cm_knob_get(kw), forget = cm_knob_get(kf), next_status = demo_now_ms() + 1000;
	struct worker_set *ws = workers_new("worker", 16, worker, &q);
	unsigned usr1 = demo_usr1_count();
	pthread_t prod;

	printf("main: the producer puts 'items' per round and join()s; workers call task_done() "
	       "after each item; SIGUSR1 or forget=1 makes one task_done go missing\n");
	if (forget)
		arm_forget(&q, "forget=1");
	workers_resize(ws, (int)nw);
	demo_thread_start(&prod, producer, &q);
	while (demo_sleep_ms(100)) {
		workers_follow_knob(ws, "workers", kw, &nw);
		if (demo_knob_changed(kf, &forget) && forget)
			arm_forget(&q, "forget=1");
		if (demo_usr1_count() != usr1) {
			usr1 = demo_usr1_count();
			cm_knob_set(kf, forget = 1);
			arm_forget(&q, "SIGUSR1");
		}
		if (demo_now_ms() >= next_status) {
			next_status += 1000;
			print_status(&q);
		}
	}
	printf("main: stopping: waking the producer, closing the queue\n");
	jq_stop(&q);
	demo_thread_join(prod);
	workers_free(ws);
	cm_queue_free(q.items);
	cm_cond_free(q.all_done);
	cm_mutex_free(q.lock);
	return 0;
}
