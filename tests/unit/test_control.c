/* Unit tests for batch-mode commands (control) and the demo listing parser. */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <signal.h>
#include <string.h>

#include "control.h"
#include "demolist.h"

static void test_knob(void **state)
{
	(void)state;
	struct control_cmd c;
	char err[128];
	assert_int_equal(control_parse("knob 1234 dryers 4", &c, err, sizeof err), 0);
	assert_int_equal(c.op, CONTROL_KNOB);
	assert_int_equal(c.pid, 1234);
	assert_string_equal(c.name, "dryers");
	assert_int_equal(c.value, 4);
	assert_int_equal(control_parse("  knob\t7 x -3  ", &c, err, sizeof err), 0);
	assert_int_equal(c.value, -3);
}

static void test_signal_and_terminate(void **state)
{
	(void)state;
	struct control_cmd c;
	char err[128];
	assert_int_equal(control_parse("signal 99 STOP", &c, err, sizeof err), 0);
	assert_int_equal(c.op, CONTROL_SIGNAL);
	assert_int_equal(c.sig, SIGSTOP);
	assert_int_equal(control_parse("signal 99 9", &c, err, sizeof err), 0);
	assert_int_equal(c.sig, SIGKILL);
	assert_int_equal(control_parse("terminate 5", &c, err, sizeof err), 0);
	assert_int_equal(c.op, CONTROL_TERMINATE);
	assert_int_equal(c.pid, 5);
}

static void test_launch_keeps_the_rest(void **state)
{
	(void)state;
	struct control_cmd c;
	char err[128];
	assert_int_equal(control_parse("launch sh -c 'sleep 1; echo hi'", &c, err, sizeof err), 0);
	assert_int_equal(c.op, CONTROL_LAUNCH);
	assert_string_equal(c.rest, "sh -c 'sleep 1; echo hi'");
	assert_int_equal(control_parse("demo washer-dryer-threads,dryers=2", &c, err, sizeof err), 0);
	assert_int_equal(c.op, CONTROL_DEMO);
	assert_string_equal(c.rest, "washer-dryer-threads,dryers=2");
}

static void test_blank_and_comments(void **state)
{
	(void)state;
	struct control_cmd c;
	char err[128];
	assert_int_equal(control_parse("", &c, err, sizeof err), 0);
	assert_int_equal(c.op, CONTROL_NONE);
	assert_int_equal(control_parse("   # knob 1 x 2", &c, err, sizeof err), 0);
	assert_int_equal(c.op, CONTROL_NONE);
}

static void test_errors(void **state)
{
	(void)state;
	static const char *bad[] = {
		"knob", "knob 12", "knob 12 x", "knob x y 1", "knob 0 x 1", "knob -4 x 1",
		"knob 12 x 1.5", "knob 12 x 99999999999999999999", "knob 12 x 1 extra",
		"signal 12", "signal 12 NOPE", "signal 12 TERM more", "terminate", "terminate 1 2",
		"launch", "launch    ", "demo", "frobnicate 1", "knob 1 aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa 1",
	};
	for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
		struct control_cmd c;
		char err[128] = "";
		if (control_parse(bad[i], &c, err, sizeof err) != -1)
			fail_msg("accepted: '%s'", bad[i]);
		assert_true(err[0] != '\0');
	}
}

static void test_demolist_parse(void **state)
{
	(void)state;
	const char text[] = "a\tgroup one\tfirst demo\n"
			    "bad line without tabs\n"
			    "\tno\tname\n"
			    "b\tg\tsecond\n"
			    "c\tg\t";
	struct demo_info d[4];
	size_t n = demolist_parse(text, sizeof text - 1, d, 4);
	assert_int_equal(n, 2);
	assert_string_equal(d[0].name, "a");
	assert_string_equal(d[0].group, "group one");
	assert_string_equal(d[0].description, "first demo");
	assert_string_equal(d[1].name, "b");
	assert_int_equal(demolist_parse(text, sizeof text - 1, d, 1), 1);
	char longline[400];
	memset(longline, 'x', sizeof longline);
	longline[10] = '\t';
	longline[20] = '\t';
	assert_int_equal(demolist_parse(longline, sizeof longline, d, 4), 1);
	assert_int_equal(strlen(d[0].description), sizeof d[0].description - 1);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_knob),
		cmocka_unit_test(test_signal_and_terminate),
		cmocka_unit_test(test_launch_keeps_the_rest),
		cmocka_unit_test(test_blank_and_comments),
		cmocka_unit_test(test_errors),
		cmocka_unit_test(test_demolist_parse),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
