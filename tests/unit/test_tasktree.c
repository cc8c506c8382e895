/* test_tasktree.c - rows from tasks: sort, tree, threads, filter, loops, depth, summary. */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include "xorshift.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "model/tasktree.h"
#include "util/util.h"

static struct task mk(pid_t tid, pid_t pid, pid_t ppid, char state, const char *comm)
{
	struct task t;
	memset(&t, 0, sizeof(t));
	t.tid = tid;
	t.pid = pid;
	t.ppid = ppid;
	t.state = state;
	snprintf(t.comm, sizeof(t.comm), "%s", comm);
	t.cmdline = (char *)"";
	t.threads = 1;
	t.supervised = true;
	return t;
}

/* A process: tid == pid. */
static struct task proc(pid_t pid, pid_t ppid)
{
	return mk(pid, pid, ppid, 'S', "p");
}

struct want {
	pid_t tid;
	int depth;
	bool last;
	unsigned long long more;
};

static void expect_rows(const struct row *rows, size_t n, const struct want *w, size_t nw)
{
	if (n != nw) {
		for (size_t i = 0; i < n; i++)
			print_message("row %zu: tid %d depth %d\n", i, rows[i].task->tid, rows[i].depth);
		fail_msg("got %zu rows, want %zu", n, nw);
	}
	for (size_t i = 0; i < n; i++) {
		if (rows[i].task->tid != w[i].tid || rows[i].depth != w[i].depth ||
		    rows[i].last != w[i].last || rows[i].more != w[i].more)
			fail_msg("row %zu: tid %d depth %d last %d more %llx; want %d %d %d %llx", i,
				 rows[i].task->tid, rows[i].depth, rows[i].last, rows[i].more,
				 w[i].tid, w[i].depth, w[i].last, w[i].more);
	}
}

#define N(a) (sizeof(a) / sizeof((a)[0]))

static void test_sort_names(void **state)
{
	(void)state;
	assert_string_equal(tasktree_sort_name(SORT_PID), "PID");
	assert_string_equal(tasktree_sort_name(SORT_CPU), "CPU%");
	assert_string_equal(tasktree_sort_name(SORT_RSS), "RSS");
	assert_string_equal(tasktree_sort_name(SORT_STATE), "STATE");
	assert_string_equal(tasktree_sort_name(SORT_COMMAND), "COMMAND");
	assert_string_equal(tasktree_sort_name(SORT_START), "START");
	assert_string_equal(tasktree_sort_name(SORT_COUNT), "?");
	assert_string_equal(tasktree_sort_name((enum sort_key)-1), "?");
}

static void test_flat_by_pid_with_threads(void **state)
{
	(void)state;
	struct task t[] = { proc(30, 1), mk(12, 10, 1, 'R', "w"), proc(10, 1), proc(20, 10),
			    mk(11, 10, 1, 'S', "w") };
	struct row rows[N(t)];
	struct tree_opts o = { .tree = false, .threads = true, .sort = SORT_PID };
	size_t n = tasktree_build(t, N(t), &o, rows);
	const struct want w[] = { { 10, 0, false, 0 }, { 11, 0, false, 0 }, { 12, 0, false, 0 },
				  { 20, 0, false, 0 }, { 30, 0, true, 0 } };
	expect_rows(rows, n, w, N(w));

	o.threads = false;
	n = tasktree_build(t, N(t), &o, rows);
	const struct want w2[] = { { 10, 0, false, 0 }, { 20, 0, false, 0 }, { 30, 0, true, 0 } };
	expect_rows(rows, n, w2, N(w2));

	o.descending = true;
	n = tasktree_build(t, N(t), &o, rows);
	const struct want w3[] = { { 30, 0, false, 0 }, { 20, 0, false, 0 }, { 10, 0, true, 0 } };
	expect_rows(rows, n, w3, N(w3));
}

static void test_flat_sort_keys(void **state)
{
	(void)state;
	struct task t[] = { proc(1, 0), proc(2, 0), proc(3, 0), proc(4, 0) };
	struct row rows[4];
	struct tree_opts o = { .tree = false, .threads = true };
	t[0].cpu = 5.0, t[1].cpu = 50.0, t[2].cpu = NAN, t[3].cpu = 5.0;
	t[0].rss_kb = 300, t[1].rss_kb = 100, t[2].rss_kb = 200, t[3].rss_kb = 100;
	t[0].state = 'S', t[1].state = 'R', t[2].state = 'Z', t[3].state = 'D';
	snprintf(t[0].comm, sizeof(t[0].comm), "bash");
	snprintf(t[1].comm, sizeof(t[1].comm), "awk");
	snprintf(t[2].comm, sizeof(t[2].comm), "bash");
	snprintf(t[3].comm, sizeof(t[3].comm), "zsh");
	t[0].cmdline = (char *)"bash -c b";
	t[2].cmdline = (char *)"bash -c a";
	t[0].start_ticks = 40, t[1].start_ticks = 10, t[2].start_ticks = 30, t[3].start_ticks = 20;

	static const struct {
		enum sort_key key;
		bool desc;
		pid_t order[4];
	} cases[] = {
		{ SORT_CPU, true, { 2, 1, 4, 3 } },     /* ties by tid ascending; NaN lowest */
		{ SORT_CPU, false, { 3, 1, 4, 2 } },
		{ SORT_RSS, false, { 2, 4, 3, 1 } },
		{ SORT_RSS, true, { 1, 3, 2, 4 } },
		{ SORT_STATE, false, { 4, 2, 1, 3 } },  /* D R S Z */
		{ SORT_COMMAND, false, { 2, 3, 1, 4 } },/* awk, bash -c a, bash -c b, zsh */
		{ SORT_START, false, { 2, 4, 3, 1 } },
		{ SORT_START, true, { 1, 3, 4, 2 } },
	};
	for (size_t c = 0; c < N(cases); c++) {
		o.sort = cases[c].key;
		o.descending = cases[c].desc;
		assert_int_equal(tasktree_build(t, 4, &o, rows), 4);
		for (size_t i = 0; i < 4; i++) {
			if (rows[i].task->tid != cases[c].order[i])
				fail_msg("case %zu row %zu: tid %d, want %d", c, i, rows[i].task->tid,
					 cases[c].order[i]);
		}
	}
}

/*
 * 1
 * ├─ 10
 * │  ├─ {11}    thread of 10, before child processes even though 11 > 5
 * │  ├─ 5
 * │  └─ 20
 * └─ 30
 * 99 (orphan root: ppid 7 is not in the set)
 */
static void test_tree_basic(void **state)
{
	(void)state;
	struct task t[] = { proc(30, 1), proc(20, 10), mk(11, 10, 1, 'S', "t"), proc(99, 7),
			    proc(1, 0), proc(5, 10), proc(10, 1) };
	struct row rows[N(t)];
	struct tree_opts o = { .tree = true, .threads = true, .sort = SORT_PID };
	size_t n = tasktree_build(t, N(t), &o, rows);
	const struct want w[] = {
		{ 1, 0, false, 0 },
		{ 10, 1, false, 0x1 },
		{ 11, 2, false, 0x3 },
		{ 5, 2, false, 0x3 },
		{ 20, 2, true, 0x3 },
		{ 30, 1, true, 0x1 },
		{ 99, 0, true, 0 },
	};
	expect_rows(rows, n, w, N(w));
	for (size_t i = 0; i < n; i++)
		assert_true(rows[i].task >= t && rows[i].task < t + N(t));

	/* threads hidden: the thread row goes, nothing else moves */
	o.threads = false;
	n = tasktree_build(t, N(t), &o, rows);
	const struct want w2[] = {
		{ 1, 0, false, 0 }, { 10, 1, false, 0x1 }, { 5, 2, false, 0x3 },
		{ 20, 2, true, 0x3 }, { 30, 1, true, 0x1 }, { 99, 0, true, 0 },
	};
	expect_rows(rows, n, w2, N(w2));

	/* descending: siblings reversed, threads still first */
	o.threads = true;
	o.descending = true;
	n = tasktree_build(t, N(t), &o, rows);
	const struct want w3[] = {
		{ 99, 0, false, 0 }, { 1, 0, true, 0 }, { 30, 1, false, 0 }, { 10, 1, true, 0 },
		{ 11, 2, false, 0 }, { 20, 2, false, 0 }, { 5, 2, true, 0 },
	};
	expect_rows(rows, n, w3, N(w3));
}

/* The more bits: r1 has a later sibling (r2), a has a later sibling (b). */
static void test_tree_more_bits(void **state)
{
	(void)state;
	struct task t[] = { proc(1, 0), proc(2, 1), proc(3, 2), proc(4, 1), proc(5, 4),
			    proc(6, 0), proc(7, 6), mk(8, 3, 0, 'S', "t") };
	struct row rows[N(t)];
	struct tree_opts o = { .tree = true, .threads = true, .sort = SORT_PID };
	size_t n = tasktree_build(t, N(t), &o, rows);
	const struct want w[] = {
		{ 1, 0, false, 0 },
		{ 2, 1, false, 0x1 },
		{ 3, 2, true, 0x3 },
		{ 8, 3, true, 0x3 },
		{ 4, 1, true, 0x1 },
		{ 5, 2, true, 0x1 },
		{ 6, 0, true, 0 },
		{ 7, 1, true, 0 },
	};
	expect_rows(rows, n, w, N(w));
}

static void test_tree_thread_without_process_is_root(void **state)
{
	(void)state;
	struct task t[] = { mk(51, 50, 1, 'S', "t"), proc(2, 0), mk(52, 50, 1, 'S', "t") };
	struct row rows[N(t)];
	struct tree_opts o = { .tree = true, .threads = true, .sort = SORT_PID };
	size_t n = tasktree_build(t, N(t), &o, rows);
	const struct want w[] = { { 2, 0, false, 0 }, { 51, 0, false, 0 }, { 52, 0, true, 0 } };
	expect_rows(rows, n, w, N(w));
}

static void test_tree_exited_included(void **state)
{
	(void)state;
	struct task t[] = { proc(1, 0), proc(2, 1), proc(3, 1) };
	t[1].exited = true;
	t[1].state = 'X';
	struct row rows[3];
	struct tree_opts o = { .tree = true, .threads = true, .sort = SORT_PID };
	size_t n = tasktree_build(t, 3, &o, rows);
	const struct want w[] = { { 1, 0, true, 0 }, { 2, 1, false, 0 }, { 3, 1, true, 0 } };
	expect_rows(rows, n, w, N(w));
	assert_true(rows[1].task->exited);
}

static void test_filter_keeps_ancestors(void **state)
{
	(void)state;
	struct task t[] = { proc(1, 0), proc(2, 1), proc(3, 2), proc(4, 1), proc(5, 4),
			    proc(6, 0), mk(7, 3, 2, 'S', "worker") };
	snprintf(t[2].comm, sizeof(t[2].comm), "Needle");
	t[4].cmdline = (char *)"/bin/needle --x";
	struct row rows[N(t)];
	struct tree_opts o = { .tree = true, .threads = true, .sort = SORT_PID, .filter = "neEDLE" };
	size_t n = tasktree_build(t, N(t), &o, rows);
	/* 3 and 5 match; 1, 2, 4 are kept as ancestors; 6 and the thread 7 go,
	 * so 1 becomes the last root */
	const struct want w[] = {
		{ 1, 0, true, 0 }, { 2, 1, false, 0 }, { 3, 2, true, 0x2 },
		{ 4, 1, true, 0 }, { 5, 2, true, 0 },
	};
	expect_rows(rows, n, w, N(w));

	/* a thread matching by its name keeps its process and that one's parents */
	o.filter = "work";
	n = tasktree_build(t, N(t), &o, rows);
	const struct want w2[] = { { 1, 0, true, 0 }, { 2, 1, true, 0 }, { 3, 2, true, 0 },
				   { 7, 3, true, 0 } };
	expect_rows(rows, n, w2, N(w2));

	/* by pid: exact, not a substring */
	o.filter = "4";
	n = tasktree_build(t, N(t), &o, rows);
	const struct want w3[] = { { 1, 0, true, 0 }, { 4, 1, true, 0 } };
	expect_rows(rows, n, w3, N(w3));

	/* flat: only the matches */
	o.tree = false;
	o.filter = "needle";
	n = tasktree_build(t, N(t), &o, rows);
	const struct want w4[] = { { 3, 0, false, 0 }, { 5, 0, true, 0 } };
	expect_rows(rows, n, w4, N(w4));

	o.filter = "nothing matches this";
	assert_int_equal(tasktree_build(t, N(t), &o, rows), 0);
	o.tree = true;
	assert_int_equal(tasktree_build(t, N(t), &o, rows), 0);
	o.filter = "";
	assert_int_equal(tasktree_build(t, N(t), &o, rows), N(t));
}

static void test_match(void **state)
{
	(void)state;
	struct task t = mk(1234, 1200, 1, 'S', "Firefox");
	t.cmdline = (char *)"/usr/lib/firefox -P Default";
	assert_true(tasktree_match(&t, NULL));
	assert_true(tasktree_match(&t, ""));
	assert_true(tasktree_match(&t, "fox"));
	assert_true(tasktree_match(&t, "FIREFOX"));
	assert_true(tasktree_match(&t, "-p def"));
	assert_true(tasktree_match(&t, "1234"));
	assert_true(tasktree_match(&t, "1200"));
	assert_false(tasktree_match(&t, "123"));
	assert_false(tasktree_match(&t, "12345"));
	assert_false(tasktree_match(&t, "chrome"));
	assert_false(tasktree_match(&t, "Firefox -P Default x"));
	assert_false(tasktree_match(&t, "99999999999999999999999"));
}

/* 5 -> 7 -> 5 is a loop with a child 9; 40 is its own parent. */
static void test_cycles(void **state)
{
	(void)state;
	struct task t[] = { proc(7, 5), proc(9, 7), proc(5, 7), proc(40, 40) };
	struct row rows[N(t)];
	struct tree_opts o = { .tree = true, .threads = true, .sort = SORT_PID };
	size_t n = tasktree_build(t, N(t), &o, rows);
	const struct want w[] = { { 5, 0, false, 0 }, { 7, 1, true, 0x1 }, { 9, 2, true, 0x1 },
				  { 40, 0, true, 0 } };
	expect_rows(rows, n, w, N(w));

	/* the loop is cut at its lowest TID whichever member the walk meets first */
	o.descending = true;
	n = tasktree_build(t, N(t), &o, rows);
	const struct want w2[] = { { 40, 0, false, 0 }, { 5, 0, true, 0 }, { 7, 1, true, 0 },
				   { 9, 2, true, 0 } };
	expect_rows(rows, n, w2, N(w2));
}

static void test_big_cycle(void **state)
{
	(void)state;
	enum { M = 1000 };
	struct task *t = xmalloc(M * sizeof(*t));
	struct row *rows = xmalloc(M * sizeof(*rows));
	for (int i = 0; i < M; i++)    /* 100 -> 101 -> ... -> 1099 -> 100 */
		t[i] = proc(100 + i, i == 0 ? 100 + M - 1 : 100 + i - 1);
	struct tree_opts o = { .tree = true, .threads = true, .sort = SORT_PID };
	assert_int_equal(tasktree_build(t, M, &o, rows), M);
	for (int i = 0; i < M; i++) {
		assert_int_equal(rows[i].task->tid, 100 + i);
		assert_int_equal(rows[i].depth, i < TREE_MAX_DEPTH ? i : TREE_MAX_DEPTH - 1);
	}
	free(t);
	free(rows);
}

static void test_deep_chain(void **state)
{
	(void)state;
	enum { M = 20000 };
	struct task *t = xmalloc(M * sizeof(*t));
	struct row *rows = xmalloc(M * sizeof(*rows));
	for (int i = 0; i < M; i++)    /* stored deepest first */
		t[i] = proc(M - i, M - i - 1);
	struct tree_opts o = { .tree = true, .threads = true, .sort = SORT_PID };
	assert_int_equal(tasktree_build(t, M, &o, rows), M);
	for (int i = 0; i < M; i++) {
		assert_int_equal(rows[i].task->tid, i + 1);
		assert_int_equal(rows[i].depth, i < TREE_MAX_DEPTH ? i : TREE_MAX_DEPTH - 1);
		assert_true(rows[i].last);
		assert_int_equal(rows[i].more, 0);
	}
	/* a filter on the deepest keeps the whole chain */
	o.filter = "20000";
	assert_int_equal(tasktree_build(t, M, &o, rows), M);
	free(t);
	free(rows);
}

/* Random forests with loops and missing parents: every task exactly once,
 * each row right under its parent, filter keeps exactly matches + ancestors. */
static unsigned long long rng = 0x9e3779b97f4a7c15ULL;

static unsigned next_rand(void) { return xorshift_next(&rng); }

static pid_t parent_of(const struct task *t)
{
	return t->tid != t->pid ? t->pid : t->ppid;
}

static void check_random_rows(const struct task *t, size_t m, const struct row *rows, size_t n,
			      const char *filter)
{
	unsigned char *seen = xcalloc(m, 1);
	const struct task *path[TREE_MAX_DEPTH];
	size_t kept = 0;
	for (size_t i = 0; i < n; i++) {
		size_t idx = (size_t)(rows[i].task - t);
		assert_true(idx < m);
		assert_int_equal(seen[idx], 0);
		seen[idx] = 1;
		int d = rows[i].depth;
		assert_true(d >= 0 && d < TREE_MAX_DEPTH);
		if (i == 0)
			assert_int_equal(d, 0);
		else
			assert_true(d <= rows[i - 1].depth + 1);
		if (d > 0 && d < TREE_MAX_DEPTH - 1)
			assert_int_equal(parent_of(rows[i].task), path[d - 1]->pid);
		path[d] = rows[i].task;
	}
	/* kept = matches and their ancestors (loops aside, the walk stops at one) */
	for (size_t i = 0; i < m; i++) {
		if (!tasktree_match(&t[i], filter))
			continue;
		kept++;
		assert_int_equal(seen[i], 1);
	}
	assert_true(n >= kept);
	if (!filter)
		assert_int_equal(n, m);
	free(seen);
}

static void test_random_forests(void **state)
{
	(void)state;
	static char names[4][8] = { "alpha", "beta", "gamma", "delta" };
	for (int round = 0; round < 300; round++) {
		size_t m = 1 + next_rand() % 400;
		struct task *t = xmalloc(m * sizeof(*t));
		struct row *rows = xmalloc(m * sizeof(*rows));
		for (size_t i = 0; i < m; i++) {
			pid_t id = (pid_t)(i + 1);
			pid_t ppid = (pid_t)(next_rand() % (m + 5));
			if (next_rand() % 4 == 0 && i > 0)   /* a thread of an earlier task */
				t[i] = mk(id, t[next_rand() % i].pid, 0, 'S', names[next_rand() % 4]);
			else
				t[i] = mk(id, id, ppid, 'S', names[next_rand() % 4]);
			t[i].cpu = (double)(next_rand() % 5);
		}
		struct tree_opts o = { .tree = true, .threads = true,
				       .sort = (enum sort_key)(next_rand() % SORT_COUNT),
				       .descending = next_rand() % 2 };
		const char *filter = next_rand() % 2 ? names[next_rand() % 4] : NULL;
		o.filter = filter;
		size_t n = tasktree_build(t, m, &o, rows);
		check_random_rows(t, m, rows, n, filter);
		free(t);
		free(rows);
	}
}

static void test_empty(void **state)
{
	(void)state;
	struct row rows[1];
	struct tree_opts o = { .tree = true, .threads = true };
	assert_int_equal(tasktree_build(NULL, 0, &o, rows), 0);
	o.tree = false;
	assert_int_equal(tasktree_build(NULL, 0, &o, rows), 0);
	struct summary s;
	memset(&s, 0xff, sizeof(s));
	tasktree_summary(NULL, 0, true, &s);
	assert_int_equal(s.processes, 0);
	assert_int_equal(s.threads, 0);
	assert_int_equal(s.exited, 0);
}

static void test_summary_with_thread_rows(void **state)
{
	(void)state;
	struct task t[] = {
		mk(10, 10, 1, 'S', "a"), mk(11, 10, 1, 'R', "a"), mk(12, 10, 1, 't', "a"),
		mk(20, 20, 10, 'Z', "z"), mk(30, 30, 1, 'D', "d"), mk(40, 40, 1, 'T', "s"),
		mk(50, 50, 1, 'I', "i"), mk(60, 60, 1, 'S', "x"), mk(61, 60, 1, 'S', "x"),
		mk(70, 70, 1, 'R', "o"), mk(80, 80, 1, 'W', "w"),
	};
	t[0].threads = 3;
	t[7].exited = true;            /* process 60 and its thread have exited */
	t[7].state = 'X';
	t[8].exited = true;
	t[8].state = 'X';
	t[9].orphan = true;
	t[3].orphan = true;
	t[10].supervised = false;      /* counted only with all_tasks */
	struct summary s;
	tasktree_summary(t, N(t), false, &s);
	assert_int_equal(s.processes, 6);   /* 10 20 30 40 50 70 */
	assert_int_equal(s.threads, 8);     /* live supervised rows */
	assert_int_equal(s.running, 2);
	assert_int_equal(s.sleeping, 2);    /* 10 (S) and 50 (I) */
	assert_int_equal(s.disk, 1);
	assert_int_equal(s.stopped, 2);     /* 12 (t) and 40 (T) */
	assert_int_equal(s.zombies, 1);
	assert_int_equal(s.orphans, 2);
	assert_int_equal(s.exited, 2);

	tasktree_summary(t, N(t), true, &s);
	assert_int_equal(s.processes, 7);
	assert_int_equal(s.threads, 9);
	assert_int_equal(s.running, 2);     /* W counts in no state */
	assert_int_equal(s.exited, 2);
}

static void test_summary_without_thread_rows(void **state)
{
	(void)state;
	struct task t[] = { proc(10, 1), proc(20, 10), proc(30, 10), proc(40, 1) };
	t[0].threads = 5;
	t[1].threads = 0;                  /* unknown: counts as one */
	t[2].threads = 2;
	t[2].state = 'R';
	t[3].threads = 7;
	t[3].exited = true;
	struct summary s;
	tasktree_summary(t, N(t), false, &s);
	assert_int_equal(s.processes, 3);
	assert_int_equal(s.threads, 8);
	assert_int_equal(s.running, 1);
	assert_int_equal(s.sleeping, 2);
	assert_int_equal(s.exited, 1);
	assert_int_equal(s.orphans, 0);
}

/* ---- folding exited tasks ---- */

/* An exited process: code >= 0 exited with it, code < 0 killed by -code. */
static struct task gone(pid_t pid, pid_t ppid, int code)
{
	struct task t = proc(pid, ppid);
	t.exited = true;
	t.exit_known = true;
	t.state = 'X';
	if (code < 0)
		t.exit_signal = -code;
	else
		t.exit_code = code;
	return t;
}

/* The row's tid, or -1 for a summary row. */
static pid_t row_tid(const struct row *r)
{
	return r->task ? r->task->tid : -1;
}

static bool unfold_all(const struct task *parent, void *arg)
{
	(void)parent, (void)arg;
	return true;
}

/* A parent with exited children interleaved with live ones (zombies among
 * them): live first, 8 exited, then one summary row for the other 4. */
static void test_fold_tree(void **state)
{
	(void)state;
	struct task t[16];
	size_t n = 0;
	t[n++] = proc(10, 1);
	for (pid_t p = 11; p < 26; p++) {
		if (p % 5 == 0) {
			t[n] = proc(p, 10);              /* 15, 20, 25: live zombies */
			t[n++].state = 'Z';
		} else {
			t[n++] = gone(p, 10, p == 24 ? -9 : p == 23 ? 3 : 0);
		}
	}
	struct tasktree *tt = tasktree_new();
	struct tree_opts o = { .tree = true, .threads = true, .exited_cap = 8 };
	size_t nr;
	const struct row *r = tasktree_rows(tt, t, n, &o, &nr);
	static const pid_t want[] = { 10, 15, 20, 25, 11, 12, 13, 14, 16, 17, 18, 19, -1 };
	assert_int_equal(nr, N(want));
	for (size_t i = 0; i < nr; i++) {
		assert_int_equal(row_tid(&r[i]), want[i]);
		assert_int_equal(r[i].depth, i == 0 ? 0 : 1);
		assert_int_equal(r[i].last, i == 0 || i == nr - 1);
		assert_true(!r[i].fold == (want[i] != -1));
	}
	const struct exit_tally *x = r[nr - 1].fold;
	assert_ptr_equal(x->parent, &t[0]);
	assert_int_equal(x->count, 4);           /* 21, 22, 23, 24 */
	assert_int_equal(x->codes[0], 2);
	assert_int_equal(x->codes[3], 1);
	assert_int_equal(x->signals[9], 1);
	assert_int_equal(x->unknown, 0);
	assert_false(x->unfolded);

	o.unfolded = unfold_all;
	r = tasktree_rows(tt, t, n, &o, &nr);
	assert_int_equal(nr, n + 1);             /* every task, then the summary row */
	assert_int_equal(row_tid(&r[nr - 2]), 24);
	assert_true(r[nr - 1].fold && r[nr - 1].fold->unfolded && r[nr - 1].last);
	assert_int_equal(r[nr - 1].fold->count, 4);

	/* At the cap nothing folds; cap 0 is tasktree_build's order. */
	o.unfolded = NULL;
	o.exited_cap = 12;
	r = tasktree_rows(tt, t, n, &o, &nr);
	assert_int_equal(nr, n);
	assert_int_equal(row_tid(&r[4]), 11);
	o.exited_cap = 0;
	r = tasktree_rows(tt, t, n, &o, &nr);
	struct row plain[16];
	assert_int_equal(tasktree_build(t, n, &o, plain), nr);
	for (size_t i = 0; i < nr; i++)
		assert_ptr_equal(plain[i].task, r[i].task);
	tasktree_free(tt);
}

/* An exited process that still has a listed child keeps its row (the
 * child hangs under it); roots fold together, parent NULL; threads fold
 * under their process. */
static void test_fold_keeps_parents_roots_threads(void **state)
{
	(void)state;
	struct task t[40];
	size_t n = 0;
	for (pid_t p = 100; p < 110; p++)
		t[n++] = gone(p, 1, 0);                  /* ten exited roots */
	t[n++] = proc(200, 100);                        /* a live child of root 100 */
	t[n++] = mk(300, 300, 1, 'S', "w");             /* a live process */
	for (pid_t k = 301; k < 311; k++) {
		t[n] = mk(k, 300, 1, 'X', "w");             /* ten exited threads */
		t[n++].exited = true;
	}
	struct tasktree *tt = tasktree_new();
	struct tree_opts o = { .tree = true, .threads = true, .exited_cap = 2 };
	size_t nr;
	const struct row *r = tasktree_rows(tt, t, n, &o, &nr);
	static const pid_t want[] = { 100, 200, 300, 301, 302, -1, 101, 102, -1 };
	assert_int_equal(nr, N(want));
	for (size_t i = 0; i < nr; i++)
		assert_int_equal(row_tid(&r[i]), want[i]);
	assert_ptr_equal(r[5].fold->parent, &t[11]);
	assert_int_equal(r[5].fold->count, 8);
	assert_int_equal(r[5].fold->unknown, 8);
	assert_int_equal(r[5].depth, 1);
	assert_null(r[8].fold->parent);
	assert_int_equal(r[8].fold->count, 7);
	assert_int_equal(r[8].fold->codes[0], 7);
	tasktree_free(tt);
}

/* Flat: the live rows in sort order, the exited within their parent's
 * cap, then the summary rows (the roots' first); the filter decides what
 * is counted. */
static void test_fold_flat_and_filter(void **state)
{
	(void)state;
	struct task t[32];
	size_t n = 0;
	t[n++] = proc(10, 1);
	t[n++] = proc(20, 1);
	for (pid_t p = 11; p < 16; p++)
		t[n++] = gone(p, 10, 1);
	for (pid_t p = 21; p < 24; p++)
		t[n++] = gone(p, 20, -15);
	t[n++] = gone(30, 1, 0);
	t[n++] = gone(31, 1, 0);
	t[n++] = gone(32, 1, 0);
	snprintf(t[n - 1].comm, sizeof t[n - 1].comm, "other");
	struct tasktree *tt = tasktree_new();
	struct tree_opts o = { .tree = false, .threads = true, .exited_cap = 2 };
	size_t nr;
	const struct row *r = tasktree_rows(tt, t, n, &o, &nr);
	static const pid_t want[] = { 10, 20, 11, 12, 21, 22, 30, 31, -1, -1, -1 };
	assert_int_equal(nr, N(want));
	for (size_t i = 0; i < nr; i++) {
		assert_int_equal(row_tid(&r[i]), want[i]);
		assert_int_equal(r[i].last, i == nr - 1);
	}
	assert_null(r[8].fold->parent);
	assert_int_equal(r[8].fold->count, 1);
	assert_ptr_equal(r[9].fold->parent, &t[0]);
	assert_int_equal(r[9].fold->count, 3);
	assert_ptr_equal(r[10].fold->parent, &t[1]);
	assert_int_equal(r[10].fold->signals[15], 1);

	o.filter = "p";         /* every comm but "other" */
	r = tasktree_rows(tt, t, n, &o, &nr);
	assert_int_equal(nr, 10);           /* the roots' two exited "p" fit the cap */
	assert_int_equal(row_tid(&r[7]), 31);
	assert_ptr_equal(r[8].fold->parent, &t[0]);
	assert_int_equal(r[8].fold->count, 3);
	tasktree_free(tt);
}

static void test_fold_text(void **state)
{
	(void)state;
	struct exit_tally x;
	char buf[256];
	memset(&x, 0, sizeof x);
	x.count = 2611;
	x.codes[0] = 2600;
	x.signals[9] = 11;
	tasktree_fold_text(&x, buf, sizeof buf);
	assert_string_equal(buf, "+2,611 exited in the last 5 s: 2,600 code 0, 11 SIGKILL");
	x.unfolded = true;
	x.count = 1234567 + 5 + 4 + 3 + 2;
	x.codes[0] = 1234567;
	x.codes[1] = 5;
	x.signals[9] = 4;
	x.signals[0] = 3;
	x.unknown = 2;
	tasktree_fold_text(&x, buf, sizeof buf);
	assert_string_equal(buf, "1,234,581 exited in the last 5 s, listed above: 1,234,567 code 0, "
			    "5 code 1, 4 SIGKILL, 3 signal 0, 2 otherwise");
}

/* A storm: random parents with live zombies and exited children. Every
 * live task is a row, no parent lists more than cap exited leaves, and the
 * tallies account for every exited task not listed. */
static void test_fold_random_storms(void **state)
{
	(void)state;
	struct tasktree *tt = tasktree_new();
	for (int round = 0; round < 200; round++) {
		size_t n = 1 + next_rand() % 300, cap = 1 + next_rand() % 10;
		struct task *t = xcalloc(n, sizeof *t);
		size_t live = 0, exited = 0;
		for (size_t i = 0; i < n; i++) {
			pid_t pid = (pid_t)(i + 2), ppid = i ? (pid_t)(2 + next_rand() % (i < 5 ? i : 5)) : 1;
			t[i] = next_rand() % 3 ? gone(pid, ppid, (int)(next_rand() % 3) - 1) : proc(pid, ppid);
			if (!t[i].exited && next_rand() % 2)
				t[i].state = 'Z';
			live += !t[i].exited;
			exited += t[i].exited;
		}
		struct tree_opts o = { .tree = next_rand() % 2, .threads = true, .exited_cap = cap };
		size_t nr, rows_live = 0, rows_exited = 0, folded = 0;
		const struct row *r = tasktree_rows(tt, t, n, &o, &nr);
		for (size_t i = 0; i < nr; i++) {
			if (r[i].fold) {
				folded += r[i].fold->count;
				unsigned sum = r[i].fold->unknown;
				for (int c = 0; c < TALLY_CODES; c++)
					sum += r[i].fold->codes[c];
				for (int s = 0; s < TALLY_SIGNALS; s++)
					sum += r[i].fold->signals[s];
				assert_int_equal(sum, r[i].fold->count);
			} else if (r[i].task->exited) {
				rows_exited++;
			} else {
				rows_live++;
			}
		}
		assert_int_equal(rows_live, live);
		assert_int_equal(rows_exited + folded, exited);
		free(t);
	}
	tasktree_free(tt);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_sort_names),
		cmocka_unit_test(test_flat_by_pid_with_threads),
		cmocka_unit_test(test_flat_sort_keys),
		cmocka_unit_test(test_tree_basic),
		cmocka_unit_test(test_tree_more_bits),
		cmocka_unit_test(test_tree_thread_without_process_is_root),
		cmocka_unit_test(test_tree_exited_included),
		cmocka_unit_test(test_filter_keeps_ancestors),
		cmocka_unit_test(test_match),
		cmocka_unit_test(test_cycles),
		cmocka_unit_test(test_big_cycle),
		cmocka_unit_test(test_deep_chain),
		cmocka_unit_test(test_random_forests),
		cmocka_unit_test(test_empty),
		cmocka_unit_test(test_summary_with_thread_rows),
		cmocka_unit_test(test_summary_without_thread_rows),
		cmocka_unit_test(test_fold_tree),
		cmocka_unit_test(test_fold_keeps_parents_roots_threads),
		cmocka_unit_test(test_fold_flat_and_filter),
		cmocka_unit_test(test_fold_text),
		cmocka_unit_test(test_fold_random_storms),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
