/* spark.c - per-queue history rings, rates and sparklines. The panel
 * samples whenever the model publishes, which is irregular (a key can ask
 * for a refresh at once), so slices and rates go by sample time, never by
 * sample count. */
#include "spark.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "util/util.h"

static const char *const spark_utf8[] = { "▁", "▂", "▃", "▄", "▅", "▆", "▇", "█" };
static const char *const spark_ascii[] = { "_", ".", "-", "=", "#" };

static size_t spark_index(const struct spark_set *set, pid_t prog, unsigned slot,
			  const char *name)
{
	for (size_t i = 0; i < set->n; i++) {
		const struct spark *h = set->v[i];
		if (h->prog == prog && h->slot == slot && strcmp(h->name, name) == 0)
			return i;
	}
	return set->n;
}

const struct spark *spark_lookup(const struct spark_set *set, pid_t prog, unsigned slot,
				 const char *name)
{
	size_t i = spark_index(set, prog, slot, name);
	return i < set->n ? set->v[i] : NULL;
}

struct spark *spark_find(struct spark_set *set, pid_t prog, unsigned slot, const char *name,
			 bool create)
{
	size_t i = spark_index(set, prog, slot, name);
	if (i < set->n)
		return set->v[i];
	if (!create)
		return NULL;
	if (set->n == set->cap) {
		set->cap = set->cap ? set->cap * 2 : 8;
		set->v = xrealloc(set->v, set->cap * sizeof *set->v);
	}
	struct spark *h = xcalloc(1, sizeof *h);
	h->prog = prog;
	h->slot = slot;
	snprintf(h->name, sizeof h->name, "%s", name);
	set->v[set->n++] = h;
	return h;
}

/* Sample i in time order (0 = oldest). */
static const struct spark_sample *spark_at(const struct spark *h, size_t i)
{
	return &h->s[(h->head + i) % SPARK_CAP];
}

void spark_add(struct spark *h, double now, uint64_t capacity, uint64_t depth, uint64_t puts,
	       uint64_t gets)
{
	if (h->n) {
		const struct spark_sample *last = spark_at(h, h->n - 1);
		if (puts < last->puts || gets < last->gets || capacity != h->capacity)
			h->n = 0;
	}
	h->capacity = capacity;
	h->seen = now;
	struct spark_sample s = { now, depth, puts, gets };
	/* Keep samples about SPARK_QUANTUM apart: a burst of refreshes
	 * updates the newest sample instead of flooding the ring. */
	bool replace = h->n && now <= spark_at(h, h->n - 1)->t;
	if (h->n >= 2 && now - spark_at(h, h->n - 2)->t < SPARK_QUANTUM)
		replace = true;
	if (replace) {
		h->s[(h->head + h->n - 1) % SPARK_CAP] = s;
		return;
	}
	if (h->n == SPARK_CAP) {
		h->head = (h->head + 1) % SPARK_CAP;
		h->n--;
	}
	h->s[(h->head + h->n) % SPARK_CAP] = s;
	h->n++;
}

void spark_prune(struct spark_set *set, double now, double max_age)
{
	size_t kept = 0;
	for (size_t i = 0; i < set->n; i++) {
		if (now - set->v[i]->seen > max_age)
			free(set->v[i]);
		else
			set->v[kept++] = set->v[i];
	}
	set->n = kept;
}

void spark_set_free(struct spark_set *set)
{
	for (size_t i = 0; i < set->n; i++)
		free(set->v[i]);
	free(set->v);
	memset(set, 0, sizeof *set);
}

bool spark_rates(const struct spark *h, double *puts, double *gets)
{
	if (h->n < 2)
		return false;
	const struct spark_sample *now = spark_at(h, h->n - 1), *then = spark_at(h, 0);
	/* The newest sample at least a window old, else the oldest. */
	for (size_t i = h->n - 1; i-- > 0;) {
		if (now->t - spark_at(h, i)->t >= SPARK_RATE_WINDOW) {
			then = spark_at(h, i);
			break;
		}
	}
	double dt = now->t - then->t;
	if (dt < 0.2)
		return false;
	*puts = (double)(now->puts - then->puts) / dt;
	*gets = (double)(now->gets - then->gets) / dt;
	return true;
}

/* 0 for an empty queue, levels-1 only for a full one, at least 1 for any
 * item at all: the extremes are what a student looks for. */
static int spark_level(uint64_t depth, uint64_t capacity, int levels)
{
	if (depth == 0 || capacity == 0)
		return 0;
	if (depth >= capacity)
		return levels - 1;
	uint64_t l = (depth * (uint64_t)(levels - 1) + capacity / 2) / capacity;
	if (l < 1)
		l = 1;
	if (l > (uint64_t)levels - 2)
		l = (uint64_t)levels - 2;
	return (int)l;
}

/* Appends s to buf (used bytes in *at) if it fits with the NUL. */
static void spark_append(char *buf, size_t len, size_t *at, const char *s)
{
	size_t n = strlen(s);
	if (*at + n + 1 > len)
		return;
	memcpy(buf + *at, s, n + 1);
	*at += n;
}

void spark_line(const struct spark *h, int cols, bool utf8, char *buf, size_t len)
{
	size_t at = 0;
	if (len)
		buf[0] = '\0';
	if (cols <= 0 || !len)
		return;
	const char *const *glyph = utf8 ? spark_utf8 : spark_ascii;
	int levels = utf8 ? 8 : 5;
	double end = h->n ? spark_at(h, h->n - 1)->t : 0;
	double step = SPARK_SPAN / cols, start = end - SPARK_SPAN;
	size_t i = 0;
	bool known = false;
	uint64_t last = 0;
	for (int c = 0; c < cols; c++) {
		double lo = start + c * step;
		double hi = c == cols - 1 ? end + 1e-6 : lo + step;
		bool any = false;
		uint64_t top = 0;
		for (; i < h->n && spark_at(h, i)->t < hi; i++) {
			const struct spark_sample *s = spark_at(h, i);
			if (s->t >= lo) {
				any = true;
				if (s->depth > top)
					top = s->depth;
			}
			last = s->depth;
			known = true;
		}
		if (!any && !known)
			spark_append(buf, len, &at, " ");
		else
			spark_append(buf, len, &at,
				     glyph[spark_level(any ? top : last, h->capacity, levels)]);
	}
}

void spark_bar(uint64_t depth, uint64_t capacity, int cols, bool utf8, char *fill, char *empty,
	       size_t len)
{
	size_t af = 0, ae = 0;
	if (len) {
		fill[0] = '\0';
		empty[0] = '\0';
	}
	if (cols <= 0 || !len)
		return;
	uint64_t n = capacity ? (depth * (uint64_t)cols + capacity / 2) / capacity : 0;
	if (depth > 0 && n == 0)
		n = 1;
	if (depth < capacity && n >= (uint64_t)cols)
		n = (uint64_t)cols - 1;
	if (n > (uint64_t)cols)
		n = (uint64_t)cols;
	for (int c = 0; c < cols; c++) {
		if ((uint64_t)c < n)
			spark_append(fill, len, &af, utf8 ? "█" : "#");
		else
			spark_append(empty, len, &ae, utf8 ? "░" : ".");
	}
}
