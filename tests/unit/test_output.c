/* Unit tests for the output ring. */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <string.h>

#include "output.h"

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

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_lines_and_partials),
		cmocka_unit_test(test_bounded_drops_oldest),
		cmocka_unit_test(test_long_lines_are_cut),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
