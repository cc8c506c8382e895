/* demo_washer_dryer_threads.c - producer/consumer with a bounded queue: a
 * fast washer fills the basket, a slow dryer empties it. With one dryer the
 * basket fills up and the washer blocks; more dryers (a live knob) drain it. */
#include <stdatomic.h>
#include <stdint.h>
#include <stdio.h>

#include "cmprobe.h"
#include "common.h"
#include "registry.h"
#include "workers.h"

struct laundry {
	struct cm_queue *basket;
	size_t capacity;
	struct cm_knob *wash_ms, *dry_ms;
	atomic_long next_item;
	atomic_long washed, dried;
};

static void washer(struct worker *w)
{
	struct laundry *l = worker_arg(w);

	while (!worker_should_go(w)) {
		long item;

		if (!demo_sleep_ms(cm_knob_get(l->wash_ms)))
			break;
		item = atomic_fetch_add(&l->next_item, 1) + 1;
		if (cm_queue_depth(l->basket) >= l->capacity)
			printf("%s: basket full (%zu/%zu), waiting for a dryer with item %ld\n",
			       worker_name(w), l->capacity, l->capacity, item);
		if (!cm_queue_put(l->basket, item))
			break;
		atomic_fetch_add(&l->washed, 1);
		printf("%s: washed item %ld -> basket %zu/%zu\n", worker_name(w), item,
		       cm_queue_depth(l->basket), l->capacity);
	}
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

static void follow_knob(struct worker_set *s, const char *what, struct cm_knob *k, long *last)
{
	long before = *last;

	if (demo_knob_changed(k, last))
		printf("main: %s %ld -> %ld\n", what, before, *last);
	workers_resize(s, (int)*last);
}

int demo_washer_dryer_threads(struct demo_ctx *ctx)
{
	struct laundry l = {
		.capacity = (size_t)demo_knob_value(ctx, "capacity"),
		.wash_ms = demo_knob(ctx, "wash_ms"),
		.dry_ms = demo_knob(ctx, "dry_ms"),
	};
	struct cm_knob *kw = demo_knob(ctx, "washers"), *kd = demo_knob(ctx, "dryers");
	long nw = cm_knob_get(kw), nd = cm_knob_get(kd);
	struct worker_set *washers = workers_new("washer", 8, washer, &l);
	struct worker_set *dryers = workers_new("dryer", 16, dryer, &l);
	long next_status = demo_now_ms() + 1000;

	cm_thread_role("main");
	l.basket = cm_queue_new("clothes", l.capacity, CM_PRIVATE);
	printf("main: basket 'clothes' holds %zu items; washing takes %ld ms, drying %ld ms\n",
	       l.capacity, cm_knob_get(l.wash_ms), cm_knob_get(l.dry_ms));
	workers_resize(washers, (int)nw);
	workers_resize(dryers, (int)nd);
	while (demo_sleep_ms(100)) {
		follow_knob(washers, "washers", kw, &nw);
		follow_knob(dryers, "dryers", kd, &nd);
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
