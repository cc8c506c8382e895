/* test_tasksort.c - sort keys of every column: names, column lists,
 * comparators of the new keys, the extra-field mask, the linger filter. */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <math.h>
#include <stdio.h>
#include <string.h>

#include "kernel/procextra.h"
#include "model/tasktree.h"

#define N(a) (sizeof(a) / sizeof((a)[0]))

static struct task proc(pid_t pid)
{
	struct task t;
	memset(&t, 0, sizeof t);
	t.tid = t.pid = pid;
	t.ppid = 0;
	t.state = 'S';
	snprintf(t.comm, sizeof t.comm, "p");
	t.cmdline = (char *)"";
	t.threads = 1;
	t.shr_kb = -1;
	t.io_read_bps = t.io_write_bps = -1;
	return t;
}

static void test_names_round_trip(void **state)
{
	(void)state;
	for (int k = 0; k < SORT_COUNT; k++) {
		assert_int_equal(tasksort_parse(tasksort_column_name((enum sort_key)k)), k);
		assert_int_equal(tasksort_parse(tasktree_sort_name((enum sort_key)k)), k);
	}
	assert_int_equal(tasksort_parse("s"), SORT_STATE);
	assert_int_equal(tasksort_parse("time+"), SORT_TIME);
	assert_int_equal(tasksort_parse("%MEM"), SORT_MEM);
	assert_int_equal(tasksort_parse("io_w"), SORT_IO_W);
	assert_int_equal(tasksort_parse("TIME"), -1);
	assert_int_equal(tasksort_parse(""), -1);
	assert_int_equal(tasksort_parse(NULL), -1);
	assert_string_equal(tasksort_column_name(SORT_COUNT), "?");
}

static void test_list_parse_format(void **state)
{
	(void)state;
	enum sort_key l[TASKSORT_MAX_LIST];
	char err[128], buf[256];
	int n = tasksort_parse_list("pid,USER,ni,TIME+,command", l, N(l), err, sizeof err);
	assert_int_equal(n, 5);
	assert_int_equal(l[0], SORT_PID);
	assert_int_equal(l[1], SORT_USER);
	assert_int_equal(l[2], SORT_NICE);
	assert_int_equal(l[3], SORT_TIME);
	assert_int_equal(l[4], SORT_COMMAND);
	tasksort_format_list(l, (size_t)n, buf, sizeof buf);
	assert_string_equal(buf, "PID,USER,NI,TIME+,COMMAND");

	static const struct {
		const char *text, *why;
	} bad[] = {
		{ "PID,BOGUS", "unknown column 'BOGUS'" },
		{ "PID,,CPU%", "empty column name in 'PID,,CPU%'" },
		{ "", "empty column name in ''" },
		{ "PID,", "empty column name in 'PID,'" },
		{ "PID,pid", "column 'pid' named twice" },
		{ "AVERYLONGNAMEOFACOLUMNTHATISNOTONE1234", "unknown column 'AVERYLONGNAMEOFACOLUMNTHATISNOTONE1234'" },
	};
	for (size_t i = 0; i < N(bad); i++) {
		assert_int_equal(tasksort_parse_list(bad[i].text, l, N(l), err, sizeof err), -1);
		assert_string_equal(err, bad[i].why);
	}
	assert_int_equal(tasksort_parse_list("PID,CPU%", l, 1, err, sizeof err), -1);
	assert_string_equal(err, "too many columns");

	/* every name once: all of them fit */
	tasksort_all_names(buf, sizeof buf);
	assert_int_equal(tasksort_parse_list(buf, l, N(l), err, sizeof err), SORT_COUNT);
	assert_non_null(strstr(buf, "PID,TID,PPID,S,CPU%,RSS,THR,START,WAITING,COMMAND,"));
}

static void test_extras_mask(void **state)
{
	(void)state;
	enum sort_key cheap[] = { SORT_PID, SORT_TID, SORT_PPID, SORT_STATE, SORT_CPU, SORT_RSS,
				  SORT_THR, SORT_START, SORT_WAIT, SORT_COMMAND, SORT_NICE,
				  SORT_PRI, SORT_TTY, SORT_VIRT, SORT_MEM, SORT_TIME };
	assert_int_equal(tasksort_extras(cheap, N(cheap)), 0);
	enum sort_key io[] = { SORT_PID, SORT_IO_R, SORT_IO_W };
	assert_int_equal(tasksort_extras(io, N(io)), PROC_EXTRA_IO);
	enum sort_key all[] = { SORT_USER, SORT_SHR, SORT_IO_R, SORT_WCHAN, SORT_CGROUP };
	assert_int_equal(tasksort_extras(all, N(all)), PROC_EXTRA_USER | PROC_EXTRA_SHR |
			 PROC_EXTRA_IO | PROC_EXTRA_WCHAN | PROC_EXTRA_CGROUP);
	assert_int_equal(tasksort_extras(all, 0), 0);
}

static const char *waits(pid_t tid, void *arg)
{
	(void)arg;
	static const char *const w[] = { NULL, "zz lock", NULL, "a queue", "" };
	return tid >= 1 && tid <= 4 ? w[tid] : NULL;
}

/* Each new key orders four tasks as expected (ties by tid). */
static void test_new_keys_order(void **state)
{
	(void)state;
	struct task t[] = { proc(1), proc(2), proc(3), proc(4) };
	struct row rows[4];
	struct tree_opts o = { .tree = false, .threads = true, .wait = waits };
	t[0].nice = 5, t[1].nice = -5, t[2].nice = 0, t[3].nice = 19;
	t[0].priority = 25, t[1].priority = 15, t[2].priority = 20, t[3].priority = 39;
	t[0].tty_nr = 0, t[1].tty_nr = (136 << 8) | 10, t[2].tty_nr = (136 << 8) | 9;
	t[3].tty_nr = (4 << 8) | 1;                    /* ?, pts/10, pts/9, tty1 */
	t[0].vsize_kb = 900, t[1].vsize_kb = 100, t[2].vsize_kb = 500, t[3].vsize_kb = 100;
	t[0].shr_kb = 10, t[1].shr_kb = -1, t[2].shr_kb = 30, t[3].shr_kb = 20;
	t[0].mem_pct = 1.5, t[1].mem_pct = NAN, t[2].mem_pct = 0.5, t[3].mem_pct = 3;
	t[0].time_ticks = 700, t[1].time_ticks = 5, t[2].time_ticks = 6000, t[3].time_ticks = 0;
	t[0].io_read_bps = 100, t[1].io_read_bps = -1, t[2].io_read_bps = 0, t[3].io_read_bps = 5e6;
	t[0].io_write_bps = -1, t[1].io_write_bps = 7, t[2].io_write_bps = 3, t[3].io_write_bps = 2;
	t[0].user = "root", t[1].user = "alice", t[2].user = NULL, t[3].user = "bob";
	snprintf(t[0].wchan, sizeof t[0].wchan, "pipe_read");
	snprintf(t[1].wchan, sizeof t[1].wchan, "do_wait");
	snprintf(t[3].wchan, sizeof t[3].wchan, "futex_wait_queue");
	t[0].cgroup = (char *)"/b", t[1].cgroup = (char *)"/a", t[3].cgroup = (char *)"/a/x";
	t[0].threads = 4, t[1].threads = 1, t[2].threads = 9, t[3].threads = 1;
	t[0].ppid = 7, t[1].ppid = 3, t[2].ppid = 3, t[3].ppid = 1;

	static const struct {
		enum sort_key key;
		bool desc;
		pid_t order[4];
	} cases[] = {
		{ SORT_NICE, false, { 2, 3, 1, 4 } },
		{ SORT_PRI, true, { 4, 1, 3, 2 } },
		{ SORT_TTY, false, { 1, 2, 3, 4 } },   /* by name: ? pts/10 pts/9 tty1 */
		{ SORT_VIRT, false, { 2, 4, 3, 1 } },
		{ SORT_SHR, false, { 2, 1, 4, 3 } },   /* unknown (-1) lowest */
		{ SORT_MEM, true, { 4, 1, 3, 2 } },    /* NaN lowest */
		{ SORT_TIME, true, { 3, 1, 2, 4 } },
		{ SORT_IO_R, true, { 4, 1, 3, 2 } },
		{ SORT_IO_W, false, { 1, 4, 3, 2 } },
		{ SORT_USER, false, { 3, 2, 4, 1 } },  /* unknown (empty) first */
		{ SORT_WCHAN, false, { 3, 2, 4, 1 } },
		{ SORT_CGROUP, false, { 3, 2, 4, 1 } },
		{ SORT_WAIT, false, { 2, 4, 3, 1 } },  /* none and "" tie, then by text */
		{ SORT_THR, true, { 3, 1, 2, 4 } },
		{ SORT_PPID, false, { 4, 2, 3, 1 } },
		{ SORT_TID, true, { 4, 3, 2, 1 } },
	};
	for (size_t c = 0; c < N(cases); c++) {
		o.sort = cases[c].key;
		o.descending = cases[c].desc;
		assert_int_equal(tasktree_build(t, 4, &o, rows), 4);
		for (size_t i = 0; i < 4; i++)
			if (rows[i].task->tid != cases[c].order[i])
				fail_msg("%s%s row %zu: tid %d, want %d", tasktree_sort_name(cases[c].key),
					 cases[c].desc ? " desc" : "", i, rows[i].task->tid,
					 cases[c].order[i]);
	}
	/* WAITING without a wait source: every task ties, by tid. */
	o.sort = SORT_WAIT, o.descending = false, o.wait = NULL;
	tasktree_build(t, 4, &o, rows);
	for (size_t i = 0; i < 4; i++)
		assert_int_equal(rows[i].task->tid, (pid_t)(i + 1));
}

/* exited_after hides exited tasks that ended before it (the linger). */
static void test_linger_filter(void **state)
{
	(void)state;
	struct task t[] = { proc(1), proc(2), proc(3) };
	struct row rows[3];
	t[1].exited = true, t[1].exited_at = 100.0;
	t[2].exited = true, t[2].exited_at = 103.0;
	struct tree_opts o = { .tree = true, .threads = true, .sort = SORT_PID };
	assert_int_equal(tasktree_build(t, 3, &o, rows), 3);
	o.exited_after = 102.0;     /* linger 2 s at 104 */
	assert_int_equal(tasktree_build(t, 3, &o, rows), 2);
	assert_int_equal(rows[1].task->tid, 3);
	o.exited_after = 104.001;   /* linger 0 */
	assert_int_equal(tasktree_build(t, 3, &o, rows), 1);
	assert_int_equal(rows[0].task->tid, 1);
	/* the header counts the exited rows shown */
	struct summary sum;
	tasktree_summary_shown(t, 3, true, 0, &sum);
	assert_int_equal(sum.exited, 2);
	tasktree_summary_shown(t, 3, true, 102.0, &sum);
	assert_int_equal(sum.exited, 1);
	tasktree_summary_shown(t, 3, true, 104.001, &sum);
	assert_int_equal(sum.exited, 0);
	assert_int_equal(sum.processes, 1);
}

/* The fold text says the linger in force. */
static void test_fold_text_linger(void **state)
{
	(void)state;
	struct exit_tally x;
	char buf[256];
	memset(&x, 0, sizeof x);
	x.count = 3;
	x.unknown = 3;
	x.linger = 30;
	tasktree_fold_text(&x, buf, sizeof buf);
	assert_non_null(strstr(buf, "+3 exited in the last 30 s"));
	x.linger = 0;
	tasktree_fold_text(&x, buf, sizeof buf);
	assert_non_null(strstr(buf, "in the last 5 s"));
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_names_round_trip),
		cmocka_unit_test(test_list_parse_format),
		cmocka_unit_test(test_extras_mask),
		cmocka_unit_test(test_new_keys_order),
		cmocka_unit_test(test_linger_filter),
		cmocka_unit_test(test_fold_text_linger),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
