/* demo_semaphore.c - eight workers, one semaphore of three permits: at most
 * three are inside at any time, the others wait in cm_sem_wait. Changing
 * "permits" live replaces the semaphore with one of the new size: workers
 * already inside (or queued) on the old one finish there, new arrivals use
 * the new one, and the old one is freed once nobody uses it. */
#include <pthread.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>

#include "common.h"
#include "concmon/cmprobe.h"
#include "registry.h"
#include "workers.h"

#define OLD_MAX 8

struct gate {
	struct cm_sem *sem;
	long permits;
	int users;                  /* workers waiting on or holding it (under lock) */
};

struct slots {
	pthread_mutex_t lock;       /* bookkeeping only, not part of the lesson */
	struct gate *current;
	struct gate *old[OLD_MAX];
	struct cm_knob *hold_ms;
	atomic_long inside, max_inside;
	struct cm_value *v_inside, *v_max;
};

static struct gate *gate_new(long permits)
{
	struct gate *g = demo_xcalloc(1, sizeof *g);

	g->sem = cm_sem_new("slots", (unsigned)permits, CM_PRIVATE);
	g->permits = permits;
	return g;
}

static struct gate *gate_enter(struct slots *s)
{
	struct gate *g;

	pthread_mutex_lock(&s->lock);
	g = s->current;
	g->users++;
	pthread_mutex_unlock(&s->lock);
	return g;
}

static void gate_leave(struct slots *s, struct gate *g)
{
	pthread_mutex_lock(&s->lock);
	g->users--;
	pthread_mutex_unlock(&s->lock);
}

static void note_inside(struct slots *s, long now)
{
	long max = atomic_load(&s->max_inside);

	while (now > max && !atomic_compare_exchange_weak(&s->max_inside, &max, now))
		;
	cm_value_set(s->v_inside, now);
	cm_value_set(s->v_max, atomic_load(&s->max_inside));
}

static void sem_worker(struct worker *w)
{
	struct slots *s = worker_arg(w);
	unsigned seed = (unsigned)worker_id(w) * 7919u;

	while (!worker_should_go(w)) {
		long in, hold = cm_knob_get(s->hold_ms);
		struct gate *g = gate_enter(s);

		printf("%s: waiting for a slot\n", worker_name(w));
		cm_sem_wait(g->sem);
		in = atomic_fetch_add(&s->inside, 1) + 1;
		note_inside(s, in);
		printf("%s: got a slot (%ld inside, semaphore of %ld)\n", worker_name(w), in,
		       g->permits);
		demo_sleep_ms(demo_rand_range(&seed, hold / 2, hold * 3 / 2));
		note_inside(s, atomic_fetch_sub(&s->inside, 1) - 1);
		printf("%s: released its slot\n", worker_name(w));
		cm_sem_post(g->sem);
		gate_leave(s, g);
		demo_sleep_ms(demo_rand_range(&seed, 100, 300));
	}
}

/* Frees the old semaphores nobody uses any more; returns free old slots. */
static int collect_old(struct slots *s)
{
	int free_slots = 0;

	pthread_mutex_lock(&s->lock);
	for (int i = 0; i < OLD_MAX; i++) {
		if (s->old[i] && s->old[i]->users == 0) {
			cm_sem_free(s->old[i]->sem);
			free(s->old[i]);
			s->old[i] = NULL;
		}
		free_slots += !s->old[i];
	}
	pthread_mutex_unlock(&s->lock);
	return free_slots;
}

static void set_permits(struct slots *s, long permits)
{
	if (collect_old(s) == 0) {
		printf("main: too many old semaphores still in use; try again in a moment\n");
		return;
	}
	pthread_mutex_lock(&s->lock);
	for (int i = 0; i < OLD_MAX; i++) {
		if (!s->old[i]) {
			s->old[i] = s->current;
			break;
		}
	}
	s->current = gate_new(permits);
	pthread_mutex_unlock(&s->lock);
	atomic_store(&s->max_inside, atomic_load(&s->inside));
	printf("main: new semaphore of %ld permits; workers inside the old one finish there\n",
	       permits);
}

/* Wakes every worker that may wait on any semaphore, so they can leave. */
static void wake_all(struct slots *s, long nworkers)
{
	pthread_mutex_lock(&s->lock);
	for (long i = 0; i < nworkers; i++) {
		cm_sem_post(s->current->sem);
		for (int j = 0; j < OLD_MAX; j++)
			if (s->old[j])
				cm_sem_post(s->old[j]->sem);
	}
	pthread_mutex_unlock(&s->lock);
}

int demo_semaphore(struct demo_ctx *ctx)
{
	static struct slots s = { .lock = PTHREAD_MUTEX_INITIALIZER };
	struct cm_knob *kp = demo_knob(ctx, "permits");
	long permits = cm_knob_get(kp), nworkers = demo_knob_value(ctx, "workers");
	struct worker_set *ws;

	s.current = gate_new(permits);
	s.hold_ms = demo_knob(ctx, "hold_ms");
	s.v_inside = cm_value_new("inside");
	s.v_max = cm_value_new("max_inside");
	ws = workers_new("worker", (int)nworkers, sem_worker, &s);
	printf("main: %ld workers share a semaphore 'slots' of %ld permits\n", nworkers, permits);
	workers_resize(ws, (int)nworkers);
	while (demo_sleep_ms(100)) {
		collect_old(&s);
		if (demo_knob_changed(kp, &permits))
			set_permits(&s, permits);
	}
	printf("main: stopping: waking the waiters, joining the workers\n");
	wake_all(&s, nworkers);
	workers_free(ws);
	collect_old(&s);
	cm_sem_free(s.current->sem);
	free(s.current);
	printf("main: at most %ld workers were inside at once\n", atomic_load(&s.max_inside));
	return 0;
}
