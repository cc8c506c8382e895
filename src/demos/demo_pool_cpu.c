/* demo_pool_cpu.c - CPU-bound fib(n) tasks on a pool of threads or of
 * processes. C threads have no GIL: with gil=1 this demo adds one, modelled
 * on CPython >= 3.2's: a thread that wants the lock waits up to the switch
 * interval (5 ms), then sets a drop request; the holder checks for it at
 * every call, drops the lock and waits until the requester has taken it
 * (the forced hand-off). The threads take turns and never overlap, and the
 * lock panel shows them fighting for "gil". Processes each have their own
 * "interpreter", so they scale with the cores. Each batch first times the
 * same tasks on the main thread alone (the baseline, measured beside each
 * run so a busy machine slows both), then runs them on the pool. */
#include <errno.h>
#include <pthread.h>
#include <signal.h>
#include <stdatomic.h>
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
#define BASELINE_MS 400         /* serial work per batch */
#define REST_MS 300             /* between batches: the machine is shared */

/* The model of CPython's GIL (Python/ceval_gil.h). */
struct gil {
	pthread_mutex_t mu;
	pthread_cond_t dropped;         /* the lock became free */
	pthread_cond_t switched;        /* another thread took it */
	bool locked;
	unsigned long switches;         /* takes so far: a waiter's "did anyone get it?" */
	atomic_bool drop_request;       /* a waiter timed out: the holder must let go */
	atomic_long interval_ms;        /* sys.setswitchinterval() */
	atomic_long forced;             /* hand-offs forced by a drop request */
	struct cm_mirror *pub;          /* what concmon sees: holder, waiters, waits */
};

static void gil_init(struct gil *g)
{
	pthread_mutex_init(&g->mu, NULL);
	demo_cond_init_monotonic(&g->dropped);
	pthread_cond_init(&g->switched, NULL);
	g->pub = cm_mirror_new("gil", CM_MIRROR_MUTEX, 0, CM_PRIVATE);
}

static void gil_destroy(struct gil *g)
{
	cm_mirror_free(g->pub);
	pthread_cond_destroy(&g->switched);
	pthread_cond_destroy(&g->dropped);
	pthread_mutex_destroy(&g->mu);
}

/* take_gil(): wait an interval at a time; an interval in which nobody got
 * the lock ends with a drop request to its holder. */
static void gil_take(struct gil *g)
{
	pthread_mutex_lock(&g->mu);
	if (g->locked) {
		cm_mirror_wait(g->pub);
		while (g->locked) {
			unsigned long seen = g->switches;
			struct timespec dl = demo_deadline_ms(atomic_load(&g->interval_ms));
			int rc = 0;

			while (g->locked && rc != ETIMEDOUT)
				rc = pthread_cond_timedwait(&g->dropped, &g->mu, &dl);
			if (rc == ETIMEDOUT && g->locked && g->switches == seen)
				atomic_store(&g->drop_request, true);
		}
	}
	g->locked = true;
	g->switches++;
	atomic_store(&g->drop_request, false);
	cm_mirror_acquired(g->pub, 1);
	pthread_cond_broadcast(&g->switched);
	pthread_mutex_unlock(&g->mu);
}

/* drop_gil(): on a drop request, also wait until a waiter has taken it,
 * or the dropping thread would often take it straight back. */
static void gil_drop(struct gil *g)
{
	pthread_mutex_lock(&g->mu);
	cm_mirror_released(g->pub, 1);
	g->locked = false;
	pthread_cond_signal(&g->dropped);
	if (atomic_load(&g->drop_request)) {
		unsigned long seen = g->switches;

		atomic_fetch_add(&g->forced, 1);
		while (g->switches == seen)
			pthread_cond_wait(&g->switched, &g->mu);
	}
	pthread_mutex_unlock(&g->mu);
}

/* The thread pool hands out work by count: a thread claims a task (under
 * the GIL, when on) before it takes it from the queue, so a thread never
 * blocks on the queue while it holds the GIL; with nothing to claim it
 * drops the GIL and sleeps, as a Python thread blocked in queue.get()
 * does. Meanwhile a thread with work keeps the GIL from task to task:
 * only a drop request takes it away. */
struct pool {
	bool processes;
	int size;
	struct cm_knob *gil_on;
	struct gil *gil;
	struct cm_queue *tasks, *results;
	struct worker_set *threads;
	pid_t pids[POOL_MAX];
	pthread_mutex_t mu;             /* guards pending and closing */
	pthread_cond_t work;            /* tasks posted, or the pool closing */
	long pending;                   /* tasks put (or about to be) and not claimed */
	bool closing;
};

/* The "eval breaker": one relaxed load per call, like CPython's check. */
static long fib(struct gil *g, int n)
{
	if (g && atomic_load_explicit(&g->drop_request, memory_order_relaxed)) {
		gil_drop(g);
		gil_take(g);
	}
	return n < 2 ? n : fib(g, n - 1) + fib(g, n - 2);
}

/* Runs fib(n), with the GIL held by the caller when g; returns the CPU
 * time it used, in µs (the pool's result: how many cores the batch kept
 * busy). */
static long run_task(struct gil *g, int n)
{
	struct timespec a, b;
	volatile long r;

	clock_gettime(CLOCK_THREAD_CPUTIME_ID, &a);
	r = fib(g, n);
	(void)r;
	clock_gettime(CLOCK_THREAD_CPUTIME_ID, &b);
	return (long)(b.tv_sec - a.tv_sec) * 1000000L + (b.tv_nsec - a.tv_nsec) / 1000;
}

static bool claim(struct pool *p)
{
	pthread_mutex_lock(&p->mu);
	bool got = p->pending > 0;
	if (got)
		p->pending--;
	pthread_mutex_unlock(&p->mu);
	return got;
}

/* Sleeps until there is work to claim; false when the pool closes. */
static bool await_work(struct pool *p, struct worker *w)
{
	pthread_mutex_lock(&p->mu);
	while (p->pending == 0 && !p->closing && !worker_retired(w))
		pthread_cond_wait(&p->work, &p->mu);
	bool go = !p->closing && !worker_retired(w);
	pthread_mutex_unlock(&p->mu);
	return go;
}

/* Holds the GIL or not, as the knob says (it may turn between tasks). */
static struct gil *gil_follow(struct pool *p, struct gil *held)
{
	struct gil *want = cm_knob_get(p->gil_on) ? p->gil : NULL;

	if (held != want) {
		if (held)
			gil_drop(held);
		if (want)
			gil_take(want);
	}
	return want;
}

static void thread_worker(struct worker *w)
{
	struct pool *p = worker_arg(w);
	struct gil *held = NULL;        /* the GIL, while this thread holds it */
	intptr_t n;

	for (;;) {
		held = gil_follow(p, held);
		if (!claim(p)) {
			if (held)
				gil_drop(held);
			held = NULL;
			if (!await_work(p, w))
				break;
			continue;
		}
		if (!cm_queue_get(p->tasks, &n))
			break;
		if (!demo_should_stop())
			cm_queue_put(p->results, run_task(held, (int)n));
	}
	if (held)
		gil_drop(held);
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
	p->pending = 0;
	p->closing = false;
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

/* Closes the pool; on a stop, worker processes get SIGTERM (they may be
 * in the middle of a long task), and every one is reaped. */
static void pool_stop(struct pool *p)
{
	pthread_mutex_lock(&p->mu);
	p->closing = true;
	pthread_cond_broadcast(&p->work);
	pthread_mutex_unlock(&p->mu);
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

/* ms the main thread alone takes for k x fib(n), no lock: the baseline. */
static long time_serial(int n, int k)
{
	long t0 = demo_now_ms();

	for (int i = 0; i < k && !demo_should_stop(); i++)
		run_task(NULL, n);
	return demo_now_ms() - t0;
}

/* Runs k tasks through the pool; returns the wall time in ms (-1 if
 * stopped) and the tasks' CPU time in *cpu_us. The results are taken only
 * when there: a stop (or a worker process killed from outside) must not
 * leave the main thread blocked on a queue nobody fills. */
static long run_batch(struct pool *p, int n, int k, long *cpu_us)
{
	long t0 = demo_now_ms();
	intptr_t r;

	*cpu_us = 0;
	pthread_mutex_lock(&p->mu);
	p->pending += k;
	pthread_cond_broadcast(&p->work);
	pthread_mutex_unlock(&p->mu);
	for (int i = 0; i < k; i++)
		cm_queue_put(p->tasks, n);
	for (int got = 0; got < k;) {
		if (cm_queue_depth(p->results) > 0 && cm_queue_get(p->results, &r)) {
			*cpu_us += (long)r;
			got++;
		} else if (!demo_sleep_ms(2)) {
			return -1;
		}
	}
	return demo_now_ms() - t0;
}

struct batch {
	int n, k;
	long serial_ms, pool_ms, cpu_us;
};

struct pool_values {
	struct cm_value *tasks_per_s, *speedup_x100, *batch_ms, *serial_ms, *cores_x100,
			*forced;
};

static void report(struct pool_values *v, const struct pool *p, bool gil, const struct batch *b,
		   int nb)
{
	double wall = b->pool_ms > 0 ? (double)b->pool_ms : 1.0;
	double speedup = (double)b->serial_ms / wall, cores = (double)b->cpu_us / 1000.0 / wall;
	long forced = atomic_load(&p->gil->forced);

	cm_value_set(v->tasks_per_s, (long)(b->k * 1000.0 / wall));
	cm_value_set(v->speedup_x100, (long)(speedup * 100));
	cm_value_set(v->batch_ms, b->pool_ms);
	cm_value_set(v->serial_ms, b->serial_ms);
	cm_value_set(v->cores_x100, (long)(cores * 100));
	cm_value_set(v->forced, forced);
	printf("batch %d: %d %s%s: %d x fib(%d) in %ld ms; one thread alone, just before: %ld ms;"
	       " speed-up %.2fx; %.2f cores busy\n",
	       nb, p->size, p->processes ? "processes" : "threads",
	       p->processes ? "" : gil ? ", GIL ON" : ", GIL off", b->k, b->n, b->pool_ms,
	       b->serial_ms, speedup, cores);
	if (!p->processes && gil)
		printf("batch %d: %ld forced GIL hand-offs so far (switch interval %ld ms)\n", nb,
		       forced, atomic_load(&p->gil->interval_ms));
}

int demo_pool_cpu(struct demo_ctx *ctx)
{
	struct gil gil = { .interval_ms = demo_knob_value(ctx, "switch_ms") };
	struct pool p = { .gil_on = demo_knob(ctx, "gil"), .gil = &gil,
			  .mu = PTHREAD_MUTEX_INITIALIZER, .work = PTHREAD_COND_INITIALIZER };
	struct pool_values v = { cm_value_new("tasks_per_s"), cm_value_new("speedup_x100"),
				 cm_value_new("batch_ms"), cm_value_new("serial_ms"),
				 cm_value_new("cores_x100"), cm_value_new("forced_switches") };
	double one_ms = 1;
	int last_n = -1;

	gil_init(&gil);
	pool_start(&p, demo_knob_value(ctx, "processes") != 0, (int)demo_knob_value(ctx, "workers"));
	for (int nb = 1; !demo_should_stop(); nb++) {
		bool procs = demo_knob_value(ctx, "processes") != 0;
		int size = (int)demo_knob_value(ctx, "workers");
		struct batch b = { .n = (int)demo_knob_value(ctx, "fib") };

		atomic_store(&gil.interval_ms, demo_knob_value(ctx, "switch_ms"));
		if (procs != p.processes || size != p.size) {
			printf("main: rebuilding the pool: %d %s\n", size, procs ? "processes" : "threads");
			pool_stop(&p);
			pool_start(&p, procs, size);
		}
		if (b.n != last_n) {    /* a first guess at the batch size */
			long ms = time_serial(b.n, 1);

			one_ms = ms > 0 ? (double)ms : 0.01;
			last_n = b.n;
		}
		b.k = (int)(BASELINE_MS / one_ms);
		b.k = b.k < size ? size : b.k > BATCH_MAX ? BATCH_MAX : b.k;
		b.serial_ms = time_serial(b.n, b.k);
		b.pool_ms = run_batch(&p, b.n, b.k, &b.cpu_us);
		if (b.pool_ms < 0 || demo_should_stop())
			break;
		one_ms = b.serial_ms > 0 ? (double)b.serial_ms / b.k : 0.01;
		report(&v, &p, cm_knob_get(p.gil_on) != 0, &b, nb);
		demo_sleep_ms(REST_MS);
	}
	printf("main: stopping the pool\n");
	pool_stop(&p);
	gil_destroy(&gil);
	pthread_cond_destroy(&p.work);
	pthread_mutex_destroy(&p.mu);
	return 0;
}
