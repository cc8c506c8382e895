/* demo_semaphore.c - eight workers, one semaphore of three permits: at most
 * three are inside at any time, the others wait at cm_sem_wait. Raising
 * "permits" posts extra permits; lowering it makes main take some away
 * (main waits for them like any worker would). */
#include <stdatomic.h>
#include <stdio.h>

#include "cmprobe.h"
#include "common.h"
#include "registry.h"
#include "workers.h"

struct slots {
	struct cm_sem *sem;
	struct cm_knob *hold_ms;
	atomic_long permits;
	atomic_long inside;
	struct cm_value *v_inside, *v_max;
	atomic_long max_inside;
};

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

		printf("%s: waiting for a slot\n", worker_name(w));
		cm_sem_wait(s->sem);
		in = atomic_fetch_add(&s->inside, 1) + 1;
		note_inside(s, in);
		printf("%s: got a slot (%ld inside, %ld permits)%s\n", worker_name(w), in,
		       atomic_load(&s->permits), in > atomic_load(&s->permits) ? " (permits being lowered)" : "");
		demo_sleep_ms(demo_rand_range(&seed, hold / 2, hold * 3 / 2));
		note_inside(s, atomic_fetch_sub(&s->inside, 1) - 1);
		printf("%s: released its slot\n", worker_name(w));
		cm_sem_post(s->sem);
		demo_sleep_ms(demo_rand_range(&seed, 100, 300));
	}
}

/* Gives permits to or takes them from the semaphore to reach want. */
static void set_permits(struct slots *s, long want)
{
	long have = atomic_load(&s->permits);

	printf("main: permits %ld -> %ld\n", have, want);
	for (; have < want; have++)
		cm_sem_post(s->sem);
	for (; have > want && !demo_should_stop(); have--) {
		printf("main: taking a permit away (waiting for a worker to release one)\n");
		cm_sem_wait(s->sem);
	}
	atomic_store(&s->permits, have);
}

int demo_semaphore(struct demo_ctx *ctx)
{
	struct cm_knob *kp = demo_knob(ctx, "permits");
	long permits = cm_knob_get(kp);
	long nworkers = demo_knob_value(ctx, "workers");
	struct slots s = {
		.sem = cm_sem_new("slots", (unsigned)permits, CM_PRIVATE),
		.hold_ms = demo_knob(ctx, "hold_ms"),
		.permits = permits,
		.v_inside = cm_value_new("inside"),
		.v_max = cm_value_new("max_inside"),
	};
	struct worker_set *ws = workers_new("worker", (int)nworkers, sem_worker, &s);

	cm_thread_role("main");
	printf("main: %ld workers share a semaphore 'slots' of %ld permits\n", nworkers, permits);
	workers_resize(ws, (int)nworkers);
	while (demo_sleep_ms(100)) {
		if (demo_knob_changed(kp, &permits))
			set_permits(&s, permits);
	}
	printf("main: stopping: waking the waiters, joining the workers\n");
	for (long i = 0; i < nworkers; i++)
		cm_sem_post(s.sem);
	workers_free(ws);
	cm_sem_free(s.sem);
	printf("main: at most %ld workers were inside at once\n", atomic_load(&s.max_inside));
	return 0;
}
