/* laundry.c - the basket and the washer, for both washer/dryer demos. */
#include "laundry.h"

#include <stdint.h>
#include <stdio.h>

#include "common.h"
#include "concmon/cmprobe.h"
#include "registry.h"

void laundry_init(struct laundry *l, const struct demo_ctx *ctx, int flags)
{
	l->capacity = (size_t)demo_knob_value(ctx, "capacity");
	l->wash_ms = demo_knob(ctx, "wash_ms");
	l->dry_ms = demo_knob(ctx, "dry_ms");
	l->basket = cm_queue_new("clothes", l->capacity, flags);
	atomic_store(&l->next_item, 0);
	atomic_store(&l->washed, 0);
	atomic_store(&l->dried, 0);
}

bool laundry_wash_one(struct laundry *l, const char *who)
{
	long item;

	if (!demo_sleep_ms(cm_knob_get(l->wash_ms)))
		return false;
	item = atomic_fetch_add(&l->next_item, 1) + 1;
	if (cm_queue_depth(l->basket) >= l->capacity)
		printf("%s: basket full (%zu/%zu), waiting for a dryer with item %ld\n", who,
		       l->capacity, l->capacity, item);
	if (!cm_queue_put(l->basket, (intptr_t)item))
		return false;
	atomic_fetch_add(&l->washed, 1);
	printf("%s: washed item %ld -> basket %zu/%zu\n", who, item, cm_queue_depth(l->basket),
	       l->capacity);
	return true;
}
