/* demo_event_gate.c - threads wait at a gate (an event) until it is set.
 * Setting it releases every waiter at once; clearing it stops them at the
 * next pass. The knob "set", SIGUSR1 (toggle) and, once, the auto_ms timer
 * (like the seed's main thread that sleeps 3 s, then sets the event) move it. */
#include <stdio.h>

#include "common.h"
#include "concmon/cmprobe.h"
#include "registry.h"
#include "workers.h"

static void waiter(struct worker *w)
{
	struct cm_event *gate = worker_arg(w);
	unsigned seed = (unsigned)worker_id(w) * 104729u;

	while (!worker_should_go(w)) {
		if (!cm_event_is_set(gate))
			printf("%s: waiting at the gate\n", worker_name(w));
		cm_event_wait(gate);
		if (worker_should_go(w))
			break;
		printf("%s: passed the gate\n", worker_name(w));
		demo_sleep_ms(demo_rand_range(&seed, 300, 700));
	}
}

static void move_gate(struct cm_event *gate, bool open, const char *why)
{
	printf("main: gate %s (%s)\n", open ? "OPEN: every waiter is released" : "CLOSED", why);
	if (open)
		cm_event_set(gate);
	else
		cm_event_clear(gate);
}

int demo_event_gate(struct demo_ctx *ctx)
{
	struct cm_event *gate = cm_event_new("gate", CM_PRIVATE);
	struct cm_knob *kset = demo_knob(ctx, "set");
	long set = cm_knob_get(kset), auto_ms = demo_knob_value(ctx, "auto_ms");
	long nwait = demo_knob_value(ctx, "waiters");
	struct worker_set *ws = workers_new("waiter", (int)nwait, waiter, gate);
	unsigned usr1 = demo_usr1_count();
	long start = demo_now_ms();
	bool touched = set != 0;

	if (set)
		move_gate(gate, true, "knob set=1");
	printf("main: %ld threads wait at the gate; SIGUSR1 or the knob 'set' moves it%s\n", nwait,
	       auto_ms && !set ? ", and it opens by itself once after auto_ms" : "");
	workers_resize(ws, (int)nwait);
	while (demo_sleep_ms(100)) {
		if (demo_knob_changed(kset, &set)) {
			move_gate(gate, set != 0, "knob 'set'");
			touched = true;
		}
		if (demo_usr1_count() != usr1) {
			usr1 = demo_usr1_count();
			set = !cm_event_is_set(gate);
			cm_knob_set(kset, set);
			move_gate(gate, set != 0, "SIGUSR1");
			touched = true;
		}
		if (!touched && auto_ms && demo_now_ms() - start >= auto_ms) {
			set = 1;
			cm_knob_set(kset, set);
			move_gate(gate, true, "auto_ms elapsed");
			touched = true;
		}
	}
	printf("main: stopping: opening the gate so the waiters can leave\n");
	cm_event_set(gate);
	workers_free(ws);
	cm_event_free(gate);
	return 0;
}
