/* Unit tests for lifecycle: CPU%, orphans, exits and lingering, PID reuse. */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <string.h>

#include "model/lifecycle.h"

#define SELF 100
#define HZ 100

static struct sample mk(pid_t tid, pid_t pid, pid_t ppid, char state, unsigned long long ticks,
			unsigned long long start)
{
	struct sample s = { .tid = tid, .pid = pid, .ppid = ppid, .state = state, .ticks = ticks,
			    .start_ticks = start, .cmdline = "prog --flag", .threads = 1 };
	strcpy(s.comm, "prog");
	return s;
}

static void test_cpu_percent(void **state)
{
	(void)state;
	struct lifecycle *lc = lifecycle_new(SELF);
	struct sample s[] = { mk(200, 200, SELF, 'R', 1000, 5) };
	lifecycle_note_launched(lc, 200);
	lifecycle_update(lc, s, 1, 10.0, HZ, true);
	assert_float_equal(lifecycle_find(lc, 200)->cpu, 0.0, 1e-9);
	s[0].ticks = 1050; /* 50 ticks = 0.5 s of CPU in 1 s */
	lifecycle_update(lc, s, 1, 11.0, HZ, true);
	const struct task *t = lifecycle_find(lc, 200);
	assert_non_null(t);
	assert_float_equal(t->cpu, 50.0, 1e-6);
	assert_true(t->launched);
	assert_false(t->orphan);
	assert_true(t->supervised);
	assert_string_equal(t->cmdline, "prog --flag");
	lifecycle_free(lc);
}

static void test_orphan_keeps_former_parent(void **state)
{
	(void)state;
	struct lifecycle *lc = lifecycle_new(SELF);
	lifecycle_note_launched(lc, 200);
	struct sample s[] = { mk(200, 200, SELF, 'S', 0, 5), mk(300, 300, 200, 'S', 0, 6) };
	lifecycle_update(lc, s, 2, 1.0, HZ, true);
	assert_false(lifecycle_find(lc, 300)->orphan);
	assert_true(lifecycle_find(lc, 300)->supervised);
	s[1].ppid = SELF; /* 200 exited, 300 re-parented to concmon */
	lifecycle_update(lc, &s[1], 1, 2.0, HZ, true);
	const struct task *t = lifecycle_find(lc, 300);
	assert_true(t->orphan);
	assert_int_equal(t->former_ppid, 200);
	assert_true(lifecycle_find(lc, 200)->exited);
	assert_int_equal(lifecycle_find(lc, 200)->state, 'X');
	assert_false(lifecycle_find(lc, 200)->exit_known);
	lifecycle_free(lc);
}

static void test_exit_lingers_then_goes(void **state)
{
	(void)state;
	struct lifecycle *lc = lifecycle_new(SELF);
	lifecycle_note_launched(lc, 200);
	struct sample s[] = { mk(200, 200, SELF, 'S', 0, 5), mk(201, 200, SELF, 'S', 0, 5) };
	lifecycle_update(lc, s, 2, 1.0, HZ, true);
	lifecycle_note_exit(lc, 200, "prog", 3, 0, 1.5);
	const struct task *t = lifecycle_find(lc, 200);
	assert_true(t->exited);
	assert_true(t->exit_known);
	assert_int_equal(t->exit_code, 3);
	assert_int_equal(t->exit_signal, 0);
	assert_true(lifecycle_find(lc, 201)->exited); /* its thread went with it */
	lifecycle_update(lc, NULL, 0, 2.0, HZ, true);
	assert_non_null(lifecycle_find(lc, 200));
	assert_int_equal(lifecycle_find(lc, 200)->exit_code, 3);
	lifecycle_update(lc, NULL, 0, 1.5 + LIFECYCLE_LINGER + 0.1, HZ, true);
	assert_null(lifecycle_find(lc, 200));
	size_t n;
	lifecycle_tasks(lc, &n);
	assert_int_equal(n, 0);
	lifecycle_free(lc);
}

static void test_exit_of_unsampled_child(void **state)
{
	(void)state;
	struct lifecycle *lc = lifecycle_new(SELF);
	lifecycle_note_launched(lc, 250);
	lifecycle_note_exit(lc, 250, "true", 0, 0, 1.0);
	lifecycle_note_exit(lc, 260, NULL, -1, 9, 1.0);
	const struct task *t = lifecycle_find(lc, 250);
	assert_non_null(t);
	assert_string_equal(t->comm, "true");
	assert_true(t->launched);
	assert_false(t->orphan);
	assert_int_equal(t->exit_code, 0);
	t = lifecycle_find(lc, 260);
	assert_true(t->orphan); /* not launched by concmon, yet its child: adopted */
	assert_int_equal(t->exit_signal, 9);
	assert_int_equal(t->exit_code, -1);
	lifecycle_free(lc);
}

static void test_pid_reuse_is_a_new_task(void **state)
{
	(void)state;
	struct lifecycle *lc = lifecycle_new(SELF);
	struct sample s[] = { mk(200, 200, SELF, 'S', 500, 5) };
	lifecycle_note_launched(lc, 200);
	lifecycle_update(lc, s, 1, 1.0, HZ, true);
	s[0].start_ticks = 77; /* a different process with the same PID */
	s[0].ticks = 10;
	lifecycle_update(lc, s, 1, 2.0, HZ, true);
	const struct task *t = lifecycle_find(lc, 200);
	assert_int_equal(t->start_ticks, 77);
	assert_false(t->exited);
	assert_float_equal(t->cpu, 0.0, 1e-9); /* no delta against the old one */
	assert_true(t->orphan); /* concmon launched the old 200, not this one */
	lifecycle_free(lc);
}

static void test_all_mode_marks_supervised(void **state)
{
	(void)state;
	struct lifecycle *lc = lifecycle_new(SELF);
	struct sample s[] = {
		mk(1, 1, 0, 'S', 0, 1), mk(SELF, SELF, 1, 'S', 0, 2), mk(200, 200, SELF, 'S', 0, 3),
		mk(300, 300, 200, 'Z', 0, 4), mk(400, 400, 1, 'S', 0, 5),
	};
	lifecycle_update(lc, s, 5, 1.0, HZ, true);
	assert_false(lifecycle_find(lc, 1)->supervised);
	assert_false(lifecycle_find(lc, SELF)->supervised);
	assert_true(lifecycle_find(lc, 200)->supervised);
	assert_true(lifecycle_find(lc, 300)->supervised);
	assert_int_equal(lifecycle_find(lc, 300)->state, 'Z');
	assert_false(lifecycle_find(lc, 400)->supervised);
	lifecycle_free(lc);
}

static void test_exec_changes_cmdline(void **state)
{
	(void)state;
	struct lifecycle *lc = lifecycle_new(SELF);
	struct sample s[] = { mk(200, 200, SELF, 'S', 0, 5) };
	lifecycle_update(lc, s, 1, 1.0, HZ, true);
	s[0].cmdline = "sleep 5";
	strcpy(s[0].comm, "sleep");
	lifecycle_update(lc, s, 1, 2.0, HZ, true);
	assert_string_equal(lifecycle_find(lc, 200)->cmdline, "sleep 5");
	assert_string_equal(lifecycle_find(lc, 200)->comm, "sleep");
	lifecycle_free(lc);
}

static void test_hidden_threads_are_not_exits(void **state)
{
	(void)state;
	struct lifecycle *lc = lifecycle_new(SELF);
	struct sample s[] = { mk(200, 200, SELF, 'S', 0, 5), mk(201, 200, SELF, 'S', 0, 5) };
	lifecycle_update(lc, s, 2, 1.0, HZ, true);
	assert_non_null(lifecycle_find(lc, 201));
	lifecycle_update(lc, s, 1, 2.0, HZ, false);
	assert_null(lifecycle_find(lc, 201));
	assert_false(lifecycle_find(lc, 200)->exited);
	lifecycle_update(lc, s, 1, 3.0, HZ, true); /* shown again, and one thread ended */
	assert_null(lifecycle_find(lc, 201));
	lifecycle_update(lc, s, 2, 4.0, HZ, true);
	lifecycle_update(lc, s, 1, 5.0, HZ, true);
	assert_true(lifecycle_find(lc, 201)->exited);
	lifecycle_free(lc);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_cpu_percent),
		cmocka_unit_test(test_orphan_keeps_former_parent),
		cmocka_unit_test(test_exit_lingers_then_goes),
		cmocka_unit_test(test_exit_of_unsampled_child),
		cmocka_unit_test(test_pid_reuse_is_a_new_task),
		cmocka_unit_test(test_all_mode_marks_supervised),
		cmocka_unit_test(test_exec_changes_cmdline),
		cmocka_unit_test(test_hidden_threads_are_not_exits),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
