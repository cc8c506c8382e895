/* demo_pool_cpu.c - CPU-bound fib(n) tasks on a pool of threads or of
 * processes. With gil=1 the threads share one global lock they only drop
 * every few thousand calls, like CPython's GIL: more threads, no speed-up,
 * and a hot lock. Processes each have their own "interpreter", so they
 * scale with the cores. Each batch is about one second of serial work,
 * followed by one second of rest (the CPU is never hogged). */
#include <sched.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "common.h"
#include "concmon/cmprobe.h"
#include "registry.h"
#include "workers.h"

#define POOL_MAX 4
#define BATCH_MAX 500
#define SWITCH_CALLS 5000       /* fib calls between two GIL releases */

struct pool {
	bool processes;
	int size;
	struct cm_knob *gil;
	struct cm_mutex *gil_lock;
	struct cm_queue *tasks, *results;
	struct worker_set *threads;
	pid_t pids[POOL_MAX];
};

struct fib_ctx {
	struct cm_mutex *gil;       /* NULL: no global lock */
	unsigned long calls;
};

static long fib(struct fib_ctx *c, int n)
{
	if (c->gil && ++c->calls % SWITCH_CALLS == 0) {
		cm_mutex_unlock(c->gil);    /* the "switch interval" */
		sched_yield();
		cm_mutex_lock(c->gil);
	}
	return n < 2 ? n : fib(c, n - 1) + fib(c, n - 2);
}

static long run_task(struct cm_mutex *gil, int n)
{
	struct fib_ctx c = { .gil = gil };
	long r;

	if (gil)
		cm_mutex_lock(gil);
	r = fib(&c, n);
	if (gil)
		cm_mutex_unlock(gil);
	return r;
}

static void thread_worker(struct worker *w)
{
	struct pool *p = worker_arg(w);
	intptr_t n;

	while (!worker_retired(w) && cm_queue_get(p->tasks, &n)) {
		if (demo_should_stop())
			continue;
		cm_queue_put(p->results, run_task(cm_knob_get(p->gil) ? p->gil_lock : NULL, (int)n));
	}
}

static _Noreturn void process_worker(struct pool *p, int i)
{
	char role[CM_NAME_MAX];
	intptr_t n;

	signal(SIGTERM, SIG_DFL);
	snprintf(role, sizeof role, "proc-worker-%d", i);
	cm_thread_role(role);
	while (cm_queue_get(p->tasks, &n))
		cm_queue_put(p->results, run_task(NULL, (int)n));   /* its own "GIL": no contention */
	demo_child_exit(0);
}

static void pool_start(struct pool *p, bool processes, int size)
{
	int flags = processes ? CM_SHARED : CM_PRIVATE;

	p->processes = processes;
	p->size = size;
	p->tasks = cm_queue_new("tasks", BATCH_MAX, flags);
	p->results = cm_queue_new("results", BATCH_MAX, flags);
	if (!processes) {
		p->threads = workers_new("pool-thread", POOL_MAX, thread_worker, p);
		workers_resize(p->threads, size);
		return;
	}
	pid_t parent = getpid();
	for (int i = 0; i < size; i++) {
		p->pids[i] = demo_fork();
		if (p->pids[i] == 0) {
			/* A pool's workers never outlive it: killed, the pool would
			 * leave them blocked on a queue nobody fills any more. */
			demo_die_with_parent(parent, SIGKILL);
			process_worker(p, i + 1);
		}
	}
}

static void pool_stop(struct pool *p)
{
	cm_queue_close(p->tasks);
	if (p->threads) {
		workers_join_all(p->threads);
		workers_free(p->threads);
		p->threads = NULL;
	}
	for (int i = 0; i < p->size; i++) {
		if (p->pids[i] <= 0)
			continue;
		if (demo_should_stop())
			kill(p->pids[i], SIGTERM);     /* unreaped child: PID not reusable */
		demo_waitpid(p->pids[i], NULL, 0);
		p->pids[i] = 0;
	}
	cm_queue_free(p->tasks);
	cm_queue_free(p->results);
}

/* ms one fib(n) takes on one thread without any lock: the best of three
 * runs (the machine may be busy with something else). */
static double time_one(int n)
{
	double best = 1e9;

	for (int i = 0; i < 3; i++) {
		struct timespec a, b;
		double ms;

		clock_gettime(CLOCK_MONOTONIC, &a);
		run_task(NULL, n);
		clock_gettime(CLOCK_MONOTONIC, &b);
		ms = (double)(b.tv_sec - a.tv_sec) * 1e3 + (double)(b.tv_nsec - a.tv_nsec) / 1e6;
		best = ms < best ? ms : best;
	}
	return best > 0.01 ? best : 0.01;
}

/* Runs k tasks through the pool; returns the wall time in ms, -1 if stopped. */
static long run_batch(struct pool *p, int n, int k)
{
	long t0 = demo_now_ms();
	intptr_t r;

	for (int i = 0; i < k; i++)
		cm_queue_put(p->tasks, n);
	for (int i = 0; i < k; i++) {
		if (demo_should_stop() || !cm_queue_get(p->results, &r))
			return -1;
	}
	return demo_now_ms() - t0;
}

struct pool_values {
	struct cm_value *tasks_per_s, *speedup_x100, *batch_ms;
};

static void report(struct pool_values *v, const struct pool *p, bool gil, int n, int k,
		   double one_ms, long ms, int batch)
{
	double wall = ms > 0 ? (double)ms : 1.0;
	double speedup = k * one_ms / wall;

	cm_value_set(v->tasks_per_s, (long)(k * 1000.0 / wall));
	cm_value_set(v->speedup_x100, (long)(speedup * 100));
	cm_value_set(v->batch_ms, ms);
	printf("batch %d: %d %s%s: %d x fib(%d) in %ld ms = %.0f tasks/s, %.2fx one thread\n",
	       batch, p->size, p->processes ? "processes" : "threads",
	       p->processes ? "" : gil ? ", global lock ON" : ", global lock off", k, n, ms,
	       k * 1000.0 / wall, speedup);
}

int demo_pool_cpu(struct demo_ctx *ctx)
{
	struct pool p = { .gil = demo_knob(ctx, "gil"),
			  .gil_lock = cm_mutex_new("gil", false, CM_PRIVATE) };
	struct pool_values v = { cm_value_new("tasks_per_s"), cm_value_new("speedup_x100"),
				 cm_value_new("batch_ms") };
	int n = -1;
	double one_ms = 1;

	pool_start(&p, demo_knob_value(ctx, "processes") != 0, (int)demo_knob_value(ctx, "workers"));
	for (int batch = 1; !demo_should_stop(); batch++) {
		bool procs = demo_knob_value(ctx, "processes") != 0;
		int size = (int)demo_knob_value(ctx, "workers"), k;
		long ms;

		if (procs != p.processes || size != p.size) {
			printf("main: rebuilding the pool: %d %s\n", size, procs ? "processes" : "threads");
			pool_stop(&p);
			pool_start(&p, procs, size);
		}
		if (n != (int)demo_knob_value(ctx, "fib")) {
			n = (int)demo_knob_value(ctx, "fib");
			one_ms = time_one(n);
			printf("main: one fib(%d) takes %.2f ms on one thread\n", n, one_ms);
		}
		k = (int)(1000 / one_ms);
		k = k < size ? size : k > BATCH_MAX ? BATCH_MAX : k;
		ms = run_batch(&p, n, k);
		if (ms < 0)
			break;
		report(&v, &p, cm_knob_get(p.gil) != 0, n, k, one_ms, ms, batch);
		demo_sleep_ms(1000);
	}
	printf("main: stopping the pool\n");
	pool_stop(&p);
	cm_mutex_free(p.gil_lock);
	return 0;
}
