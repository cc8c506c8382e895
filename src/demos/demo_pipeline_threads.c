/* demo_pipeline_threads.c - Effective Python's download -> resize -> upload
 * pipeline: three stages joined by closable queues, a knob of workers per
 * stage. The slowest stage is the bottleneck: the queue before it is full,
 * the one after it empty. Stopping closes the queues in order and each stage
 * drains what is left before its workers leave. */
#include <stdatomic.h>
#include <stdint.h>
#include <stdio.h>

#include "common.h"
#include "concmon/cmprobe.h"
#include "registry.h"
#include "workers.h"

#define STAGES 3
#define STAGE_WORKERS_MAX 8

struct stage {
	const char *name, *done_verb, *workers_name;
	struct cm_queue *in, *out;   /* out NULL: the last stage */
	struct cm_knob *workers, *ms;
	long nworkers;
	struct worker_set *set;
	atomic_long done;
};

static void stage_worker(struct worker *w)
{
	struct stage *st = worker_arg(w);
	intptr_t job;

	while (!worker_retired(w) && cm_queue_get(st->in, &job)) {
		if (!demo_should_stop())
			demo_sleep_ms(cm_knob_get(st->ms));
		printf("%s: %s job %ld%s\n", worker_name(w), st->done_verb, (long)job,
		       demo_should_stop() ? " (draining after close)" : "");
		atomic_fetch_add(&st->done, 1);
		if (st->out && !cm_queue_put(st->out, job))
			break;
	}
}

static void *feeder(void *p)
{
	struct cm_queue *q = p;

	cm_thread_role("feeder");
	for (intptr_t job = 1; cm_queue_put(q, job); job++)
		;
	return NULL;
}

/* Jobs a second stage i can do at most, from its knobs. */
static double stage_rate(const struct stage *st)
{
	long ms = cm_knob_get(st->ms);

	return (double)cm_knob_get(st->workers) * 1000.0 / (double)(ms > 0 ? ms : 1);
}

/* The stage with the lowest rate holds the others up; when two or more
 * share it (within 5%), the stages only balance and none is named. The
 * feeder never runs dry, so the download stage counts like any other.
 * Returns the stage's number from 1, 0 for none. */
static int bottleneck(const struct stage *st, char *buf, size_t len)
{
	double rate[STAGES], low = 1e9;
	int n_low = 0, at = 0;
	size_t used;

	for (int i = 0; i < STAGES; i++) {
		rate[i] = stage_rate(&st[i]);
		low = rate[i] < low ? rate[i] : low;
	}
	used = (size_t)snprintf(buf, len, "none alone, balanced:");
	for (int i = 0; i < STAGES; i++)
		if (rate[i] <= low * 1.05) {
			n_low++;
			at = i;
			if (used < len)
				used += (size_t)snprintf(buf + used, len - used, " %s", st[i].name);
		}
	if (used < len)
		snprintf(buf + used, len - used, " at %.1f jobs/s", low);
	if (n_low > 1)
		return 0;
	snprintf(buf, len, "%s (%.1f jobs/s)", st[at].name, low);
	return at + 1;
}

struct pipe_values {
	struct cm_value *rate, *neck;
};

static void status(struct stage *st, size_t cap, long *last_uploaded, struct pipe_values *v)
{
	long up = atomic_load(&st[STAGES - 1].done);
	char neck[96];

	cm_value_set(v->neck, bottleneck(st, neck, sizeof neck));
	cm_value_set(v->rate, up - *last_uploaded);
	printf("status: queues download %zu/%zu, resize %zu/%zu, upload %zu/%zu; workers %d/%d/%d;"
	       " %ld uploaded (%ld/s); stage rates %.1f/%.1f/%.1f jobs/s; bottleneck: %s\n",
	       cm_queue_depth(st[0].in), cap, cm_queue_depth(st[1].in), cap,
	       cm_queue_depth(st[2].in), cap, workers_active(st[0].set),
	       workers_active(st[1].set), workers_active(st[2].set), up, up - *last_uploaded,
	       stage_rate(&st[0]), stage_rate(&st[1]), stage_rate(&st[2]), neck);
	*last_uploaded = up;
}

static void stages_init(struct stage *st, struct demo_ctx *ctx, size_t cap)
{
	static const char *const names[STAGES][4] = {
		{ "download", "downloaded", "downloaders", "download_ms" },
		{ "resize", "resized", "resizers", "resize_ms" },
		{ "upload", "uploaded", "uploaders", "upload_ms" },
	};
	static const char *const roles[STAGES] = { "downloader", "resizer", "uploader" };

	for (int i = 0; i < STAGES; i++) {
		st[i].name = names[i][0];
		st[i].done_verb = names[i][1];
		st[i].workers_name = names[i][2];
		st[i].workers = demo_knob(ctx, names[i][2]);
		st[i].ms = demo_knob(ctx, names[i][3]);
		st[i].nworkers = cm_knob_get(st[i].workers);
		st[i].in = cm_queue_new(names[i][0], cap, CM_PRIVATE);
		st[i].set = workers_new(roles[i], STAGE_WORKERS_MAX, stage_worker, &st[i]);
	}
	for (int i = 0; i + 1 < STAGES; i++)
		st[i].out = st[i + 1].in;
}

int demo_pipeline_threads(struct demo_ctx *ctx)
{
	size_t cap = (size_t)demo_knob_value(ctx, "capacity");
	struct stage st[STAGES] = { { 0 } };
	struct pipe_values v = { cm_value_new("uploads_per_s"), cm_value_new("bottleneck_stage") };
	long next_status = demo_now_ms() + 1000, uploaded = 0;
	pthread_t feed;

	stages_init(st, ctx, cap);
	for (int i = 0; i < STAGES; i++)
		workers_resize(st[i].set, (int)st[i].nworkers);
	demo_thread_start(&feed, feeder, st[0].in);
	while (demo_sleep_ms(100)) {
		for (int i = 0; i < STAGES; i++)
			workers_follow_knob(st[i].set, st[i].workers_name, st[i].workers,
					    &st[i].nworkers);
		if (demo_now_ms() >= next_status) {
			next_status += 1000;
			status(st, cap, &uploaded, &v);
		}
	}
	for (int i = 0; i < STAGES; i++) {
		printf("main: closing the %s queue (%zu left in it), waiting for its workers\n",
		       st[i].name, cm_queue_depth(st[i].in));
		cm_queue_close(st[i].in);
		if (i == 0)
			demo_thread_join(feed);
		workers_join_all(st[i].set);
	}
	for (int i = 0; i < STAGES; i++) {
		workers_free(st[i].set);
		cm_queue_free(st[i].in);
	}
	printf("main: pipeline drained, %ld jobs uploaded in all\n", atomic_load(&st[2].done));
	return 0;
}
