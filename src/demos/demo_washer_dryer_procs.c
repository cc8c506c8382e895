/* demo_washer_dryer_procs.c - the washer and dryer as processes (the
 * seed's multiprocessing version): the queue lives in shared memory, the
 * dryers are "daemon" children (PR_SET_PDEATHSIG): when the washer's
 * process ends they are terminated with it. Fewer dryers: the washer puts a
 * note in the basket and the dryer that finds it leaves. */
#include <signal.h>
#include <stdatomic.h>
#include <stdint.h>
#include <stdio.h>
#include <sys/wait.h>
#include <unistd.h>

#include "cmprobe.h"
#include "common.h"
#include "registry.h"

#define DRYERS_MAX 8
#define LEAVE_NOTE ((intptr_t)-1)

struct laundry {
	struct cm_queue *basket;
	size_t capacity;
	struct cm_knob *wash_ms, *dry_ms;
	pid_t dryers[DRYERS_MAX];
	int alive, notes;           /* dryers running; leave notes not yet taken */
	atomic_long washed;
};

static _Noreturn void dryer(struct laundry *l, pid_t parent, int n)
{
	intptr_t item;
	char role[CM_NAME_MAX];

	signal(SIGTERM, SIG_DFL);   /* a daemon just dies with its parent */
	demo_die_with_parent(parent, SIGTERM);
	snprintf(role, sizeof role, "dryer-%d", n);
	cm_thread_role(role);
	printf("[%d] %s: daemon process started (dies with pid %d)\n", (int)getpid(), role,
	       (int)parent);
	while (cm_queue_get(l->basket, &item)) {
		if (item == LEAVE_NOTE) {
			printf("[%d] %s: found a leave note, going home\n", (int)getpid(), role);
			demo_child_exit(0);
		}
		printf("[%d] %s: drying item %ld (basket %zu/%zu)\n", (int)getpid(), role,
		       (long)item, cm_queue_depth(l->basket), l->capacity);
		sleep_ms(cm_knob_get(l->dry_ms));
	}
	demo_child_exit(0);
}

static void *washer(void *p)
{
	struct laundry *l = p;

	cm_thread_role("washer");
	for (long item = 1; demo_sleep_ms(cm_knob_get(l->wash_ms)); item++) {
		if (cm_queue_depth(l->basket) >= l->capacity)
			printf("washer: basket full (%zu/%zu), waiting\n", l->capacity, l->capacity);
		if (!cm_queue_put(l->basket, (intptr_t)item))
			break;
		atomic_fetch_add(&l->washed, 1);
		printf("washer: washed item %ld -> basket %zu/%zu\n", item,
		       cm_queue_depth(l->basket), l->capacity);
	}
	return NULL;
}

static void reap_dryers(struct laundry *l)
{
	char buf[64];
	pid_t pid;
	int st;

	while ((pid = demo_waitpid(-1, &st, WNOHANG)) > 0) {
		for (int i = 0; i < DRYERS_MAX; i++) {
			if (l->dryers[i] != pid)
				continue;
			l->dryers[i] = 0;
			l->alive--;
			if (WIFEXITED(st) && WEXITSTATUS(st) == 0 && l->notes > 0)
				l->notes--;
			printf("main: dryer pid %d %s\n", (int)pid, demo_status_str(st, buf, sizeof buf));
		}
	}
}

/* Forks dryers or hands out leave notes until want are working. */
static void match_dryers(struct laundry *l, long want)
{
	for (int i = 0; i < DRYERS_MAX && l->alive - l->notes < want; i++) {
		pid_t parent = getpid();

		if (l->dryers[i])
			continue;
		l->dryers[i] = demo_fork();
		if (l->dryers[i] == 0)
			dryer(l, parent, i + 1);
		if (l->dryers[i] < 0) {
			l->dryers[i] = 0;
			return;
		}
		l->alive++;
	}
	while (l->alive - l->notes > want && cm_queue_put(l->basket, LEAVE_NOTE)) {
		l->notes++;
		printf("main: put a leave note in the basket (one dryer fewer)\n");
	}
}

int demo_washer_dryer_procs(struct demo_ctx *ctx)
{
	struct laundry l = {
		.capacity = (size_t)demo_knob_value(ctx, "capacity"),
		.wash_ms = demo_knob(ctx, "wash_ms"),
		.dry_ms = demo_knob(ctx, "dry_ms"),
	};
	struct cm_knob *kd = demo_knob(ctx, "dryers");
	long want = cm_knob_get(kd);
	pthread_t wt;

	cm_thread_role("main");
	l.basket = cm_queue_new("clothes", l.capacity, CM_SHARED);
	printf("main: a shared basket 'clothes' of %zu; dryers are daemon processes\n",
	       l.capacity);
	match_dryers(&l, want);
	demo_thread_start(&wt, washer, &l);
	while (demo_sleep_ms(100)) {
		reap_dryers(&l);
		if (demo_knob_changed(kd, &want))
			printf("main: dryers -> %ld\n", want);
		match_dryers(&l, want);
	}
	cm_queue_close(l.basket);
	demo_thread_join(wt);
	printf("main: washer done after %ld items; exiting without waiting for the dryers:"
	       " as daemons (PR_SET_PDEATHSIG) they are terminated with this process\n",
	       atomic_load(&l.washed));
	return 0;
}
