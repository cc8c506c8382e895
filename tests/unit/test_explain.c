/* Unit tests for the explanations: the right text, filled in, never overflowing. */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <stdio.h>
#include <string.h>

#include "model/explain.h"

static struct task mk(char state)
{
	struct task t = { .tid = 50, .pid = 50, .ppid = 40, .state = state, .cmdline = "x" };
	snprintf(t.comm, sizeof t.comm, "worker");
	return t;
}

static void test_zombie_names_its_parent(void **state)
{
	(void)state;
	char buf[4096];
	struct task t = mk('Z');
	explain_task(&t, NULL, NULL, buf, sizeof buf);
	assert_non_null(strstr(buf, "Zombie: process 50 (worker)"));
	assert_non_null(strstr(buf, "parent, PID 40, has not"));
	assert_null(strchr(buf, '{')); /* every placeholder filled */
}

static void test_each_state_has_its_text(void **state)
{
	(void)state;
	char buf[4096];
	struct task t = mk('T');
	explain_task(&t, NULL, NULL, buf, sizeof buf);
	assert_non_null(strstr(buf, "Stopped: 50"));
	t = mk('S');
	t.orphan = true;
	t.former_ppid = 33;
	explain_task(&t, NULL, NULL, buf, sizeof buf);
	assert_non_null(strstr(buf, "lost its parent (PID 33)"));
	t = mk('X');
	t.exited = t.exit_known = true;
	t.exit_code = 3;
	explain_task(&t, NULL, NULL, buf, sizeof buf);
	assert_non_null(strstr(buf, "exit code 3"));
	t = mk('R');
	explain_task(&t, NULL, NULL, buf, sizeof buf);
	assert_non_null(strstr(buf, "in state R"));
}

static void test_hostile_names_and_small_buffers(void **state)
{
	(void)state;
	struct task t = mk('Z');
	snprintf(t.comm, sizeof t.comm, "a\033]0;pwned\007");
	char buf[4096];
	explain_task(&t, NULL, NULL, buf, sizeof buf);
	assert_null(strchr(buf, '\033'));
	assert_null(strchr(buf, '\007'));
	for (size_t len = 1; len < 64; len++) {
		char small[64];
		memset(small, 'Z', sizeof small);
		size_t n = explain_task(&t, NULL, NULL, small, len);
		assert_true(n < len);
		assert_int_equal(strlen(small), n);
	}
}

static void test_demo_lessons_are_built_in(void **state)
{
	(void)state;
	assert_non_null(explain_find("zombie"));
	assert_non_null(explain_find("deadlock"));
	assert_non_null(explain_find("demo:washer-dryer-threads"));
	assert_null(explain_find("demo:nonexistent"));
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_zombie_names_its_parent),
		cmocka_unit_test(test_each_state_has_its_text),
		cmocka_unit_test(test_hostile_names_and_small_buffers),
		cmocka_unit_test(test_demo_lessons_are_built_in),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
