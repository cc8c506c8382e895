/* replay_run.c - see replay_run.h. The snapshots go through the same
 * printer as live ones, so a replay's JSON has the live shape; what was
 * not recorded (programs' telemetry and output, the deadlock rings) is
 * printed empty. */
#include "app/replay_run.h"

#include <stdio.h>

#include "model/deadlock.h"
#include "model/events.h"
#include "record/replay.h"
#include "report/batch.h"

/* Prints snapshot i of r; -1 on a bad snapshot or a closed stdout. */
static int print_frame(struct replay *r, size_t i, struct batch *b, struct events *ev,
		       const struct deadlocks *none, const struct options *o)
{
	struct replay_frame f;
	char err[256];
	if (replay_frame(r, i, &f, err, sizeof err) < 0) {
		fprintf(stderr, "concmon: --replay %s: snapshot %zu: %s\n", o->replay, i + 1, err);
		return -1;
	}
	for (size_t k = 0; k < f.nevents; k++)
		events_add_recorded(ev, f.events[k]);
	const char *cont = replay_containment(r);
	struct batch_input in = {
		.time = f.time, .tasks = f.tasks, .ntasks = f.ntasks, .all = replay_all(r),
		.json = o->json, .events = ev, .deadlocks = none, .wait = replay_wait, .wait_ctx = r, .containment = cont[0] ? cont : NULL,
	};
	return batch_print(b, stdout, &in);
}

int replay_run_batch(const struct options *o)
{
	char err[256];
	struct replay *r = replay_open(o->replay, err, sizeof err);
	if (!r) {
		fprintf(stderr, "concmon: --replay %s\n", err);
		return 1;
	}
	if (!replay_indexed(r))
		fprintf(stderr, "concmon: --replay %s: no index (the recording was cut short); "
			"%zu snapshots read\n", o->replay, replay_count(r));
	struct batch *b = batch_new();
	struct events *ev = events_new(4096);
	struct deadlocks *none = deadlocks_new(); /* the rings are not recorded: an empty list */
	int rc = 0;
	size_t n = replay_count(r);
	if (o->iterations && (size_t)o->iterations < n)
		n = (size_t)o->iterations;
	for (size_t i = 0; i < n && rc == 0; i++)
		rc = print_frame(r, i, b, ev, none, o);
	deadlocks_free(none);
	events_free(ev);
	batch_free(b);
	replay_free(r);
	return rc ? 1 : 0;
}
