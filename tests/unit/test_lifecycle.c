/* Unit tests for lifecycle: CPU%, orphans, exits and lingering, PID reuse. */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <stdio.h>
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

/* A linger longer than LIFECYCLE_LINGER keeps exited tasks longer; a
 * shorter one (0 too) does not drop them sooner: the model's bookkeeping
 * needs them, views hide them (tasktree's exited_after). */
static void test_linger_setting(void **state)
{
	(void)state;
	static const struct {
		double linger, kept_until;
	} cases[] = { { 30, 30 }, { 0, LIFECYCLE_LINGER }, { 2, LIFECYCLE_LINGER } };
	for (size_t c = 0; c < sizeof cases / sizeof cases[0]; c++) {
		struct lifecycle *lc = lifecycle_new(SELF);
		lifecycle_set_linger(lc, cases[c].linger);
		assert_float_equal(lifecycle_linger(lc), cases[c].linger, 1e-9);
		struct sample s[] = { mk(200, 200, SELF, 'S', 0, 5) };
		lifecycle_update(lc, s, 1, 1.0, HZ, true);
		lifecycle_update(lc, NULL, 0, 2.0, HZ, true);        /* gone at 2.0 */
		assert_true(lifecycle_find(lc, 200)->exited);
		lifecycle_update(lc, NULL, 0, 2.0 + cases[c].kept_until - 0.1, HZ, true);
		assert_non_null(lifecycle_find(lc, 200));
		lifecycle_update(lc, NULL, 0, 2.0 + cases[c].kept_until + 0.1, HZ, true);
		assert_null(lifecycle_find(lc, 200));
		lifecycle_free(lc);
	}
	struct lifecycle *lc = lifecycle_new(SELF);
	lifecycle_set_linger(lc, -3);
	assert_float_equal(lifecycle_linger(lc), 0, 1e-9);
	lifecycle_free(lc);
}

/* The optional columns' facts: from stat always, the extras when read;
 * I/O rates from two readings of the counters. */
static void test_htop_fields(void **state)
{
	(void)state;
	struct lifecycle *lc = lifecycle_new(SELF);
	struct sample s[] = { mk(200, 200, SELF, 'S', 250, 5) };
	s[0].nice = -4, s[0].priority = 16, s[0].tty_nr = 34816, s[0].vsize_kb = 9000;
	lifecycle_update(lc, s, 1, 1.0, HZ, true);
	const struct task *t = lifecycle_find(lc, 200);
	assert_int_equal(t->nice, -4);
	assert_int_equal(t->priority, 16);
	assert_int_equal(t->tty_nr, 34816);
	assert_int_equal(t->vsize_kb, 9000);
	assert_float_equal(t->time_s, 2.5, 1e-9);
	assert_null(t->user);
	assert_int_equal(t->shr_kb, -1);
	assert_true(t->io_read_bps < 0);
	assert_null(t->cgroup);

	struct proc_extras e = { .user = "alice", .shr_kb = 12, .io_known = true, .io_rchar = 1000,
				 .io_wchar = 50, .wchan = "pipe_read", .cgroup = "/a/b" };
	s[0].extra = &e;
	lifecycle_update(lc, s, 1, 2.0, HZ, true);
	t = lifecycle_find(lc, 200);
	assert_string_equal(t->user, "alice");
	assert_int_equal(t->shr_kb, 12);
	assert_true(t->io_read_bps < 0);            /* one reading: no rate yet */
	assert_string_equal(t->wchan, "pipe_read");
	assert_string_equal(t->cgroup, "/a/b");
	e.io_rchar = 5000, e.io_wchar = 50;
	lifecycle_update(lc, s, 1, 4.0, HZ, true);  /* 4000 bytes in 2 s */
	t = lifecycle_find(lc, 200);
	assert_float_equal(t->io_read_bps, 2000, 1e-6);
	assert_float_equal(t->io_write_bps, 0, 1e-6);
	e.io_known = false;                         /* EACCES now: unknown, not 0 */
	lifecycle_update(lc, s, 1, 5.0, HZ, true);
	assert_true(lifecycle_find(lc, 200)->io_read_bps < 0);
	snprintf(e.cgroup, sizeof e.cgroup, "/c");
	lifecycle_update(lc, s, 1, 6.0, HZ, true);
	assert_string_equal(lifecycle_find(lc, 200)->cgroup, "/c");
	s[0].extra = NULL;                          /* columns hidden again */
	lifecycle_update(lc, s, 1, 7.0, HZ, true);
	assert_null(lifecycle_find(lc, 200)->cgroup);
	assert_null(lifecycle_find(lc, 200)->user);
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
		cmocka_unit_test(test_linger_setting),
		cmocka_unit_test(test_htop_fields),
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
