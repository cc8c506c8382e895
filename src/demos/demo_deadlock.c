/* demo_deadlock.c - two threads, two locks, opposite order: each takes
 * one fork, then waits forever for the fork the other one holds. With
 * ordered=1 both take fork-1 first and they eat in turn, forever. */
#include <stdatomic.h>
#include <stdio.h>

#include "common.h"
#include "concmon/cmprobe.h"
#include "registry.h"

struct philosopher {
	const char *name;
	struct cm_mutex *first, *second;
	const char *first_name, *second_name;
	pthread_t thread;
	atomic_bool waiting;        /* holds first, blocked on second */
	atomic_bool done;
};

/* Named so a TSan suppression can find it (deadlock:deadlock_philosopher):
 * the lock-order inversion here is the lesson. */
static void *deadlock_philosopher(void *p)
{
	struct philosopher *ph = p;

	cm_thread_role(ph->name);
	for (unsigned meal = 1; !demo_should_stop(); meal++) {
		cm_mutex_lock(ph->first);
		printf("%s: holding %s, thinking a moment\n", ph->name, ph->first_name);
		if (!demo_sleep_ms(300)) {
			cm_mutex_unlock(ph->first);     /* stopping before the trap closes */
			break;
		}
		printf("%s: now waiting for %s\n", ph->name, ph->second_name);
		atomic_store(&ph->waiting, true);
		cm_mutex_lock(ph->second);
		atomic_store(&ph->waiting, false);
		printf("%s: holding both forks, eating meal %u\n", ph->name, meal);
		demo_sleep_ms(200);
		cm_mutex_unlock(ph->second);
		cm_mutex_unlock(ph->first);
		demo_sleep_ms(100);
	}
	atomic_store(&ph->done, true);
	return NULL;
}

static bool deadlocked(struct philosopher *ph)
{
	return atomic_load(&ph[0].waiting) && atomic_load(&ph[1].waiting);
}

/* Joins the philosophers, unless they are deadlocked (then nothing can
 * end them but the end of the process). Returns true when joined. */
static bool finish(struct philosopher *ph)
{
	while (!(atomic_load(&ph[0].done) && atomic_load(&ph[1].done))) {
		if (deadlocked(ph))
			return false;
		sleep_ms(10);
	}
	for (int i = 0; i < 2; i++)
		demo_thread_join(ph[i].thread);
	return true;
}

int demo_deadlock(struct demo_ctx *ctx)
{
	/* static: deadlocked threads use these until the process is gone */
	static struct philosopher ph[2];
	struct cm_mutex *f1 = cm_mutex_new("fork-1", false, CM_PRIVATE);
	struct cm_mutex *f2 = cm_mutex_new("fork-2", false, CM_PRIVATE);
	bool ordered = demo_knob_value(ctx, "ordered") != 0;
	int stuck = 0;

	ph[0] = (struct philosopher){ .name = "philosopher-A", .first = f1, .second = f2,
				      .first_name = "fork-1", .second_name = "fork-2" };
	ph[1] = (struct philosopher){ .name = "philosopher-B", .first = ordered ? f1 : f2,
				      .second = ordered ? f2 : f1,
				      .first_name = ordered ? "fork-1" : "fork-2",
				      .second_name = ordered ? "fork-2" : "fork-1" };
	printf("main: A takes fork-1 then fork-2; B takes %s\n",
	       ordered ? "them in the same order (no deadlock)" : "fork-2 then fork-1 (deadlock!)");
	for (int i = 0; i < 2; i++)
		demo_thread_start(&ph[i].thread, deadlock_philosopher, &ph[i]);
	while (demo_sleep_ms(1000)) {
		stuck = deadlocked(ph) ? stuck + 1 : 0;
		if (stuck == 1 || (stuck && stuck % 10 == 0))
			printf("main: DEADLOCK: A holds %s and waits for %s, B holds %s and waits for "
			       "%s; neither will ever let go\n", ph[0].first_name, ph[0].second_name,
			       ph[1].first_name, ph[1].second_name);
	}
	if (!finish(ph)) {
		printf("main: stopping; the two deadlocked threads end with the process\n");
		return 0;
	}
	cm_mutex_free(f1);
	cm_mutex_free(f2);
	printf("main: both philosophers joined, bye\n");
	return 0;
}
