/* test_ui_spark.c - the queue panel's history: sparkline slices by time,
 * rates over a window, resets, the ring, the depth bar; and the knob step. */
#include <setjmp.h>
#include <limits.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>

#include "panels_knobs.h"
#include "spark.h"

/* Glyph i of the sparkline in buf (UTF-8 glyphs are 3 bytes, ASCII 1). */
static const char *glyph(const char *buf, int i, bool utf8, char *out)
{
	size_t w = utf8 ? 3 : 1;
	memcpy(out, buf + (size_t)i * w, w);
	out[w] = '\0';
	return out;
}

static void empty_history_draws_blanks_and_has_no_rate(void **state)
{
	(void)state;
	struct spark h;
	memset(&h, 0, sizeof h);
	char buf[64];
	spark_line(&h, 10, true, buf, sizeof buf);
	assert_string_equal(buf, "          ");
	double p, g;
	assert_false(spark_rates(&h, &p, &g));
}

static void full_and_empty_are_the_extreme_glyphs(void **state)
{
	(void)state;
	struct spark_set set = { 0 };
	struct spark *h = spark_find(&set, 42, 0, "clothes", true);
	assert_ptr_equal(spark_find(&set, 42, 0, "clothes", false), h);
	assert_null(spark_find(&set, 42, 1, "clothes", false));
	/* 30 s empty, then 30 s full, a sample a second. */
	for (int i = 0; i <= 60; i++)
		spark_add(h, 100.0 + i, 5, i < 30 ? 0 : 5, (uint64_t)i, (uint64_t)i);
	char buf[256], g[8];
	spark_line(h, 60, true, buf, sizeof buf);
	assert_int_equal(strlen(buf), 60 * 3);
	assert_string_equal(glyph(buf, 0, true, g), "▁");
	assert_string_equal(glyph(buf, 20, true, g), "▁");
	assert_string_equal(glyph(buf, 59, true, g), "█");
	spark_line(h, 20, false, buf, sizeof buf);
	assert_int_equal(strlen(buf), 20);
	assert_string_equal(glyph(buf, 0, false, g), "_");
	assert_string_equal(glyph(buf, 19, false, g), "#");
	spark_set_free(&set);
	assert_int_equal(set.n, 0);
}

static void partial_depth_is_never_drawn_as_empty_or_full(void **state)
{
	(void)state;
	struct spark_set set = { 0 };
	struct spark *h = spark_find(&set, 1, 0, "q", true);
	spark_add(h, 0, 100, 1, 0, 0);
	spark_add(h, 10, 100, 99, 0, 0);
	spark_add(h, 20, 100, 1, 0, 0);
	char buf[256], g[8];
	spark_line(h, 1, false, buf, sizeof buf);   /* one slice holds all: the max, 99 */
	assert_string_equal(buf, "=");
	spark_line(h, 60, false, buf, sizeof buf);
	assert_string_equal(glyph(buf, 59, false, g), ".");   /* the last second: 1 */
	assert_string_equal(glyph(buf, 50, false, g), "=");   /* second 10: 99 */
	assert_string_equal(glyph(buf, 49, false, g), ".");   /* second 9: still 1 */
	assert_string_equal(glyph(buf, 55, false, g), "=");   /* no sample: the last known */
	assert_string_equal(glyph(buf, 0, false, g), " ");    /* before the first sample */
	spark_line(h, 60, false, buf, 0);           /* no room: nothing written, no crash */
	spark_line(h, 60, false, buf, 4);           /* clipped, still terminated */
	assert_string_equal(buf, "   ");
	spark_set_free(&set);
}

static void rates_use_about_two_seconds_of_samples(void **state)
{
	(void)state;
	struct spark_set set = { 0 };
	struct spark *h = spark_find(&set, 1, 0, "q", true);
	/* 10 puts and 4 gets a second, sampled every half second. */
	for (int i = 0; i <= 20; i++)
		spark_add(h, i * 0.5, 5, 3, (uint64_t)(i * 5), (uint64_t)(i * 2));
	double p = 0, g = 0;
	assert_true(spark_rates(h, &p, &g));
	assert_float_equal(p, 10.0, 1e-9);
	assert_float_equal(g, 4.0, 1e-9);
	spark_set_free(&set);
}

static void counters_going_back_start_a_new_history(void **state)
{
	(void)state;
	struct spark_set set = { 0 };
	struct spark *h = spark_find(&set, 1, 0, "q", true);
	spark_add(h, 0, 5, 0, 100, 100);
	spark_add(h, 1, 5, 0, 200, 200);
	assert_int_equal(h->n, 2);
	spark_add(h, 2, 5, 0, 3, 3);        /* a new queue in the same slot */
	assert_int_equal(h->n, 1);
	spark_add(h, 3, 6, 0, 4, 4);        /* a new capacity */
	assert_int_equal(h->n, 1);
	double p, g;
	assert_false(spark_rates(h, &p, &g));
	spark_set_free(&set);
}

static void bursts_of_refreshes_do_not_flood_the_ring(void **state)
{
	(void)state;
	struct spark_set set = { 0 };
	struct spark *h = spark_find(&set, 1, 0, "q", true);
	for (int i = 0; i < 1000; i++)              /* every 10 ms for 10 s */
		spark_add(h, i * 0.01, 5, 1, (uint64_t)i, 0);
	assert_true(h->n <= 10 / SPARK_QUANTUM * 1.2);     /* not 1000 */
	assert_true(h->n >= 10 / SPARK_QUANTUM / 2);
	spark_add(h, 9.99, 5, 4, 1000, 0);          /* same time: replaces the newest */
	assert_int_equal(h->s[(h->head + h->n - 1) % SPARK_CAP].depth, 4);
	for (int i = 0; i < 2000; i++)              /* a sample a second, wrapping */
		spark_add(h, 20.0 + i, 5, (uint64_t)(i % 6), 2000 + (uint64_t)i, 0);
	assert_int_equal(h->n, SPARK_CAP);
	char buf[256];
	spark_line(h, 60, false, buf, sizeof buf);
	assert_int_equal(strlen(buf), 60);
	assert_null(strchr(buf, ' '));              /* the whole minute is known */
	spark_set_free(&set);
}

static void prune_forgets_silent_queues(void **state)
{
	(void)state;
	struct spark_set set = { 0 };
	spark_add(spark_find(&set, 1, 0, "a", true), 0, 5, 0, 0, 0);
	spark_add(spark_find(&set, 2, 0, "b", true), 100, 5, 0, 0, 0);
	spark_prune(&set, 100, 70);
	assert_int_equal(set.n, 1);
	assert_null(spark_lookup(&set, 1, 0, "a"));
	assert_non_null(spark_lookup(&set, 2, 0, "b"));
	spark_set_free(&set);
}

static void bar_is_proportional_with_honest_ends(void **state)
{
	(void)state;
	char f[64], e[64];
	spark_bar(0, 5, 10, false, f, e, sizeof f);
	assert_string_equal(f, "");
	assert_string_equal(e, "..........");
	spark_bar(1, 100, 10, false, f, e, sizeof f);
	assert_string_equal(f, "#");
	spark_bar(99, 100, 10, false, f, e, sizeof f);
	assert_string_equal(f, "#########");
	spark_bar(5, 5, 10, false, f, e, sizeof f);
	assert_string_equal(f, "##########");
	assert_string_equal(e, "");
	spark_bar(3, 5, 10, true, f, e, sizeof f);
	assert_string_equal(f, "██████");
	assert_string_equal(e, "░░░░");
}

/* Presses of + (dir > 0) or - from value until target, at most 100. */
static int presses(long value, long target, long min, long max, int dir)
{
	int n = 0;
	while (value != target && n < 100) {
		value = panels_knob_next(value, min, max, dir);
		n++;
	}
	return n;
}

static void knob_steps_follow_the_one_two_five_series(void **state)
{
	(void)state;
	static const long up[] = { 1, 2, 5, 10, 20, 50, 100, 200, 500, 1000 };
	long v = 1;
	for (size_t i = 1; i < sizeof up / sizeof up[0]; i++)
		assert_int_equal(v = panels_knob_next(v, 1, 1000, +1), up[i]);
	assert_int_equal(panels_knob_next(1000, 1, 1000, +1), 1000);   /* stays at max */
	for (size_t i = sizeof up / sizeof up[0] - 1; i-- > 0;)
		assert_int_equal(v = panels_knob_next(v, 1, 1000, -1), up[i]);
	assert_int_equal(panels_knob_next(1, 1, 1000, -1), 1);
	/* The issue's figures: rate=50 from 1 in 5 presses (was 48); work=1000
	 * from 4000 in 2 (was unreachable). */
	assert_int_equal(presses(1, 50, 1, 1000, +1), 5);
	assert_int_equal(presses(4000, 1000, 0, 60000, -1), 2);
	assert_int_equal(presses(8, 100, 1, 100, +1), 4);      /* clients=100 */
	/* Off the series: to the next one, and the bounds hold. */
	assert_int_equal(panels_knob_next(150, 10, 5000, +1), 200);
	assert_int_equal(panels_knob_next(150, 10, 5000, -1), 100);
	assert_int_equal(panels_knob_next(20, 10, 5000, -1), 10);
	assert_int_equal(panels_knob_next(10, 10, 5000, -1), 10);
	assert_int_equal(panels_knob_next(3000, 10, 5000, +1), 5000);
	assert_int_equal(panels_knob_next(0, 0, 60000, +1), 1);
	assert_int_equal(panels_knob_next(1, 0, 60000, -1), 0);
	assert_int_equal(panels_knob_next(40000, 0, 60000, +1), 50000);
	assert_int_equal(panels_knob_next(50000, 0, 60000, +1), 60000);
	/* Narrow ranges (thread counts, switches) move by 1. */
	assert_int_equal(panels_knob_next(3, 1, 16, +1), 4);
	assert_int_equal(panels_knob_next(4, 1, 32, -1), 3);
	assert_int_equal(panels_knob_next(0, 0, 1, +1), 1);
	assert_int_equal(panels_knob_next(1, 0, 1, -1), 0);
	/* Negative values mirror the series; out of range snaps in; no overflow. */
	assert_int_equal(panels_knob_next(0, -1000, 1000, -1), -1);
	assert_int_equal(panels_knob_next(-5, -1000, 1000, -1), -10);
	assert_int_equal(panels_knob_next(-5, -1000, 1000, +1), -2);
	assert_int_equal(panels_knob_next(-1, -1000, 1000, +1), 0);
	assert_int_equal(panels_knob_next(7000, 10, 5000, -1), 5000);
	assert_int_equal(panels_knob_next(LONG_MAX - 1, LONG_MIN, LONG_MAX, +1), LONG_MAX);
	assert_int_equal(panels_knob_next(LONG_MIN + 1, LONG_MIN, LONG_MAX, -1), LONG_MIN);
	assert_int_equal(panels_knob_next(LONG_MIN, LONG_MIN, LONG_MAX, +1), -5000000000000000000L);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(empty_history_draws_blanks_and_has_no_rate),
		cmocka_unit_test(full_and_empty_are_the_extreme_glyphs),
		cmocka_unit_test(partial_depth_is_never_drawn_as_empty_or_full),
		cmocka_unit_test(rates_use_about_two_seconds_of_samples),
		cmocka_unit_test(counters_going_back_start_a_new_history),
		cmocka_unit_test(bursts_of_refreshes_do_not_flood_the_ring),
		cmocka_unit_test(prune_forgets_silent_queues),
		cmocka_unit_test(bar_is_proportional_with_honest_ends),
		cmocka_unit_test(knob_steps_follow_the_one_two_five_series),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
