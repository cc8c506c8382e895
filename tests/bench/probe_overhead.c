/* probe_overhead - what the probe costs on its fast paths, with telemetry
 * active (a segment made by telemetry_create(), as concmon makes it):
 *   - uncontended cm_mutex lock+unlock vs bare pthread_mutex lock+unlock
 *   - cm_queue put+get vs the same ring queue without instrumentation
 * each measured twice: while the process is single-threaded (glibc then
 * locks without atomics) and after a thread has run. Goal: ratio <= 1.5.
 * Every figure is the median of several rounds, all in this one run; the
 * ratio is the median of each round's ratio (bare and probed back to back).
 *
 * usage: probe_overhead [--smoke]   (--smoke: tiny counts, exit 0 if it ran)
 * Exit status 1 when a ratio misses the goal (not in --smoke). */
#include <pthread.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "concmon/cmprobe.h"
#include "telemetry/telemetry.h"
#include "median.h"

#define GOAL 1.5
#define QCAP 64
#define MAX_ROUNDS 15

/* ---- the uninstrumented twin of cm_queue: same ring, same signalling ---- */

struct bare_queue {
	pthread_mutex_t mtx;
	pthread_cond_t not_full, not_empty;
	size_t cap, head, count;
	unsigned wait_put, wait_get;
	int closed;
	intptr_t items[QCAP];
};

static void bare_init(struct bare_queue *q)
{
	memset(q, 0, sizeof *q);
	pthread_mutex_init(&q->mtx, NULL);
	pthread_cond_init(&q->not_full, NULL);
	pthread_cond_init(&q->not_empty, NULL);
	q->cap = QCAP;
}

/* noinline: cm_queue_put is a call into a library, so is this. */
__attribute__((noinline)) static int bare_put(struct bare_queue *q, intptr_t item)
{
	pthread_mutex_lock(&q->mtx);
	if (q->count == q->cap && !q->closed) {
		q->wait_put++;
		do
			pthread_cond_wait(&q->not_full, &q->mtx);
		while (!q->closed && q->count == q->cap);
		q->wait_put--;
	}
	if (q->closed) {
		pthread_mutex_unlock(&q->mtx);
		return 0;
	}
	size_t tail = q->head + q->count;
	if (tail >= q->cap)
		tail -= q->cap;
	q->items[tail] = item;
	q->count++;
	if (q->wait_get)
		pthread_cond_signal(&q->not_empty);
	pthread_mutex_unlock(&q->mtx);
	return 1;
}

__attribute__((noinline)) static int bare_get(struct bare_queue *q, intptr_t *item)
{
	pthread_mutex_lock(&q->mtx);
	if (q->count == 0 && !q->closed) {
		q->wait_get++;
		do
			pthread_cond_wait(&q->not_empty, &q->mtx);
		while (!q->closed && q->count == 0);
		q->wait_get--;
	}
	if (q->count == 0) {
		pthread_mutex_unlock(&q->mtx);
		return 0;
	}
	*item = q->items[q->head];
	if (++q->head == q->cap)
		q->head = 0;
	q->count--;
	if (q->wait_put)
		pthread_cond_signal(&q->not_full);
	pthread_mutex_unlock(&q->mtx);
	return 1;
}

/* ---- measurement ---- */

struct subjects {
	pthread_mutex_t bare_mutex;
	struct cm_mutex *cm_mutex;
	struct bare_queue bare_queue;
	struct cm_queue *cm_queue;
	long n;
	intptr_t sink;
};

/* CPU time of this thread: what an operation costs, without the time
 * other processes on a busy machine take the CPU away. */
static double now(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_THREAD_CPUTIME_ID, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec * 1e-9;
}

/* Each loop keeps what it uses in registers: no stack traffic of its own. */
static void run_bare_mutex(struct subjects *s)
{
	pthread_mutex_t *m = &s->bare_mutex;
	for (long i = 0, n = s->n; i < n; i++) {
		pthread_mutex_lock(m);
		pthread_mutex_unlock(m);
	}
}

static void run_cm_mutex(struct subjects *s)
{
	struct cm_mutex *m = s->cm_mutex;
	for (long i = 0, n = s->n; i < n; i++) {
		cm_mutex_lock(m);
		cm_mutex_unlock(m);
	}
}

static void run_bare_queue(struct subjects *s)
{
	struct bare_queue *q = &s->bare_queue;
	intptr_t v, sum = 0;
	for (long i = 0, n = s->n; i < n; i++) {
		bare_put(q, i);
		bare_get(q, &v);
		sum += v;
	}
	s->sink += sum;
}

static void run_cm_queue(struct subjects *s)
{
	struct cm_queue *q = s->cm_queue;
	intptr_t v, sum = 0;
	for (long i = 0, n = s->n; i < n; i++) {
		cm_queue_put(q, i);
		cm_queue_get(q, &v);
		sum += v;
	}
	s->sink += sum;
}

/* Alternates bare and instrumented rounds, so that both see the machine in
 * the same state (a busy neighbour slows both); the ratio is the median of
 * the per-round ratios. Prints ns per operation of each, the ratio, and
 * PASS/FAIL. */
static int compare(const char *what, void (*bare)(struct subjects *),
		   void (*probed)(struct subjects *), struct subjects *s, int rounds)
{
	double tb[MAX_ROUNDS], tp[MAX_ROUNDS], tr[MAX_ROUNDS];
	bare(s);                        /* warm up */
	probed(s);
	for (int r = 0; r < rounds; r++) {
		double t0 = now();
		bare(s);
		double t1 = now();
		probed(s);
		double t2 = now();
		tb[r] = (t1 - t0) * 1e9 / (double)s->n;
		tp[r] = (t2 - t1) * 1e9 / (double)s->n;
		tr[r] = tp[r] / tb[r];
	}
	double ratio = median(tr, rounds);
	int ok = ratio <= GOAL;
	printf("%-44s bare %7.2f ns  probed %7.2f ns  ratio %5.2f  goal <= %.1f  %s\n",
	       what, median(tb, rounds), median(tp, rounds), ratio, GOAL, ok ? "PASS" : "FAIL");
	return ok;
}

static void *nothing(void *arg)
{
	return arg;
}

/* The probe really published: the mutex's acquisitions are in the segment. */
static void show_telemetry(struct telemetry *t)
{
	static struct telemetry_snapshot snap;
	char err[128];
	if (telemetry_read(t, &snap, err, sizeof err) < 0) {
		printf("telemetry: segment invalid: %s\n", err);
		return;
	}
	for (size_t i = 0; i < snap.n_locks; i++)
		if (strcmp(snap.locks[i].name, "bench-mutex") == 0)
			printf("telemetry: bench-mutex published %llu acquisitions, hold %.3f s\n",
			       (unsigned long long)snap.locks[i].acquisitions,
			       (double)snap.locks[i].hold_ns_total * 1e-9);
	for (size_t i = 0; i < snap.n_queues; i++)
		if (strcmp(snap.queues[i].name, "bench-queue") == 0)
			printf("telemetry: bench-queue published %llu puts, %llu gets\n",
			       (unsigned long long)snap.queues[i].puts,
			       (unsigned long long)snap.queues[i].gets);
}

static struct telemetry *telemetry_on(void)
{
	char err[256], fd[32];
	struct telemetry *t = telemetry_create(err, sizeof err);
	if (!t) {
		fprintf(stderr, "probe_overhead: %s\n", err);
		exit(2);
	}
	snprintf(fd, sizeof fd, "%d", telemetry_fd(t));
	setenv(CM_TELEMETRY_ENV, fd, 1);
	if (!cm_init()) {
		fprintf(stderr, "probe_overhead: the probe did not map the segment\n");
		exit(2);
	}
	return t;
}

int main(int argc, char **argv)
{
	int smoke = argc > 1 && strcmp(argv[1], "--smoke") == 0;
	int rounds = smoke ? 3 : 15;
	struct telemetry *t = telemetry_on();
	struct subjects s = { .n = smoke ? 1000 : 1000000 };
	pthread_mutex_init(&s.bare_mutex, NULL);
	s.cm_mutex = cm_mutex_new("bench-mutex", false, CM_PRIVATE);
	bare_init(&s.bare_queue);
	s.cm_queue = cm_queue_new("bench-queue", QCAP, CM_PRIVATE);

	printf("probe overhead, %ld operations x %d rounds, medians of CPU time and of per-round "
	       "ratios, telemetry active\n", s.n, rounds);
	int ok = 1;
	ok &= compare("mutex lock+unlock (single-threaded process)", run_bare_mutex,
		      run_cm_mutex, &s, rounds);
	ok &= compare("queue put+get     (single-threaded process)", run_bare_queue,
		      run_cm_queue, &s, rounds);
	pthread_t th;                   /* from now on glibc uses atomics */
	pthread_create(&th, NULL, nothing, NULL);
	pthread_join(th, NULL);
	ok &= compare("mutex lock+unlock (after a thread has run)", run_bare_mutex,
		      run_cm_mutex, &s, rounds);
	ok &= compare("queue put+get     (after a thread has run)", run_bare_queue,
		      run_cm_queue, &s, rounds);
	show_telemetry(t);
	printf("overall: %s\n", ok ? "PASS" : "FAIL");

	cm_queue_free(s.cm_queue);
	cm_mutex_free(s.cm_mutex);
	pthread_mutex_destroy(&s.bare_mutex);
	telemetry_free(t);
	return smoke || ok ? 0 : 1;
}
