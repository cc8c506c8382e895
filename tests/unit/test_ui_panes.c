/* test_ui_panes.c - the bottom panes side by side: the left column's width
 * for a screen width and a share, and how many panes go in the left one. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include "panes.h"

static void stacked_has_no_left_column(void **state)
{
	(void)state;
	assert_int_equal(panes_split_width(200, 0), 0);
}

static void equal_columns_share_all_but_the_separator(void **state)
{
	(void)state;
	int l = panes_split_width(161, 3);
	assert_int_equal(l, 80);
	assert_int_equal(161 - 1 - l, 80);
	l = panes_split_width(160, 3);           /* odd: the right column takes the extra */
	assert_int_equal(l, 79);
	assert_int_equal(160 - 1 - l, 80);
}

static void wider_columns_take_two_thirds(void **state)
{
	(void)state;
	assert_int_equal(panes_split_width(160, 4), 106);    /* 159 * 2/3 */
	assert_int_equal(panes_split_width(160, 2), 53);     /* 159 * 1/3 */
}

static void no_column_is_narrower_than_the_least(void **state)
{
	(void)state;
	/* 100 columns: two thirds would leave the other 33; it keeps 40. */
	assert_int_equal(panes_split_width(100, 4), 99 - PANES_COLUMN_MIN);
	assert_int_equal(panes_split_width(100, 2), PANES_COLUMN_MIN);
	/* The narrowest screen that holds two columns and the separator. */
	assert_int_equal(panes_split_width(2 * PANES_COLUMN_MIN + 1, 3), PANES_COLUMN_MIN);
	assert_int_equal(panes_split_width(2 * PANES_COLUMN_MIN + 1, 4), PANES_COLUMN_MIN);
	assert_int_equal(panes_split_width(2 * PANES_COLUMN_MIN + 1, 2), PANES_COLUMN_MIN);
}

static void too_narrow_screens_stay_stacked(void **state)
{
	(void)state;
	for (int sixths = 2; sixths <= 4; sixths++) {
		assert_int_equal(panes_split_width(2 * PANES_COLUMN_MIN, sixths), 0);
		assert_int_equal(panes_split_width(80, sixths), 0);
		assert_int_equal(panes_split_width(0, sixths), 0);
	}
}

static void the_left_column_takes_the_odd_pane(void **state)
{
	(void)state;
	assert_int_equal(panes_split_left(2), 1);
	assert_int_equal(panes_split_left(3), 2);
	assert_int_equal(panes_split_left(4), 2);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(stacked_has_no_left_column),
		cmocka_unit_test(equal_columns_share_all_but_the_separator),
		cmocka_unit_test(wider_columns_take_two_thirds),
		cmocka_unit_test(no_column_is_narrower_than_the_least),
		cmocka_unit_test(too_narrow_screens_stay_stacked),
		cmocka_unit_test(the_left_column_takes_the_odd_pane),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
