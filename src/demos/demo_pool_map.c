/* demo_pool_map.c - Python's Pool.map over worker processes, in C. Each
 * round maps f (compute for about task_us, return i*i) over `tasks` items:
 * a task-handler thread feeds chunks of `chunksize` items into the shared
 * queue "tasks", the workers put each finished chunk's number into
 * "results", and main collects them - in the order they finish - into a
 * list in input order. The same items are also run in a plain loop in the
 * same round, so the two times compare under the same load. parmap=1 is the
 * seed's alternative: one process and one pipe per item. Item i takes 1.5x,
 * 1x or 0.5x task_us (by i mod 3) so that they finish out of order. */
#include <errno.h>
#include <poll.h>
#include <signal.h>
#include <stdatomic.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "common.h"
#include "concmon/cmprobe.h"
#include "registry.h"

#define TASKS_MAX 200
#define WORKERS_MAX 8
#define SHOW 12                 /* items or chunks printed per list */

struct shared {                 /* shared with the worker processes */
	atomic_long task_us;
	long out[TASKS_MAX];        /* f(i), written by the worker that ran item i */
	int by[TASKS_MAX];          /* which worker ran it */
};

struct pool {
	int workers, tasks, chunk;
	pid_t pids[WORKERS_MAX];
	struct cm_queue *tq, *rq;   /* "tasks" and "results" */
	struct shared *sh;
	struct cm_value *v_pool, *v_plain, *v_ratio, *v_ooo, *v_msgs, *v_rounds;
};

static long clock_us(clockid_t clock)
{
	struct timespec ts;

	clock_gettime(clock, &ts);
	return (long)ts.tv_sec * 1000000 + ts.tv_nsec / 1000;
}

static long now_us(void)
{
	return clock_us(CLOCK_MONOTONIC);
}

/* The mapped function: computes for its share of task_us of CPU time (of
 * this thread: on a busy machine it takes longer on the wall clock). */
static long f(long i, long task_us)
{
	long end = clock_us(CLOCK_THREAD_CPUTIME_ID) + task_us * (3 - i % 3) / 2;

	while (clock_us(CLOCK_THREAD_CPUTIME_ID) < end)
		;
	return i * i;
}

static intptr_t pack(int start, int len)
{
	return (intptr_t)start | (intptr_t)len << 16;
}

static _Noreturn void pool_worker(struct pool *p, int n, pid_t parent)
{
	char role[CM_NAME_MAX];
	intptr_t msg;

	signal(SIGTERM, SIG_DFL);   /* Pool.terminate(): killed mid-task */
	demo_die_with_parent(parent, SIGTERM);
	snprintf(role, sizeof role, "pool-worker-%d", n);
	cm_thread_role(role);
	while (cm_queue_get(p->tq, &msg)) {
		int start = (int)(msg & 0xffff), len = (int)(msg >> 16);
		long us = atomic_load(&p->sh->task_us);

		for (int i = start; i < start + len; i++) {
			p->sh->out[i] = f(i, us);
			p->sh->by[i] = n;
		}
		if (!cm_queue_put(p->rq, start))
			break;
	}
	demo_child_exit(0);
}

static void *task_handler(void *arg)
{
	struct pool *p = arg;

	cm_thread_role("task-handler");
	for (int s = 0; s < p->tasks; s += p->chunk)
		if (!cm_queue_put(p->tq, pack(s, p->tasks - s < p->chunk ? p->tasks - s : p->chunk)))
			break;
	return NULL;
}

static void list_append(char *buf, size_t len, long v, int i)
{
	size_t at = strlen(buf);

	if (i < SHOW)
		snprintf(buf + at, len - at, "%s%ld", i ? ", " : "", v);
	else if (i == SHOW)
		snprintf(buf + at, len - at, ", ...");
}

/* One Pool.map: feeds, collects in finishing order, returns false on a stop. */
static bool pool_map(struct pool *p, long *out)
{
	char arrived[160] = "";
	int nmsg = (p->tasks + p->chunk - 1) / p->chunk, ooo = 0, top = -1;
	pthread_t th;
	intptr_t start;

	demo_thread_start(&th, task_handler, p);
	for (int m = 0; m < nmsg; m++) {
		if (demo_should_stop() || !cm_queue_get(p->rq, &start))
			break;
		ooo += start < top;
		top = start > top ? (int)start : top;
		list_append(arrived, sizeof arrived, (long)start, m);
		for (int i = (int)start; i < p->tasks && i < start + p->chunk; i++)
			out[i] = p->sh->out[i];
	}
	demo_thread_join(th);
	if (demo_should_stop())
		return false;
	cm_value_set(p->v_ooo, ooo);
	cm_value_set(p->v_msgs, nmsg);
	printf("  %s finished in this order: %s (%d arrived after a later one)\n",
	       p->chunk > 1 ? "chunks (first item)" : "items", arrived, ooo);
	return true;
}

/* The seed's parmap: a process and a pipe per item; results read in order. */
static bool parmap(struct pool *p, long *out)
{
	pid_t pids[TASKS_MAX];
	int fds[TASKS_MAX], n = 0;
	pid_t me = getpid();
	long us = atomic_load(&p->sh->task_us);

	for (; n < p->tasks; n++) {
		int pfd[2];

		if (pipe(pfd) < 0)
			break;
		pids[n] = demo_fork();
		if (pids[n] == 0) {
			long r;

			demo_die_with_parent(me, SIGKILL);
			cm_thread_role("parmap-child");
			r = f(n, us);
			if (write(pfd[1], &r, sizeof r) != sizeof r)
				demo_child_exit(1);
			demo_child_exit(0);
		}
		close(pfd[1]);
		fds[n] = pfd[0];
		if (pids[n] < 0) {
			close(pfd[0]);
			break;
		}
	}
	for (int i = 0; i < n; i++) {  /* read first, then wait: a full pipe would block */
		if (read(fds[i], &out[i], sizeof out[i]) != sizeof out[i])
			out[i] = -1;
		close(fds[i]);
		demo_waitpid(pids[i], NULL, 0);
	}
	cm_value_set(p->v_msgs, n);
	printf("  %d processes, %d pipes: one per item, results read in input order\n", n, n);
	return n == p->tasks && !demo_should_stop();
}

/* The plain loop, timed; repeated (best of 3) while it is short enough
 * for one preemption to spoil it. */
static long plain_loop_us(const struct pool *p)
{
	long best = -1;

	for (int rep = 0; rep < 3 && (best < 0 || best < 20000); rep++) {
		long t0 = now_us(), us = atomic_load(&p->sh->task_us);

		for (int i = 0; i < p->tasks; i++)
			(void)f(i, us);
		if (best < 0 || now_us() - t0 < best)
			best = now_us() - t0;
	}
	return best;
}

static void report(struct pool *p, const long *out, long pool_us, long plain_us, bool pm)
{
	char list[160] = "", per[WORKERS_MAX * 24] = "";
	int ok = 1;

	for (int i = 0; i < p->tasks; i++) {
		ok &= out[i] == (long)i * i;
		list_append(list, sizeof list, out[i], i);
	}
	for (int w = 1; !pm && w <= p->workers; w++) {
		int c = 0;

		for (int i = 0; i < p->tasks; i++)
			c += p->sh->by[i] == w;
		snprintf(per + strlen(per), sizeof per - strlen(per), " worker-%d %d", w, c);
	}
	printf("  map returned in input order: [%s]%s\n", list, ok ? "" : " (WRONG)");
	if (!pm)
		printf("  items per worker:%s\n", per);
	printf("  %s %.1f ms, plain loop %.1f ms: %s/loop = %.2f (%s)\n", pm ? "parmap" : "pool",
	       pool_us / 1000.0, plain_us / 1000.0, pm ? "parmap" : "pool",
	       (double)pool_us / (double)(plain_us ? plain_us : 1),
	       pool_us > plain_us ? "SLOWER than the loop" : "faster than the loop");
	cm_value_set(p->v_pool, pool_us);
	cm_value_set(p->v_plain, plain_us);
	cm_value_set(p->v_ratio, plain_us ? pool_us * 100 / plain_us : 0);
}

/* Python's rule when chunksize is not given: about 4 chunks per worker. */
static int chunk_of(long knob, int tasks, int workers)
{
	int c, extra;

	if (knob > 0)
		return (int)knob;
	c = tasks / (4 * workers);
	extra = tasks % (4 * workers);
	c += extra != 0;
	return c ? c : 1;
}

static bool run_round(struct pool *p, const struct demo_ctx *ctx, int round)
{
	long out[TASKS_MAX], t0, pool_us;
	bool pm = demo_knob_value(ctx, "parmap"), ok;

	p->tasks = (int)demo_knob_value(ctx, "tasks");
	p->chunk = chunk_of(demo_knob_value(ctx, "chunksize"), p->tasks, p->workers);
	atomic_store(&p->sh->task_us, demo_knob_value(ctx, "task_us"));
	memset(out, 0, sizeof out);
	if (pm)
		printf("round %d: parmap(f, %d items), task_us %ld\n", round, p->tasks,
		       atomic_load(&p->sh->task_us));
	else
		printf("round %d: Pool(%d).map(f, %d items, chunksize=%d): %d task messages, "
		       "%d result messages, task_us %ld\n", round, p->workers, p->tasks, p->chunk,
		       (p->tasks + p->chunk - 1) / p->chunk, (p->tasks + p->chunk - 1) / p->chunk,
		       atomic_load(&p->sh->task_us));
	t0 = now_us();
	ok = pm ? parmap(p, out) : pool_map(p, out);
	pool_us = now_us() - t0;
	if (ok)
		report(p, out, pool_us, plain_loop_us(p), pm);
	return ok;
}

static void pool_start(struct pool *p)
{
	pid_t me = getpid();

	p->tq = cm_queue_new("tasks", 64, CM_SHARED);
	p->rq = cm_queue_new("results", 64, CM_SHARED);
	for (int w = 0; w < p->workers; w++) {
		p->pids[w] = demo_fork();
		if (p->pids[w] == 0)
			pool_worker(p, w + 1, me);
	}
}

/* Closes both queues once a stop is requested, so that main, the task
 * handler and the workers blocked on them return (Ctrl-C reaches the whole
 * process group: the workers may be dead already, with no result to come). */
static void *stop_watcher(void *arg)
{
	struct pool *p = arg;
	struct pollfd pfd = { .fd = demo_stop_fd(), .events = POLLIN };

	cm_thread_role("stop-watcher");
	while (poll(&pfd, 1, -1) < 0 && errno == EINTR)
		;
	cm_queue_close(p->tq);
	cm_queue_close(p->rq);
	return NULL;
}

/* Pool.terminate(): no more tasks, workers killed (mid-task or not), reaped. */
static void pool_stop(struct pool *p)
{
	cm_queue_close(p->tq);
	cm_queue_close(p->rq);
	for (int w = 0; w < p->workers; w++)
		if (p->pids[w] > 0) {
			kill(p->pids[w], SIGTERM);
			demo_waitpid(p->pids[w], NULL, 0);
		}
	printf("main: pool terminated, %d workers reaped\n", p->workers);
}

int demo_pool_map(struct demo_ctx *ctx)
{
	struct pool p = { .workers = (int)demo_knob_value(ctx, "workers") };
	pthread_t watcher;

	p.sh = mmap(NULL, sizeof *p.sh, PROT_READ | PROT_WRITE, MAP_SHARED | MAP_ANONYMOUS, -1, 0);
	if (p.sh == MAP_FAILED) {
		perror("concmon-demo: mmap");
		return 1;
	}
	p.v_pool = cm_value_new("map_us");
	p.v_plain = cm_value_new("loop_us");
	p.v_ratio = cm_value_new("map_vs_loop_pct");
	p.v_ooo = cm_value_new("out_of_order");
	p.v_msgs = cm_value_new("messages");
	p.v_rounds = cm_value_new("rounds");
	pool_start(&p);
	demo_thread_start(&watcher, stop_watcher, &p);
	for (int round = 1; !demo_should_stop(); round++) {
		if (run_round(&p, ctx, round))
			cm_value_set(p.v_rounds, round);
		demo_sleep_ms(1000);
	}
	demo_thread_join(watcher);
	pool_stop(&p);
	munmap(p.sh, sizeof *p.sh);
	return 0;
}
