/* demo_fanout_threads.c - every 2 s a burst of tasks that each wait a while
 * (like I/O). pool=0: a new thread per task, so the thread count and memory
 * jump by "tasks" and fall back; pool=1: a fixed pool of "workers" threads
 * takes them from a queue: flat thread count, the burst just takes longer. */
#include <pthread.h>
#include <stdatomic.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "common.h"
#include "concmon/cmprobe.h"
#include "registry.h"
#include "workers.h"

#define TASKS_MAX 500
#define TASK_MEMORY (64 * 1024)     /* per-task state, touched so it counts in RSS */
#define THREAD_STACK (256 * 1024)

struct fanout {
	struct cm_knob *task_ms;
	atomic_long live, peak, done;
	atomic_long checksum;           /* reads the task memory, so it is really used */
	struct cm_value *v_live, *v_peak;
	struct cm_queue *tasks;         /* pool mode only */
	struct worker_set *pool;
};

static void do_task(struct fanout *f)
{
	long live = atomic_fetch_add(&f->live, 1) + 1, peak = atomic_load(&f->peak);
	char *state = malloc(TASK_MEMORY);

	while (live > peak && !atomic_compare_exchange_weak(&f->peak, &peak, live))
		;
	cm_value_set(f->v_live, live);
	if (state)
		memset(state, 1, TASK_MEMORY);
	demo_sleep_ms(cm_knob_get(f->task_ms));
	if (state)
		atomic_fetch_add(&f->checksum, state[TASK_MEMORY / 2]);
	free(state);
	cm_value_set(f->v_live, atomic_fetch_sub(&f->live, 1) - 1);
	atomic_fetch_add(&f->done, 1);
}

static void *task_thread(void *p)
{
	cm_thread_role("task");
	do_task(p);
	return NULL;
}

static void pool_worker(struct worker *w)
{
	struct fanout *f = worker_arg(w);
	intptr_t unused;

	while (!worker_should_go(w) && cm_queue_get(f->tasks, &unused))
		do_task(f);
}

/* A thread per task; returns how many threads could be started. */
static long burst_spawn(struct fanout *f, long n)
{
	static pthread_t threads[TASKS_MAX];
	pthread_attr_t attr;
	long started = 0;

	pthread_attr_init(&attr);
	pthread_attr_setstacksize(&attr, THREAD_STACK);
	for (; started < n; started++) {
		if (pthread_create(&threads[started], &attr, task_thread, f) != 0) {
			printf("main: pthread_create failed after %ld threads\n", started);
			break;
		}
	}
	pthread_attr_destroy(&attr);
	for (long i = 0; i < started; i++)
		demo_thread_join(threads[i]);
	return started;
}

static long burst_pool(struct fanout *f, long n)
{
	long target = atomic_load(&f->done) + n;

	for (long i = 0; i < n; i++)
		cm_queue_put(f->tasks, (intptr_t)i);
	while (atomic_load(&f->done) < target && !demo_should_stop())
		sleep_ms(10);
	return n;
}

static void pool_mode(struct fanout *f, bool on, int workers)
{
	if (on && !f->pool) {
		f->tasks = cm_queue_new("tasks", TASKS_MAX, CM_PRIVATE);
		f->pool = workers_new("pool", 32, pool_worker, f);
	} else if (!on && f->pool) {
		cm_queue_close(f->tasks);
		workers_free(f->pool);
		cm_queue_free(f->tasks);
		f->pool = NULL;
		f->tasks = NULL;
	}
	if (f->pool)
		workers_resize(f->pool, workers);
}

int demo_fanout_threads(struct demo_ctx *ctx)
{
	struct fanout f = {
		.task_ms = demo_knob(ctx, "task_ms"),
		.v_live = cm_value_new("busy_tasks"),
		.v_peak = cm_value_new("peak_tasks"),
	};
	struct cm_value *v_burst = cm_value_new("burst_ms");

	do {
		bool pool = demo_knob_value(ctx, "pool") != 0;
		long n = demo_knob_value(ctx, "tasks"), t0 = demo_now_ms(), ran;

		pool_mode(&f, pool, (int)demo_knob_value(ctx, "workers"));
		atomic_store(&f.peak, 0);
		printf("main: burst of %ld tasks, %s\n", n,
		       pool ? "queued to the pool" : "one new thread each");
		ran = pool ? burst_pool(&f, n) : burst_spawn(&f, n);
		cm_value_set(v_burst, demo_now_ms() - t0);
		cm_value_set(f.v_peak, atomic_load(&f.peak));   /* the last burst's */
		printf("main: %ld tasks done in %ld ms; at most %ld ran at once on %s\n", ran,
		       demo_now_ms() - t0, atomic_load(&f.peak),
		       pool ? "the pool's threads" : "as many threads");
	} while (demo_sleep_ms(2000));
	pool_mode(&f, false, 0);
	printf("main: stopped\n");
	return 0;
}
