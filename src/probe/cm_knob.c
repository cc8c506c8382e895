/* cm_knob.c - knobs (integers concmon may turn while the program runs) and
 * values (integers the program shows). Both live until the program exits
 * and stay shared with forked children: one record, atomics only. */
#include "probe.h"

#include <stdlib.h>

#include "concmon/cmprobe.h"

struct cm_knob {
	struct cm_knob *next;           /* keeps every knob reachable (leak checkers) */
	long min, max;                  /* the program's own bounds, trusted */
	_Atomic int64_t *value;         /* in the segment, or &local */
	_Atomic int64_t local;
};

struct cm_value {
	struct cm_value *next;
	_Atomic int64_t *value;
	_Atomic int64_t local;
};

static _Atomic(struct cm_knob *) all_knobs;
static _Atomic(struct cm_value *) all_values;

static long clamp(long v, long min, long max)
{
	return v < min ? min : v > max ? max : v;
}

static struct cm_knob *knob_new(const char *name, long value, long min, long max, uint32_t flags)
{
	cm_init();
	if (min > max)
		probe_fatal("cm_knob_new(\"%s\"): min %ld > max %ld", name ? name : "", min, max);
	struct cm_knob *k = probe_alloc(sizeof *k, CM_PRIVATE);
	k->min = min;
	k->max = max;
	value = clamp(value, min, max);
	RST(k->local, value);
	k->value = &k->local;
	unsigned slot;
	struct cm_knob_rec *r = probe_claim(PROBE_KNOBS, &slot);
	if (r) {
		probe_name(r->name, name);
		RST(r->min, min);
		RST(r->max, max);
		RST(r->value, value);
		RST(r->flags, flags);
		probe_publish(r);
		k->value = &r->value;
	}
	k->next = atomic_load_explicit(&all_knobs, memory_order_relaxed);
	while (!atomic_compare_exchange_weak_explicit(&all_knobs, &k->next, k, memory_order_release,
						      memory_order_relaxed))
		;
	return k;
}

struct cm_knob *cm_knob_new(const char *name, long value, long min, long max)
{
	return knob_new(name, value, min, max, 0);
}

struct cm_knob *cm_knob_new_at_start(const char *name, long value, long min, long max)
{
	return knob_new(name, value, min, max, CM_KNOB_AT_START);
}

long cm_knob_get(const struct cm_knob *k)
{
	/* concmon checks the bounds before writing, but the segment is shared
	 * memory: clamp to the program's own. */
	return clamp((long)atomic_load_explicit(k->value, memory_order_relaxed), k->min, k->max);
}

void cm_knob_set(struct cm_knob *k, long value)
{
	atomic_store_explicit(k->value, clamp(value, k->min, k->max), memory_order_relaxed);
}

struct cm_value *cm_value_new(const char *name)
{
	cm_init();
	struct cm_value *v = probe_alloc(sizeof *v, CM_PRIVATE);
	v->value = &v->local;
	unsigned slot;
	struct cm_value_rec *r = probe_claim(PROBE_VALUES, &slot);
	if (r) {
		probe_name(r->name, name);
		RST(r->value, 0);
		probe_publish(r);
		v->value = &r->value;
	}
	v->next = atomic_load_explicit(&all_values, memory_order_relaxed);
	while (!atomic_compare_exchange_weak_explicit(&all_values, &v->next, v, memory_order_release,
						      memory_order_relaxed))
		;
	return v;
}

void cm_value_set(struct cm_value *v, long value)
{
	atomic_store_explicit(v->value, value, memory_order_relaxed);
}

void cm_value_add(struct cm_value *v, long delta)
{
	atomic_fetch_add_explicit(v->value, delta, memory_order_relaxed);
}

long cm_value_get(const struct cm_value *v)
{
	return (long)atomic_load_explicit(v->value, memory_order_relaxed);
}
