/* demo_recursive_lock.c - a "monitor" whose methods all take the same lock,
 * and foo() calls itself and ker(). With a plain lock the second lock() in
 * the same thread waits for itself, forever; a recursive lock counts how
 * deep its owner went and lets it in. Switching the knob starts a new
 * monitor; a stuck one stays stuck (nothing can ever unlock it). */
#include <stdatomic.h>
#include <stdio.h>

#include "common.h"
#include "concmon/cmprobe.h"
#include "registry.h"

#define GENERATIONS_MAX 8

struct monitor {
	int gen;
	bool recursive;
	struct cm_mutex *lock;
	struct cm_knob *depth;
	struct cm_value *v_depth;
	atomic_bool retire;
	atomic_bool stuck;          /* worker-1 is about to self-deadlock */
	atomic_int finished;        /* threads that returned */
	pthread_t foo_thread, ker_thread;
};

static bool monitor_go(struct monitor *m)
{
	return atomic_load(&m->retire) || demo_should_stop();
}

/* Takes the monitor's lock; level > 0: this thread already holds it. Named
 * for a TSan suppression (mutex:recursive_lock_reenter), should TSan ever
 * report the deliberate self-deadlock. */
static void recursive_lock_reenter(struct monitor *m, const char *who, int level)
{
	if (!m->recursive && level > 0) {
		printf("%s: re-entering the plain lock I already hold... (this never returns)\n", who);
		atomic_store(&m->stuck, true);
	}
	cm_mutex_lock(m->lock);
}

static void ker(struct monitor *m, const char *who, int level)
{
	recursive_lock_reenter(m, who, level);
	printf("%s: in ker() at depth %d\n", who, level + 1);
	demo_sleep_ms(100);
	cm_mutex_unlock(m->lock);
}

/* foo() takes the lock, then calls itself until depth, then ker(). */
static void foo(struct monitor *m, int level)
{
	recursive_lock_reenter(m, "worker-1", level);
	cm_value_set(m->v_depth, level + 1);
	printf("worker-1: in foo() at depth %d (lock taken %d time%s)\n", level + 1, level + 1,
	       level ? "s" : "");
	demo_sleep_ms(300);
	if (!monitor_go(m)) {
		if (level + 1 < cm_knob_get(m->depth))
			foo(m, level + 1);
		else
			ker(m, "worker-1", level + 1);
	}
	cm_value_set(m->v_depth, level);
	cm_mutex_unlock(m->lock);
}

static void *foo_main(void *p)
{
	struct monitor *m = p;

	cm_thread_role("worker-1");
	while (!monitor_go(m)) {
		foo(m, 0);
		demo_sleep_ms(300);
	}
	atomic_fetch_add(&m->finished, 1);
	return NULL;
}

static void *ker_main(void *p)
{
	struct monitor *m = p;

	cm_thread_role("worker-2");
	while (!monitor_go(m)) {
		printf("worker-2: calling ker()\n");
		ker(m, "worker-2", 0);
		demo_sleep_ms(400);
	}
	atomic_fetch_add(&m->finished, 1);
	return NULL;
}

static void monitor_start(struct monitor *m, int gen, bool recursive, struct demo_ctx *ctx,
			  struct cm_value *v_depth)
{
	m->gen = gen;
	m->recursive = recursive;
	m->lock = cm_mutex_new(recursive ? "rlock" : "plain-lock", recursive, CM_PRIVATE);
	m->depth = demo_knob(ctx, "depth");
	m->v_depth = v_depth;
	printf("main: monitor #%d with a %s lock\n", gen, recursive ? "RECURSIVE" : "plain");
	demo_thread_start(&m->foo_thread, foo_main, m);
	demo_thread_start(&m->ker_thread, ker_main, m);
}

/* Joins a monitor's threads unless they are deadlocked (then they stay). */
static void monitor_retire(struct monitor *m)
{
	atomic_store(&m->retire, true);
	while (atomic_load(&m->finished) < 2 && !atomic_load(&m->stuck))
		sleep_ms(10);
	if (atomic_load(&m->stuck)) {
		printf("main: monitor #%d stays deadlocked: nobody can unlock its plain lock\n", m->gen);
		return;
	}
	demo_thread_join(m->foo_thread);
	demo_thread_join(m->ker_thread);
	cm_mutex_free(m->lock);
}

int demo_recursive_lock(struct demo_ctx *ctx)
{
	static struct monitor mons[GENERATIONS_MAX];
	struct cm_value *v_depth = cm_value_new("depth");
	struct cm_knob *kr = demo_knob(ctx, "recursive");
	long recursive = cm_knob_get(kr);
	int gen = 0;

	monitor_start(&mons[gen], gen + 1, recursive != 0, ctx, v_depth);
	while (demo_sleep_ms(100)) {
		if (!demo_knob_changed(kr, &recursive))
			continue;
		if (gen + 1 >= GENERATIONS_MAX) {
			printf("main: too many monitors already; knob ignored\n");
			continue;
		}
		monitor_retire(&mons[gen]);
		gen++;
		monitor_start(&mons[gen], gen + 1, recursive != 0, ctx, v_depth);
	}
	printf("main: stopping\n");
	for (int i = 0; i <= gen; i++)
		if (!atomic_load(&mons[i].retire))
			monitor_retire(&mons[i]);
	printf("main: bye (deadlocked threads, if any, end with the process)\n");
	return 0;
}
