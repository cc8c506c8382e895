/* demo_washer_dryer_threads.c - producer/consumer with a bounded queue: a
 * fast washer fills the basket, a slow dryer empties it. With one dryer the
 * basket fills up and the washer blocks; more dryers (a live knob) drain it. */
#include <stdatomic.h>
#include <stdint.h>
#include <stdio.h>

#include "common.h"
#include "concmon/cmprobe.h"
#include "laundry.h"
#include "registry.h"
#include "workers.h"

static void washer(struct worker *w)
{
	while (!worker_should_go(w) && laundry_wash_one(worker_arg(w), worker_name(w)))
		;
}

static void dryer(struct worker *w)
{
	struct laundry *l = worker_arg(w);

	while (!worker_should_go(w)) {
		intptr_t item;

		if (cm_queue_depth(l->basket) == 0)
			printf("%s: basket empty, idle\n", worker_name(w));
		if (!cm_queue_get(l->basket, &item) || demo_should_stop())
			break;
		printf("%s: drying item %ld (basket %zu/%zu)\n", worker_name(w), (long)item,
		       cm_queue_depth(l->basket), l->capacity);
		if (!demo_sleep_ms(cm_knob_get(l->dry_ms)))
			break;
		atomic_fetch_add(&l->dried, 1);
	}
}

int demo_washer_dryer_threads(struct demo_ctx *ctx)
{
	struct laundry l;
	struct cm_knob *kw = demo_knob(ctx, "washers"), *kd = demo_knob(ctx, "dryers");
	long nw = cm_knob_get(kw), nd = cm_knob_get(kd);
	struct worker_set *washers = workers_new("washer", 8, washer, &l);
	struct worker_set *dryers = workers_new("dryer", 16, dryer, &l);
	long next_status = demo_now_ms() + 1000;

	laundry_init(&l, ctx, CM_PRIVATE);
	printf("main: basket 'clothes' holds %zu items; washing takes %ld ms, drying %ld ms\n",
	       l.capacity, cm_knob_get(l.wash_ms), cm_knob_get(l.dry_ms));
	workers_resize(washers, (int)nw);
	workers_resize(dryers, (int)nd);
	while (demo_sleep_ms(100)) {
		workers_follow_knob(washers, "washers", kw, &nw);
		workers_follow_knob(dryers, "dryers", kd, &nd);
		if (demo_now_ms() >= next_status) {
			next_status += 1000;
			printf("status: basket %zu/%zu, washers %d, dryers %d, washed %ld, dried %ld\n",
			       cm_queue_depth(l.basket), l.capacity, workers_active(washers),
			       workers_active(dryers), atomic_load(&l.washed), atomic_load(&l.dried));
		}
	}
	printf("main: stopping: closing the basket, joining washers and dryers\n");
	cm_queue_close(l.basket);
	workers_free(washers);
	workers_free(dryers);
	cm_queue_free(l.basket);
	printf("main: all threads joined, bye\n");
	return 0;
}
