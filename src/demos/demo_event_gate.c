/* demo_event_gate.c - threads wait at a gate (an event) until it is set.
 * Setting it releases every waiter at once; clearing it stops them at the
 * next pass. The knob "set", SIGUSR1 (toggle) and, once, the auto_ms timer
 * (like the seed's main thread that sleeps 3 s, then sets the event) move it.
 * With timeout_ms the waiters call wait(timeout) instead: a wait that times
 * out returns false (Python: Event.wait(t) returns False) and the waiter
 * reports it and tries again.
 *
 * The gate is built here the way Python's threading.Event is: a flag, a
 * mutex and a condition variable (the probe's cm_event has no timed wait);
 * a mirror publishes it to concmon as the event "gate". */
#include <errno.h>
#include <pthread.h>
#include <stdio.h>
#include <time.h>

#include "common.h"
#include "concmon/cmprobe.h"
#include "registry.h"
#include "workers.h"

struct gate {
	pthread_mutex_t mu;
	pthread_cond_t cond;
	bool set;
	struct cm_knob *timeout_ms;
	struct cm_value *passed, *timed_out;
	struct cm_mirror *pub;
};

static void gate_init(struct gate *g, struct demo_ctx *ctx)
{
	pthread_mutex_init(&g->mu, NULL);
	demo_cond_init_monotonic(&g->cond);
	g->timeout_ms = demo_knob(ctx, "timeout_ms");
	g->passed = cm_value_new("passed");
	g->timed_out = cm_value_new("timed_out");
	g->pub = cm_mirror_new("gate", CM_MIRROR_EVENT, 0, CM_PRIVATE);
}

static void gate_destroy(struct gate *g)
{
	cm_mirror_free(g->pub);
	pthread_cond_destroy(&g->cond);
	pthread_mutex_destroy(&g->mu);
}

static bool gate_is_set(struct gate *g)
{
	pthread_mutex_lock(&g->mu);
	bool set = g->set;
	pthread_mutex_unlock(&g->mu);
	return set;
}

static void gate_move(struct gate *g, bool open)
{
	pthread_mutex_lock(&g->mu);
	g->set = open;
	cm_mirror_value(g->pub, open);
	if (open)
		pthread_cond_broadcast(&g->cond);
	pthread_mutex_unlock(&g->mu);
}

/* Event.wait(timeout): true once the gate is set, false when timeout_ms
 * (> 0) passed first; 0 waits for as long as it takes. */
static bool gate_wait(struct gate *g, long timeout_ms)
{
	struct timespec dl = demo_deadline_ms(timeout_ms);
	int rc = 0;

	pthread_mutex_lock(&g->mu);
	if (!g->set) {
		cm_mirror_wait(g->pub);
		while (!g->set && rc != ETIMEDOUT)
			rc = timeout_ms > 0 ? pthread_cond_timedwait(&g->cond, &g->mu, &dl)
					    : pthread_cond_wait(&g->cond, &g->mu);
		if (g->set)
			cm_mirror_acquired(g->pub, 1);
		else
			cm_mirror_wait_end(g->pub);
	}
	bool set = g->set;
	pthread_mutex_unlock(&g->mu);
	return set;
}

static void waiter(struct worker *w)
{
	struct gate *g = worker_arg(w);
	unsigned seed = (unsigned)worker_id(w) * 104729u;

	while (!worker_should_go(w)) {
		long timeout = cm_knob_get(g->timeout_ms);

		if (!gate_is_set(g))
			printf("%s: waiting at the gate%s\n", worker_name(w),
			       timeout ? " (with a timeout)" : "");
		if (!gate_wait(g, timeout)) {
			cm_value_add(g->timed_out, 1);
			printf("%s: TIMED OUT after %ld ms: wait() returned false, the gate is still "
			       "closed\n", worker_name(w), timeout);
			continue;
		}
		if (worker_should_go(w))
			break;
		cm_value_add(g->passed, 1);
		printf("%s: passed the gate\n", worker_name(w));
		demo_sleep_ms(demo_rand_range(&seed, 300, 700));
	}
}

static void move_gate(struct gate *g, bool open, const char *why)
{
	printf("main: gate %s (%s)\n", open ? "OPEN: every waiter is released" : "CLOSED", why);
	gate_move(g, open);
}

int demo_event_gate(struct demo_ctx *ctx)
{
	struct gate g = { 0 };
	struct cm_knob *kset = demo_knob(ctx, "set");
	long set = cm_knob_get(kset), auto_ms = demo_knob_value(ctx, "auto_ms");
	long nwait = demo_knob_value(ctx, "waiters");
	unsigned usr1 = demo_usr1_count();
	long start = demo_now_ms();
	bool touched = set != 0;

	gate_init(&g, ctx);
	struct worker_set *ws = workers_new("waiter", (int)nwait, waiter, &g);
	if (set)
		move_gate(&g, true, "knob set=1");
	printf("main: %ld threads wait at the gate; SIGUSR1 or the knob 'set' moves it%s\n", nwait,
	       auto_ms && !set ? ", and it opens by itself once after auto_ms" : "");
	workers_resize(ws, (int)nwait);
	while (demo_sleep_ms(100)) {
		if (demo_knob_changed(kset, &set)) {
			move_gate(&g, set != 0, "knob 'set'");
			touched = true;
		}
		if (demo_usr1_count() != usr1) {
			usr1 = demo_usr1_count();
			set = !gate_is_set(&g);
			cm_knob_set(kset, set);
			move_gate(&g, set != 0, "SIGUSR1");
			touched = true;
		}
		if (!touched && auto_ms && demo_now_ms() - start >= auto_ms) {
			set = 1;
			cm_knob_set(kset, set);
			move_gate(&g, true, "auto_ms elapsed");
			touched = true;
		}
	}
	printf("main: stopping: opening the gate so the waiters can leave\n");
	gate_move(&g, true);
	workers_free(ws);
	gate_destroy(&g);
	return 0;
}
