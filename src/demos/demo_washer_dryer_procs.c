/* demo_washer_dryer_procs.c - the washer and dryer as processes (the
 * seed's multiprocessing version): the queue lives in shared memory, the
 * dryers are "daemon" children (PR_SET_PDEATHSIG: the kernel's way, where
 * Python's exit handler calls terminate()): when the washer's process ends
 * they are terminated with it. Fewer dryers: the washer puts a
 * note in the basket and the dryer that finds it leaves. */
#include <signal.h>
#include <stdatomic.h>
#include <stdint.h>
#include <stdio.h>
#include <sys/wait.h>
#include <unistd.h>

#include "common.h"
#include "concmon/cmprobe.h"
#include "laundry.h"
#include "registry.h"

#define DRYERS_MAX 8
#define LEAVE_NOTE ((intptr_t)-1)

struct laundromat {
	struct laundry l;
	pid_t dryers[DRYERS_MAX];
	int alive, notes;           /* dryers running; leave notes not yet taken */
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
	cm_thread_role("washer");
	while (laundry_wash_one(p, "washer"))
		;
	return NULL;
}

static void reap_dryers(struct laundromat *m)
{
	char buf[64];
	pid_t pid;
	int st;

	while ((pid = demo_waitpid(-1, &st, WNOHANG)) > 0) {
		for (int i = 0; i < DRYERS_MAX; i++) {
			if (m->dryers[i] != pid)
				continue;
			m->dryers[i] = 0;
			m->alive--;
			if (WIFEXITED(st) && WEXITSTATUS(st) == 0 && m->notes > 0)
				m->notes--;
			printf("main: dryer pid %d %s\n", (int)pid, demo_status_str(st, buf, sizeof buf));
		}
	}
}

/* Forks dryers or hands out leave notes until want are working. */
static void match_dryers(struct laundromat *m, long want)
{
	for (int i = 0; i < DRYERS_MAX && m->alive - m->notes < want; i++) {
		pid_t parent = getpid();

		if (m->dryers[i])
			continue;
		m->dryers[i] = demo_fork();
		if (m->dryers[i] == 0)
			dryer(&m->l, parent, i + 1);
		if (m->dryers[i] < 0) {
			m->dryers[i] = 0;
			return;
		}
		m->alive++;
	}
	while (m->alive - m->notes > want && cm_queue_put(m->l.basket, LEAVE_NOTE)) {
		m->notes++;
		printf("main: put a leave note in the basket (one dryer fewer)\n");
	}
}

int demo_washer_dryer_procs(struct demo_ctx *ctx)
{
	struct laundromat m = { .alive = 0 };
	struct cm_knob *kd = demo_knob(ctx, "dryers");
	long want = cm_knob_get(kd);
	pthread_t wt;

	laundry_init(&m.l, ctx, CM_SHARED);
	printf("main: a shared basket 'clothes' of %zu; dryers are daemon processes\n",
	       m.l.capacity);
	match_dryers(&m, want);
	demo_thread_start(&wt, washer, &m.l);
	while (demo_sleep_ms(100)) {
		reap_dryers(&m);
		if (demo_knob_changed(kd, &want))
			printf("main: dryers -> %ld\n", want);
		match_dryers(&m, want);
	}
	cm_queue_close(m.l.basket);
	demo_thread_join(wt);
	printf("main: washer done after %ld items; exiting without waiting for the dryers:"
	       " as daemons (PR_SET_PDEATHSIG) they are terminated with this process\n",
	       atomic_load(&m.l.washed));
	return 0;
}
