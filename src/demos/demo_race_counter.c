/* demo_race_counter.c - `count += 1` is a read, an add and a write: two
 * threads that interleave them lose updates. Each round starts "threads"
 * threads that add "increments" each, then compares expected and actual.
 * With the knob lock=1 the same code runs under a mutex and loses nothing. */
#include <pthread.h>
#include <sched.h>
#include <stdatomic.h>
#include <stdio.h>

#include "common.h"
#include "concmon/cmprobe.h"
#include "registry.h"

#define THREADS_MAX 16

/* The shared counter, deliberately unprotected when lock=0. */
static long count;

struct round {
	pthread_barrier_t start;
	struct cm_mutex *lock;
	bool locked;
	long increments;
};

/* The deliberate data race (TSan suppression: race:race_counter_unsafe_increment).
 * Read, dawdle a little (so the race shows even on two cores), write back.
 * Every 128th time the dawdling is a 1 ms sleep (a slow step inside the
 * critical section, like a log write): with the lock, the other threads
 * then wait long enough for the lock panel to show them. */
__attribute__((noinline, no_sanitize("thread")))
static void race_counter_unsafe_increment(unsigned i)
{
	long seen = count;

	if ((i & 127) == 0)
		sleep_ms(1);
	else if ((i & 63) == 0)
		sched_yield();
	for (int spin = 0; spin < 50; spin++)
		__asm__ volatile("" ::: "memory");
	count = seen + 1;
}

static void *counter_thread(void *p)
{
	struct round *r = p;

	cm_thread_role("counter");
	pthread_barrier_wait(&r->start);
	for (long i = 0; i < r->increments; i++) {
		if ((i & 1023) == 0 && demo_should_stop())
			break;
		if (r->locked)
			cm_mutex_lock(r->lock);
		race_counter_unsafe_increment((unsigned)i);
		if (r->locked)
			cm_mutex_unlock(r->lock);
	}
	return NULL;
}

static long run_round(struct round *r, int threads)
{
	pthread_t t[THREADS_MAX];

	count = 0;
	pthread_barrier_init(&r->start, NULL, (unsigned)threads);
	for (int i = 0; i < threads; i++)
		demo_thread_start(&t[i], counter_thread, r);
	for (int i = 0; i < threads; i++)
		demo_thread_join(t[i]);
	pthread_barrier_destroy(&r->start);
	return count;
}

int demo_race_counter(struct demo_ctx *ctx)
{
	struct round r = { .lock = cm_mutex_new("count-lock", false, CM_PRIVATE) };
	struct cm_value *v_expected = cm_value_new("expected");
	struct cm_value *v_actual = cm_value_new("actual");
	struct cm_value *v_lost = cm_value_new("lost");
	struct cm_value *v_lost_total = cm_value_new("lost_total");
	struct cm_value *v_rounds = cm_value_new("rounds");
	long lost_total = 0;

	for (long n = 1; !demo_should_stop(); n++) {
		int threads = (int)demo_knob_value(ctx, "threads");
		long expected, actual;

		r.locked = demo_knob_value(ctx, "lock") != 0;
		r.increments = demo_knob_value(ctx, "increments");
		expected = threads * r.increments;
		actual = run_round(&r, threads);
		if (demo_should_stop())
			break;      /* an interrupted round proves nothing */
		lost_total += expected - actual;
		cm_value_set(v_expected, expected);
		cm_value_set(v_actual, actual);
		cm_value_set(v_lost, expected - actual);
		cm_value_set(v_lost_total, lost_total);
		cm_value_set(v_rounds, n);
		printf("round %ld: %d threads x %ld increments, %s: expected %ld, actual %ld, lost %ld\n",
		       n, threads, r.increments, r.locked ? "with the lock" : "NO lock",
		       expected, actual, expected - actual);
		demo_sleep_ms(500);
	}
	cm_mutex_free(r.lock);
	printf("main: stopped after losing %ld updates in all\n", lost_total);
	return 0;
}
