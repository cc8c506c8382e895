/* test_held.c - a launched program's exited row held past the linger while
 * its restart is pending or after it gave up: the lifecycle keeps it, the
 * rows show it whatever exited_after says, and the folding never hides it. */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <stdio.h>
#include <string.h>

#include "model/lifecycle.h"
#include "model/tasktree.h"

#define SELF 100
#define HZ 100
#define N(a) (sizeof(a) / sizeof((a)[0]))

static struct sample mk(pid_t tid, pid_t pid, pid_t ppid, unsigned long long start)
{
	struct sample s = { .tid = tid, .pid = pid, .ppid = ppid, .state = 'S',
			    .start_ticks = start, .cmdline = "prog", .threads = 1 };
	strcpy(s.comm, "prog");
	return s;
}

/* The hold: the PIDs in a small set, and how often it was asked. */
struct holds {
	pid_t pids[4];
	size_t n;
	unsigned asked;
};

static bool held_in(void *ctx, pid_t pid, unsigned long long start_ticks)
{
	struct holds *h = ctx;
	(void)start_ticks;
	h->asked++;
	for (size_t i = 0; i < h->n; i++)
		if (h->pids[i] == pid)
			return true;
	return false;
}

/* Held: kept long past LIFECYCLE_LINGER (and any linger); released: it
 * lingers from the release, then goes. A process concmon did not launch
 * is never asked about, nor a thread. */
static void test_lifecycle_holds_then_releases(void **state)
{
	(void)state;
	struct lifecycle *lc = lifecycle_new(SELF);
	struct holds h = { .pids = { 200 }, .n = 1 };
	lifecycle_set_hold(lc, held_in, &h);
	lifecycle_set_linger(lc, 1);
	lifecycle_note_launched(lc, 200);
	struct sample s[] = { mk(200, 200, SELF, 5), mk(201, 200, SELF, 5), mk(300, 300, SELF, 6) };
	lifecycle_update(lc, s, N(s), 1.0, HZ, true);
	lifecycle_note_exit(lc, 200, "prog", 3, 0, 2.0);
	lifecycle_note_exit(lc, 300, "prog", 0, 0, 2.0);
	h.asked = 0;
	for (double now = 3.0; now < 60.0; now += 3.0) {
		lifecycle_update(lc, NULL, 0, now, HZ, true);
		const struct task *t = lifecycle_find(lc, 200);
		assert_non_null(t);
		assert_true(t->exited && t->held);
		assert_int_equal(t->exit_code, 3);
	}
	assert_int_equal(h.asked, 19);          /* 200 only, once an update */
	assert_null(lifecycle_find(lc, 201));   /* its thread lingered normally */
	assert_null(lifecycle_find(lc, 300));   /* not launched: never held */

	h.n = 0;                                /* relaunched: released at 60 */
	lifecycle_update(lc, NULL, 0, 60.0, HZ, true);
	const struct task *t = lifecycle_find(lc, 200);
	assert_non_null(t);
	assert_false(t->held);
	assert_float_equal(t->exited_at, 60.0, 1e-9);
	lifecycle_update(lc, NULL, 0, 60.0 + LIFECYCLE_LINGER - 0.1, HZ, true);
	assert_non_null(lifecycle_find(lc, 200));
	lifecycle_update(lc, NULL, 0, 60.0 + LIFECYCLE_LINGER + 0.1, HZ, true);
	assert_null(lifecycle_find(lc, 200));
	lifecycle_free(lc);
}

/* Dismissed: the next update drops the process and its threads, held or
 * not; a live task cannot be dismissed. */
static void test_lifecycle_dismiss(void **state)
{
	(void)state;
	struct lifecycle *lc = lifecycle_new(SELF);
	struct holds h = { .pids = { 200 }, .n = 1 };
	lifecycle_set_hold(lc, held_in, &h);
	lifecycle_note_launched(lc, 200);
	struct sample s[] = { mk(200, 200, SELF, 5), mk(201, 200, SELF, 5), mk(400, 400, SELF, 7) };
	lifecycle_update(lc, s, N(s), 1.0, HZ, true);
	assert_false(lifecycle_dismiss(lc, 400));      /* alive */
	assert_false(lifecycle_dismiss(lc, 999));      /* unknown */
	lifecycle_note_exit(lc, 200, "prog", 3, 0, 2.0);
	lifecycle_update(lc, &s[2], 1, 20.0, HZ, true);
	assert_true(lifecycle_find(lc, 200)->held);
	assert_true(lifecycle_dismiss(lc, 200));
	assert_non_null(lifecycle_find(lc, 200));      /* the array stays until the update */
	lifecycle_update(lc, &s[2], 1, 20.5, HZ, true);
	assert_null(lifecycle_find(lc, 200));
	assert_null(lifecycle_find(lc, 201));
	assert_non_null(lifecycle_find(lc, 400));
	/* a dismissal does not carry over to a later update */
	lifecycle_note_exit(lc, 400, "prog", 0, 0, 21.0);
	lifecycle_update(lc, NULL, 0, 21.5, HZ, true);
	assert_non_null(lifecycle_find(lc, 400));
	lifecycle_free(lc);
}

static struct task proc(pid_t pid, pid_t ppid, bool exited, bool held)
{
	struct task t;
	memset(&t, 0, sizeof t);
	t.tid = t.pid = pid;
	t.ppid = ppid;
	t.state = exited ? 'X' : 'S';
	t.exited = exited;
	t.exit_known = exited;
	t.held = held;
	t.exited_at = 1.0;
	snprintf(t.comm, sizeof t.comm, "p");
	t.cmdline = (char *)"";
	t.threads = 1;
	t.supervised = true;
	return t;
}

static bool has_row(const struct row *r, size_t n, pid_t tid)
{
	for (size_t i = 0; i < n; i++)
		if (r[i].task && r[i].task->tid == tid)
			return true;
	return false;
}

/* Past the linger (exited_after later than its exit) a held row stays,
 * and is counted as shown; among more exited siblings than the cap it is
 * never folded into the summary row, tree or flat. */
static void test_tasktree_shows_held(void **state)
{
	(void)state;
	struct task t[16];
	size_t n = 0;
	t[n++] = proc(10, 1, false, false);
	t[n++] = proc(11, 10, true, false);
	t[n++] = proc(50, 10, true, true);           /* the held program's row */
	for (pid_t p = 12; p < 22; p++)
		t[n++] = proc(p, 10, true, false);
	struct tasktree *tt = tasktree_new();
	for (int tree = 0; tree < 2; tree++) {
		struct tree_opts o = { .tree = tree, .threads = true, .exited_cap = 2 };
		size_t nr;
		const struct row *r = tasktree_rows(tt, t, n, &o, &nr);
		assert_true(has_row(r, nr, 50));
		assert_int_equal(nr, 1 + 1 + 2 + 1);      /* live, held, cap 2, summary */
		assert_int_equal(r[nr - 1].fold->count, 9);

		o.exited_after = 2.0;                      /* the linger has passed */
		r = tasktree_rows(tt, t, n, &o, &nr);
		assert_int_equal(nr, 2);
		assert_true(has_row(r, nr, 10) && has_row(r, nr, 50));
		struct row plain[16];
		assert_int_equal(tasktree_build(t, n, &o, plain), 2);
	}
	struct summary sum;
	tasktree_summary_shown(t, n, false, 2.0, &sum);
	assert_int_equal(sum.exited, 1);
	tasktree_summary_shown(t, n, false, 0, &sum);
	assert_int_equal(sum.exited, 12);
	tasktree_free(tt);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_lifecycle_holds_then_releases),
		cmocka_unit_test(test_lifecycle_dismiss),
		cmocka_unit_test(test_tasktree_shows_held),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
