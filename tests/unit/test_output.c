/* Unit tests for the output ring. */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <string.h>

#include "supervise/output.h"
#include "xorshift.h"

static void test_lines_and_partials(void **state)
{
	(void)state;
	struct output *o = output_new(1 << 20);
	output_feed(o, false, "one\ntw", 6, 1.0);
	assert_int_equal(output_count(o), 1);
	output_feed(o, true, "err\n", 4, 2.0);
	output_feed(o, false, "o\n", 2, 3.0);
	assert_int_equal(output_count(o), 3);
	assert_string_equal(output_get(o, 0).text, "one");
	assert_string_equal(output_get(o, 1).text, "err");
	assert_true(output_get(o, 1).err);
	assert_string_equal(output_get(o, 2).text, "two");
	assert_false(output_get(o, 2).err);
	assert_int_equal(output_get(o, 2).seq, 3);
	output_feed(o, false, "tail", 4, 4.0);
	output_flush(o, false, 5.0);
	assert_string_equal(output_get(o, 3).text, "tail");
	output_feed(o, false, "a\0b\n", 4, 6.0); /* a NUL cannot end the text */
	assert_string_equal(output_get(o, 4).text, "a?b");
	assert_string_equal(output_get(o, 99).text, "");
	output_free(o);
}

static void test_bounded_drops_oldest(void **state)
{
	(void)state;
	struct output *o = output_new(100);
	for (int i = 0; i < 50; i++)
		output_feed(o, false, "0123456789\n", 11, i);
	/* 11 bytes a line (10 + NUL): at most 9 fit in 100 */
	assert_int_equal(output_count(o), 9);
	assert_int_equal(output_dropped(o), 41);
	assert_int_equal(output_get(o, 0).seq, 42);
	output_free(o);
}

static void test_long_lines_are_cut(void **state)
{
	(void)state;
	struct output *o = output_new(1 << 20);
	static char big[OUTPUT_LINE_MAX * 2 + 10];
	memset(big, 'x', sizeof big);
	output_feed(o, false, big, sizeof big, 1);
	output_flush(o, false, 1);
	assert_int_equal(output_count(o), 3);
	assert_int_equal(strlen(output_get(o, 0).text), OUTPUT_LINE_MAX);
	assert_int_equal(strlen(output_get(o, 2).text), 10);
	output_free(o);
}

/* Lines of random lengths through small rings: what is kept is always the
 * newest lines, whole and in order, within the byte bound, and only the
 * oldest ones are dropped. */
static void test_ring_keeps_newest_lines(void **state)
{
	(void)state;
	unsigned long long seed = 0x5eedULL;
	static const size_t bounds[] = { 2, 40, 100, 4096, 5000, 70000 };
	for (size_t b = 0; b < sizeof bounds / sizeof *bounds; b++) {
		struct output *o = output_new(bounds[b]);
		char line[OUTPUT_LINE_MAX + 1];
		for (int k = 1; k <= 3000; k++) {
			size_t len = xorshift_next(&seed) % (xorshift_next(&seed) % 8 ? 60 : OUTPUT_LINE_MAX);
			for (size_t i = 0; i < len; i++)
				line[i] = (char)('a' + (k + i) % 26);
			line[len] = '\n';
			output_feed(o, k % 3 == 0, line, len + 1, k);
			size_t n = output_count(o), bytes = 0;
			assert_true(n >= 1);
			assert_int_equal(n + output_dropped(o), (size_t)k);
			for (size_t i = 0; i < n; i++) {
				struct output_line l = output_get(o, i);
				size_t want = (size_t)k - n + 1 + i;  /* consecutive, newest last */
				assert_int_equal(l.seq, want);
				assert_int_equal(l.time, (double)want);
				assert_int_equal(l.err, want % 3 == 0);
				for (size_t c = 0; l.text[c]; c++)
					assert_int_equal(l.text[c], 'a' + (want + c) % 26);
				bytes += strlen(l.text) + 1;
			}
			assert_true(bytes <= bounds[b]);
			/* The newest line is whole unless it alone is over the bound. */
			size_t last = strlen(output_get(o, n - 1).text);
			assert_int_equal(last, len + 1 <= bounds[b] ? len : bounds[b] - 1);
		}
		output_free(o);
	}
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_lines_and_partials),
		cmocka_unit_test(test_bounded_drops_oldest),
		cmocka_unit_test(test_long_lines_are_cut),
		cmocka_unit_test(test_ring_keeps_newest_lines),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
