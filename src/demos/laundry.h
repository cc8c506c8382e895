/* laundry.h - what the two washer/dryer demos share: the basket (a bounded
 * queue called "clothes"), the speeds, and the washer's work. */
#ifndef CONCMON_DEMO_LAUNDRY_H
#define CONCMON_DEMO_LAUNDRY_H

#include <stdatomic.h>
#include <stdbool.h>
#include <stddef.h>

struct cm_knob;
struct demo_ctx;

struct laundry {
	struct cm_queue *basket;
	size_t capacity;
	struct cm_knob *wash_ms, *dry_ms;
	atomic_long next_item, washed, dried;
};

/* Reads the knobs capacity, wash_ms and dry_ms of ctx and creates the
 * basket with flags (CM_SHARED for the process version). */
void laundry_init(struct laundry *l, const struct demo_ctx *ctx, int flags);

/* Washes one item (wash_ms) and puts it in the basket, waiting while the
 * basket is full. False when the demo stops or the basket was closed. */
bool laundry_wash_one(struct laundry *l, const char *who);

#endif
