/* test_restart.c - restart policies: the decision (policy, how it ended,
 * who stopped it, restarts so far, run time) and the backoff arithmetic;
 * parsing of the policy and of the launch line's --restart= prefix. */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <signal.h>
#include <string.h>

#include "supervise/restart.h"

static const struct restart_spec never = { RESTART_NEVER, 0 };
static const struct restart_spec on_failure = { RESTART_ON_FAILURE, 0 };
static const struct restart_spec always = { RESTART_ALWAYS, 0 };

static void test_never_restarts_nothing(void **state)
{
	(void)state;
	assert_false(restart_decide(&never, 3, 0, false, 0, 0, 0.1).restart);
	assert_false(restart_decide(&never, -1, SIGSEGV, false, 0, 0, 0.1).restart);
	assert_false(restart_decide(&never, 0, 0, false, 0, 0, 0.1).given_up);
}

static void test_on_failure(void **state)
{
	(void)state;
	assert_true(restart_decide(&on_failure, 3, 0, false, 0, 0, 0.1).restart);
	assert_true(restart_decide(&on_failure, -1, SIGSEGV, false, 0, 0, 0.1).restart);
	assert_false(restart_decide(&on_failure, 0, 0, false, 0, 0, 0.1).restart);
	/* killed by a signal concmon sent (x, K, q): the user's doing */
	assert_false(restart_decide(&on_failure, -1, SIGTERM, true, 0, 0, 0.1).restart);
	assert_false(restart_decide(&on_failure, 1, 0, true, 0, 0, 0.1).restart);
}

static void test_always(void **state)
{
	(void)state;
	assert_true(restart_decide(&always, 0, 0, false, 0, 0, 0.1).restart);
	assert_true(restart_decide(&always, 2, 0, false, 0, 0, 0.1).restart);
	assert_false(restart_decide(&always, 0, 0, true, 0, 0, 0.1).restart);
	assert_false(restart_decide(&always, -1, SIGKILL, true, 0, 0, 0.1).restart);
}

static void test_backoff_doubles_to_the_ceiling(void **state)
{
	(void)state;
	double want[] = { 1, 2, 4, 8, 16, 32, 60, 60, 60 };
	unsigned streak = 0;
	for (unsigned i = 0; i < sizeof want / sizeof want[0]; i++) {
		struct restart_decision d = restart_decide(&on_failure, 1, 0, false, i, streak, 0.5);
		assert_true(d.restart);
		assert_true(d.delay == want[i]);
		assert_int_equal(d.streak, i + 1);
		streak = d.streak;
	}
	/* a huge streak neither overflows nor passes the ceiling */
	assert_true(restart_decide(&on_failure, 1, 0, false, 0, 4000000000u, 0.5).delay ==
		    RESTART_BACKOFF_MAX);
}

static void test_stable_run_resets_the_backoff(void **state)
{
	(void)state;
	struct restart_decision d = restart_decide(&always, 0, 0, false, 7, 6, RESTART_STABLE);
	assert_true(d.restart);
	assert_true(d.delay == RESTART_BACKOFF_FIRST);
	assert_int_equal(d.streak, 1);
	d = restart_decide(&always, 0, 0, false, 7, 6, RESTART_STABLE - 0.5);
	assert_true(d.delay == 60);
	assert_int_equal(d.streak, 7);
}

static void test_max_gives_up(void **state)
{
	(void)state;
	struct restart_spec s = { RESTART_ON_FAILURE, 3 };
	assert_true(restart_decide(&s, 1, 0, false, 2, 2, 0.1).restart);
	struct restart_decision d = restart_decide(&s, 1, 0, false, 3, 3, 0.1);
	assert_false(d.restart);
	assert_true(d.given_up);
	/* a success is no reason to restart, so nothing is given up */
	assert_false(restart_decide(&s, 0, 0, false, 3, 3, 0.1).given_up);
	assert_false(restart_decide(&s, 1, 0, true, 3, 3, 0.1).given_up);
}

static void test_parse(void **state)
{
	(void)state;
	struct restart_spec s;
	char err[256];
	assert_int_equal(restart_parse("never", &s, err, sizeof err), 0);
	assert_int_equal(s.policy, RESTART_NEVER);
	assert_int_equal(restart_parse("on-failure", &s, err, sizeof err), 0);
	assert_int_equal(s.policy, RESTART_ON_FAILURE);
	assert_int_equal(s.max, 0);
	assert_int_equal(restart_parse("always:5", &s, err, sizeof err), 0);
	assert_int_equal(s.policy, RESTART_ALWAYS);
	assert_int_equal(s.max, 5);
	const char *bad[] = { "", "sometimes", "always:", "always:0", "always:-1", "always:x",
			      "on-failure:99999999999", "never:3", "ALWAYS", "always:5:" };
	for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
		err[0] = '\0';
		assert_int_equal(restart_parse(bad[i], &s, err, sizeof err), -1);
		assert_true(strlen(err) > 10);
	}
	assert_string_equal(restart_policy_name(RESTART_ON_FAILURE), "on-failure");
}

static void test_prefix(void **state)
{
	(void)state;
	struct restart_spec s = { RESTART_NEVER, 0 };
	char err[256];
	const char *line = "--restart=on-failure:2  sh -c 'exit 3'";
	assert_int_equal(restart_prefix(&line, &s, err, sizeof err), 1);
	assert_string_equal(line, "sh -c 'exit 3'");
	assert_int_equal(s.policy, RESTART_ON_FAILURE);
	assert_int_equal(s.max, 2);
	line = "sleep 1";
	assert_int_equal(restart_prefix(&line, &s, err, sizeof err), 0);
	assert_string_equal(line, "sleep 1");
	line = "--restart=often sleep 1";
	assert_int_equal(restart_prefix(&line, &s, err, sizeof err), -1);
	assert_non_null(strstr(err, "often"));
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_never_restarts_nothing),
		cmocka_unit_test(test_on_failure),
		cmocka_unit_test(test_always),
		cmocka_unit_test(test_backoff_doubles_to_the_ceiling),
		cmocka_unit_test(test_stable_run_resets_the_backoff),
		cmocka_unit_test(test_max_gives_up),
		cmocka_unit_test(test_parse),
		cmocka_unit_test(test_prefix),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
