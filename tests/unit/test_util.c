/* Unit tests for util's capacity rule. */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include "util/util.h"

static void test_fit_cap_grows_and_shrinks(void **state)
{
	(void)state;
	assert_int_equal(util_fit_cap(0, 0, 16), 0);     /* nothing yet, nothing needed */
	assert_int_equal(util_fit_cap(0, 1, 16), 16);    /* never under the floor */
	assert_int_equal(util_fit_cap(16, 17, 16), 34);  /* full: twice what is needed */
	assert_int_equal(util_fit_cap(34, 34, 16), 34);  /* fits: stays */
	assert_int_equal(util_fit_cap(1000, 250, 16), 1000); /* a quarter used: stays */
	assert_int_equal(util_fit_cap(1000, 249, 16), 498);  /* under a quarter: halves or so */
	assert_int_equal(util_fit_cap(1000, 0, 16), 16);     /* empty: back to the floor */
	assert_int_equal(util_fit_cap(16, 0, 16), 16);
}

/* Growing one at a time then emptying: the capacity always holds n, and
 * never more than about 4n (or the floor) as it empties. */
static void test_fit_cap_follows_population(void **state)
{
	(void)state;
	size_t cap = 0, changes = 0;
	for (size_t n = 0; n <= 5000; n++) {
		size_t c = util_fit_cap(cap, n, 8);
		changes += c != cap;
		cap = c;
		assert_true(cap >= n);
	}
	assert_true(changes < 20); /* doubling: a few reallocs, not one a step */
	for (size_t n = 5000; n-- > 0;) {
		cap = util_fit_cap(cap, n, 8);
		assert_true(cap >= n);
		assert_true(cap <= (4 * n + 3 > 8 ? 4 * n + 3 : 8));
	}
	assert_int_equal(cap, 8);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_fit_cap_grows_and_shrinks),
		cmocka_unit_test(test_fit_cap_follows_population),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
