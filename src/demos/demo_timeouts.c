/* demo_timeouts.c - waiting with a timeout: the wait returns when its time
 * is up, whether or not what it waited for happened. Each round main does
 * three waits of `timeout` ms while a helper thread acts after `act_ms`:
 * - join(timeout): the worker ends after act_ms; like Python's join, main
 *   waits with a deadline for the worker's "ended" flag (set as it returns),
 *   then pthread_join()s it, which no longer blocks;
 * - get(timeout): the producer puts an item after act_ms (a queue whose get
 *   waits on a condition with a deadline: Python's queue.Empty on timeout);
 * - Event.wait(timeout): the setter sets the event after act_ms.
 * act_ms < timeout: each succeeds; act_ms > timeout: each times out.
 * Waits are cut in slices of at most 100 ms only so that SIGTERM is noticed;
 * the deadline stays the one given. The queue and the event are real
 * pthread objects published through probe mirrors (cm_qmirror, cm_mirror). */
#include <pthread.h>
#include <stdio.h>
#include <time.h>

#include "common.h"
#include "concmon/cmprobe.h"
#include "registry.h"

#define SLICE_MS 100

enum scene { S_JOIN, S_GET, S_WAIT };

struct timeouts {
	pthread_mutex_t mu;
	pthread_cond_t cv;          /* CLOCK_MONOTONIC: an item or the event */
	int items;                  /* the queue "box" (depth; the item is its number) */
	bool event_set;
	bool worker_alive;          /* is_alive() of the join scene's worker */
	enum scene scene;
	long act_ms;
	struct cm_qmirror *qm;
	struct cm_mirror *em;
	struct cm_value *v_timeouts, *v_successes;
};

static void abs_in(struct timespec *ts, clockid_t clock, long ms)
{
	clock_gettime(clock, ts);
	ts->tv_sec += ms / 1000;
	ts->tv_nsec += (ms % 1000) * 1000000L;
	if (ts->tv_nsec >= 1000000000L) {
		ts->tv_sec++;
		ts->tv_nsec -= 1000000000L;
	}
}

static long min_l(long a, long b)
{
	return a < b ? a : b;
}

/* The helper of the current scene: after act_ms it ends (the worker), puts
 * (the producer) or sets (the setter); a stop ends it without acting. */
static void *helper(void *p)
{
	static const char *const roles[] = { "worker", "producer", "setter" };
	struct timeouts *t = p;
	bool acts;

	cm_thread_role(roles[t->scene]);
	acts = demo_sleep_ms(t->act_ms);

	pthread_mutex_lock(&t->mu);
	if (acts && t->scene == S_GET) {
		t->items++;
		cm_qmirror_put(t->qm);
	} else if (acts && t->scene == S_WAIT) {
		t->event_set = true;
		cm_mirror_value(t->em, 1);
	}
	t->worker_alive = false;    /* ends now: what join(timeout) waits for */
	pthread_cond_broadcast(&t->cv);
	pthread_mutex_unlock(&t->mu);
	return NULL;
}

static bool ready(const struct timeouts *t)
{
	if (t->scene == S_JOIN)
		return !t->worker_alive;
	return t->scene == S_GET ? t->items > 0 : t->event_set;
}

/* Waits until ready or timeout ms passed (or a stop): true when ready. */
static bool timed_wait(struct timeouts *t, long timeout)
{
	long deadline = demo_now_ms() + timeout;
	struct timespec ts;
	bool ok;

	pthread_mutex_lock(&t->mu);
	while (!ready(t) && !demo_should_stop() && demo_now_ms() < deadline) {
		abs_in(&ts, CLOCK_MONOTONIC, min_l(deadline - demo_now_ms(), SLICE_MS));
		pthread_cond_timedwait(&t->cv, &t->mu, &ts);
	}
	ok = ready(t);
	if (ok && t->scene == S_GET)
		t->items--;
	pthread_mutex_unlock(&t->mu);
	return ok;
}

static void count(struct timeouts *t, bool ok)
{
	cm_value_add(ok ? t->v_successes : t->v_timeouts, 1);
}

static void scene_join(struct timeouts *t, pthread_t th, long timeout)
{
	long start = demo_now_ms();
	bool ended = timed_wait(t, timeout);
	long took = demo_now_ms() - start;
	bool alive;

	if (ended) {
		demo_thread_join(th);
		printf("join(timeout=%ld) returned after %ld ms: worker finished, is_alive() false\n",
		       timeout, took);
		count(t, true);
		return;
	}
	pthread_mutex_lock(&t->mu);
	alive = t->worker_alive;
	pthread_mutex_unlock(&t->mu);
	printf("join(timeout=%ld): timed out after %ld ms, worker still alive (is_alive() %s)\n",
	       timeout, took, alive ? "true" : "false");
	count(t, false);
	demo_thread_join(th);
	printf("  join() without a timeout: the worker ended %ld ms after the start\n",
	       demo_now_ms() - start);
}

static void scene_wait(struct timeouts *t, pthread_t th, long timeout)
{
	long start = demo_now_ms();
	bool ok;

	if (t->scene == S_GET)
		cm_qmirror_wait(t->qm, false);
	else
		cm_mirror_wait(t->em);
	ok = timed_wait(t, timeout);
	if (t->scene == S_GET)
		ok ? cm_qmirror_get(t->qm) : cm_qmirror_wait_end(t->qm, false);
	else
		ok ? cm_mirror_acquired(t->em, 1) : cm_mirror_wait_end(t->em);
	if (t->scene == S_GET && ok)
		printf("get(timeout=%ld): got the item after %ld ms\n", timeout,
		       demo_now_ms() - start);
	else if (t->scene == S_GET)
		printf("get(timeout=%ld): timed out after %ld ms: raises queue.Empty\n", timeout,
		       demo_now_ms() - start);
	else
		printf("Event.wait(%ld) returned %s after %ld ms%s\n", timeout, ok ? "True" : "False",
		       demo_now_ms() - start, ok ? " (the setter set it)" : ": timed out, not set");
	count(t, ok);
	demo_thread_join(th);
}

/* Empties the box and clears the event: a late item or set is for no one. */
static void reset(struct timeouts *t)
{
	pthread_mutex_lock(&t->mu);
	if (t->items)
		printf("  the late item arrived after the get() gave up: left unread, dropped\n");
	for (; t->items > 0; t->items--)
		cm_qmirror_get(t->qm);
	t->event_set = false;
	cm_mirror_value(t->em, 0);
	pthread_mutex_unlock(&t->mu);
}

static void run_scene(struct timeouts *t, enum scene s, long timeout, long act_ms)
{
	pthread_t th;

	t->scene = s;
	t->act_ms = act_ms;
	t->worker_alive = true;     /* before the thread exists: no lock needed */
	demo_thread_start(&th, helper, t);
	if (s == S_JOIN)
		scene_join(t, th, timeout);
	else
		scene_wait(t, th, timeout);
	reset(t);
}

static void init(struct timeouts *t)
{
	pthread_condattr_t ca;

	pthread_mutex_init(&t->mu, NULL);
	pthread_condattr_init(&ca);
	pthread_condattr_setclock(&ca, CLOCK_MONOTONIC);
	pthread_cond_init(&t->cv, &ca);
	pthread_condattr_destroy(&ca);
	t->qm = cm_qmirror_new("box", 0, CM_PRIVATE);
	t->em = cm_mirror_new("ready", CM_MIRROR_EVENT, 0, CM_PRIVATE);
	t->v_timeouts = cm_value_new("timeouts");
	t->v_successes = cm_value_new("successes");
}

int demo_timeouts(struct demo_ctx *ctx)
{
	struct timeouts t = { .items = 0 };
	struct cm_value *rounds;

	init(&t);
	rounds = cm_value_new("rounds");
	cm_thread_role("main");
	for (int round = 1; !demo_should_stop(); round++) {
		long timeout = demo_knob_value(ctx, "timeout");
		long act_ms = demo_knob_value(ctx, "act_ms");

		printf("round %d: every wait has timeout=%ld ms; the helper acts after %ld ms\n",
		       round, timeout, act_ms);
		for (enum scene s = S_JOIN; s <= S_WAIT && !demo_should_stop(); s++)
			run_scene(&t, s, timeout, act_ms);
		if (!demo_should_stop())
			cm_value_set(rounds, round);
		demo_sleep_ms(1000);
	}
	cm_mirror_free(t.em);
	cm_qmirror_free(t.qm);
	pthread_cond_destroy(&t.cv);
	pthread_mutex_destroy(&t.mu);
	return 0;
}
