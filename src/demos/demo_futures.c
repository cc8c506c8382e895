/* demo_futures.c - an executor (a pool of "workers" threads reading a work
 * queue) and futures, like Python's concurrent.futures. Rounds alternate:
 * submit + as_completed (results in the order they finish, a done callback
 * run by the worker thread that finished the task), then map (results in
 * submission order). Task "fail" raises: its error is stored in the future
 * and surfaces only when result() is called. sync=1 calls result() right
 * after each submit: the tasks run one after another (total = sum).
 *
 * Task i of n sleeps task_ms * (n - i + 1) / n (the first is the longest),
 * standing for I/O, so the finishing order is the reverse of submission. */
#include <signal.h>
#include <stdio.h>
#include <string.h>

#include "common.h"
#include "concmon/cmprobe.h"
#include "registry.h"

#define TASKS_MAX 16
#define WORKERS_MAX 16

enum fstate { F_PENDING, F_RUNNING, F_DONE, F_FAILED };

struct executor;

struct future {
	int id;
	long ms;
	bool fail;
	bool callback;              /* print a done callback (as_completed rounds) */
	enum fstate state;          /* guarded by the executor's lock */
	long result;
	char thread[CM_NAME_MAX];   /* the worker that ran it */
};

struct executor {
	struct cm_mutex *lock;
	struct cm_cond *done_cv;    /* a future finished */
	struct cm_queue *work;      /* submitted futures, not started yet */
	struct cm_queue *completed; /* finished futures, in finishing order */
	struct future futs[TASKS_MAX];
	pthread_t threads[WORKERS_MAX];
	int nworkers;
	struct cm_value *done, *pending, *failed, *round_ms, *sum_ms, *max_ms;
};

struct worker_arg {
	struct executor *ex;
	int n;
};

static void finish(struct executor *ex, struct future *f, const char *me)
{
	cm_mutex_lock(ex->lock);
	f->state = f->fail ? F_FAILED : F_DONE;
	f->result = f->fail ? 0 : (long)f->id * 100;
	snprintf(f->thread, sizeof f->thread, "%s", me);
	cm_value_add(f->fail ? ex->failed : ex->done, 1);
	cm_value_add(ex->pending, -1);
	cm_cond_broadcast(ex->done_cv);
	cm_mutex_unlock(ex->lock);
	if (f->callback)            /* Python runs done callbacks in the finishing thread */
		printf("  callback: task %d %s, called in thread %s (the worker that finished it)\n",
		       f->id, f->fail ? "raised" : "done", me);
	cm_queue_put(ex->completed, f->id);
}

static void *pool_thread(void *p)
{
	struct worker_arg *a = p;
	char me[CM_NAME_MAX];
	intptr_t id;

	snprintf(me, sizeof me, "pool-%d", a->n);
	cm_thread_role(me);
	while (cm_queue_get(a->ex->work, &id)) {
		struct future *f = &a->ex->futs[id - 1];

		cm_mutex_lock(a->ex->lock);
		f->state = F_RUNNING;
		cm_mutex_unlock(a->ex->lock);
		demo_sleep_ms(f->ms);   /* the task's I/O (cut short by a stop) */
		finish(a->ex, f, me);
	}
	return NULL;
}

/* Prepares future id of n and queues it for the pool (executor.submit). */
static struct future *submit(struct executor *ex, struct demo_ctx *ctx, int id, int n, bool cb)
{
	struct future *f = &ex->futs[id - 1];

	cm_mutex_lock(ex->lock);
	*f = (struct future){ .id = id, .ms = demo_knob_value(ctx, "task_ms") * (n - id + 1) / n,
			      .fail = demo_knob_value(ctx, "fail") == id, .callback = cb };
	cm_value_add(ex->pending, 1);
	cm_mutex_unlock(ex->lock);
	cm_queue_put(ex->work, id);
	return f;
}

/* future.result(): blocks until f finished; false when it raised. */
static bool result(struct executor *ex, struct future *f, long *value, char *thread, size_t len)
{
	bool ok;

	cm_mutex_lock(ex->lock);
	while (f->state != F_DONE && f->state != F_FAILED)
		cm_cond_wait(ex->done_cv, ex->lock);
	ok = f->state == F_DONE;
	*value = f->result;
	snprintf(thread, len, "%s", f->thread);
	cm_mutex_unlock(ex->lock);
	return ok;
}

static void show_result(struct executor *ex, const char *how, int id, long t0)
{
	char thread[CM_NAME_MAX];
	long value;

	if (result(ex, &ex->futs[id - 1], &value, thread, sizeof thread))
		printf("  %s: task %d -> %ld at %ld ms (ran %ld ms in %s)\n", how, id, value,
		       demo_now_ms() - t0, ex->futs[id - 1].ms, thread);
	else
		printf("  %s: task %d: result() raised RuntimeError('task %d failed'), raised in "
		       "%s and stored in the future until now\n", how, id, id, thread);
}

/* as_completed: results in the order the tasks finish. */
static void round_as_completed(struct executor *ex, struct demo_ctx *ctx, int n, long t0)
{
	char order[TASKS_MAX * 4] = "";
	bool in_order = true;

	for (int i = 1; i <= n; i++)
		submit(ex, ctx, i, n, true);
	printf("  submitted tasks 1..%d (submit returns at once: each gives a future)\n", n);
	for (int i = 0; i < n; i++) {
		intptr_t id;

		cm_queue_get(ex->completed, &id);
		show_result(ex, "as_completed", (int)id, t0);
		snprintf(order + strlen(order), sizeof order - strlen(order), " %d", (int)id);
		in_order = in_order && id == i + 1;
	}
	printf("  as_completed order:%s (finishing order, %s submission order)\n", order,
	       in_order ? "here the same as" : "not");
}

/* map: results in submission order; an error ends the loop over them. */
static void round_map(struct executor *ex, struct demo_ctx *ctx, int n, long t0)
{
	int stopped = 0;

	for (int i = 1; i <= n; i++)
		submit(ex, ctx, i, n, false);
	for (int i = 1; i <= n && !stopped; i++) {
		show_result(ex, "map", i, t0);
		if (ex->futs[i - 1].fail)
			stopped = i;
	}
	if (stopped && stopped < n)
		printf("  map: the exception ends the loop over map(): the results of tasks %d..%d "
		       "are never seen\n", stopped + 1, n);
	else
		printf("  map order: submission order, 1..%d\n", n);
}

/* sync: result() at once after each submit turns the pool into a loop. */
static void round_sync(struct executor *ex, struct demo_ctx *ctx, int n, long t0)
{
	for (int i = 1; i <= n; i++) {
		submit(ex, ctx, i, n, false);
		show_result(ex, "submit+result", i, t0);
	}
}

static void run_round(struct executor *ex, struct demo_ctx *ctx, int round)
{
	int n = (int)demo_knob_value(ctx, "tasks");
	bool sync = demo_knob_value(ctx, "sync");
	long t0 = demo_now_ms(), sum = 0, max = 0, ms;
	const char *what = sync ? "sync: result() right after each submit" :
			   round % 2 ? "submit + as_completed" : "map";

	printf("round %d (%s): %d tasks on %d workers\n", round, what, n, ex->nworkers);
	if (sync)
		round_sync(ex, ctx, n, t0);
	else if (round % 2)
		round_as_completed(ex, ctx, n, t0);
	else
		round_map(ex, ctx, n, t0);
	for (int i = 0; i < n; i++) {
		long value;
		char thread[CM_NAME_MAX];
		intptr_t id;

		result(ex, &ex->futs[i], &value, thread, sizeof thread);
		sum += ex->futs[i].ms;
		max = ex->futs[i].ms > max ? ex->futs[i].ms : max;
		if (sync || round % 2 == 0)     /* the finishing order nobody read */
			cm_queue_get(ex->completed, &id);
	}
	ms = demo_now_ms() - t0;
	cm_value_set(ex->round_ms, ms);
	cm_value_set(ex->sum_ms, sum);
	cm_value_set(ex->max_ms, max);
	printf("round %d: %d tasks took %ld ms in all (longest task %ld ms, sum of tasks %ld ms)\n",
	       round, n, ms, max, sum);
}

int demo_futures(struct demo_ctx *ctx)
{
	static struct executor ex;
	static struct worker_arg args[WORKERS_MAX];
	sigset_t stops, old;

	cm_thread_role("main");
	ex.lock = cm_mutex_new("futures", false, CM_PRIVATE);
	ex.done_cv = cm_cond_new("future-done", CM_PRIVATE);
	ex.work = cm_queue_new("work", TASKS_MAX, CM_PRIVATE);
	ex.completed = cm_queue_new("completed", TASKS_MAX, CM_PRIVATE);
	ex.done = cm_value_new("done");
	ex.pending = cm_value_new("pending");
	ex.failed = cm_value_new("failed");
	ex.round_ms = cm_value_new("round_ms");
	ex.sum_ms = cm_value_new("sum_ms");
	ex.max_ms = cm_value_new("max_ms");
	ex.nworkers = (int)demo_knob_value(ctx, "workers");
	/* Stop signals go to the main thread, which waits in poll or for a
	 * task: a pool thread idle on the empty queue could hold a signal
	 * that a sanitizer runtime defers until its next intercepted call. */
	sigemptyset(&stops);
	sigaddset(&stops, SIGTERM);
	sigaddset(&stops, SIGINT);
	sigaddset(&stops, SIGHUP);
	pthread_sigmask(SIG_BLOCK, &stops, &old);
	for (int i = 0; i < ex.nworkers; i++) {
		args[i] = (struct worker_arg){ &ex, i + 1 };
		demo_thread_start(&ex.threads[i], pool_thread, &args[i]);
	}
	pthread_sigmask(SIG_SETMASK, &old, NULL);
	for (int round = 1; !demo_should_stop(); round++) {
		run_round(&ex, ctx, round);
		if (!demo_sleep_ms(demo_knob_value(ctx, "pause_ms")))
			break;
	}
	cm_queue_close(ex.work);    /* executor.shutdown(wait=True) */
	for (int i = 0; i < ex.nworkers; i++)
		demo_thread_join(ex.threads[i]);
	printf("main: executor shut down, %d workers joined\n", ex.nworkers);
	return 0;
}
