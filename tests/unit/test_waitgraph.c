/* Unit tests for the wait-for graph and deadlock detection. */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include "model/waitgraph.h"

/* Asserts that cycle c visits exactly the tids in want, in cycle order
 * from any starting point, each link waiting for a lock held by the next. */
static void assert_cycle(struct wg_cycle c, const pid_t *want, size_t n)
{
	assert_int_equal(c.n, n);
	size_t off = 0;
	while (off < n && c.links[0].tid != want[off])
		off++;
	assert_true(off < n);
	for (size_t i = 0; i < n; i++) {
		assert_int_equal(c.links[i].tid, want[(off + i) % n]);
		assert_int_equal(c.links[i].holder, c.links[(i + 1) % n].tid);
	}
}

static void test_no_cycle(void **state)
{
	(void)state;
	struct waitgraph *g = waitgraph_new();
	int a = waitgraph_add_lock(g, false);
	waitgraph_add_holder(g, a, 10);
	waitgraph_add_thread(g, 10, -1);
	waitgraph_add_thread(g, 11, a);
	waitgraph_add_thread(g, 12, a);
	assert_int_equal(waitgraph_find(g), 0);
	assert_false(waitgraph_deadlocked(g, 11));
	assert_false(waitgraph_deadlocked(g, 10));
	waitgraph_free(g);
}

static void test_two_cycle(void **state)
{
	(void)state;
	struct waitgraph *g = waitgraph_new();
	int f1 = waitgraph_add_lock(g, false), f2 = waitgraph_add_lock(g, false);
	waitgraph_add_holder(g, f1, 100);
	waitgraph_add_holder(g, f2, 200);
	waitgraph_add_thread(g, 100, f2);
	waitgraph_add_thread(g, 200, f1);
	assert_int_equal(waitgraph_find(g), 1);
	struct wg_cycle c = waitgraph_cycle(g, 0);
	assert_cycle(c, (pid_t[]){ 100, 200 }, 2);
	assert_int_equal(c.links[0].tid == 100 ? c.links[0].lock : c.links[1].lock, f2);
	assert_true(waitgraph_deadlocked(g, 100));
	assert_true(waitgraph_deadlocked(g, 200));
	assert_int_equal(waitgraph_cycle(g, 1).n, 0);
	waitgraph_free(g);
}

static void test_long_cycle(void **state)
{
	(void)state;
	enum { N = 5000 };
	struct waitgraph *g = waitgraph_new();
	static pid_t want[N];
	for (int i = 0; i < N; i++)
		waitgraph_add_lock(g, false);
	for (int i = 0; i < N; i++) {
		want[i] = 1000 + i;
		waitgraph_add_holder(g, i, 1000 + i);
		waitgraph_add_thread(g, 1000 + i, (i + 1) % N); /* waits for the next one's lock */
	}
	assert_int_equal(waitgraph_find(g), 1);
	assert_cycle(waitgraph_cycle(g, 0), want, N);
	waitgraph_free(g);
}

static void test_self_wait(void **state)
{
	(void)state;
	struct waitgraph *g = waitgraph_new();
	int l = waitgraph_add_lock(g, false);
	waitgraph_add_holder(g, l, 7);
	waitgraph_add_thread(g, 7, l);
	assert_int_equal(waitgraph_find(g), 1);
	struct wg_cycle c = waitgraph_cycle(g, 0);
	assert_int_equal(c.n, 1);
	assert_int_equal(c.links[0].tid, 7);
	assert_int_equal(c.links[0].holder, 7);
	assert_int_equal(c.links[0].lock, l);
	waitgraph_free(g);
}

static void test_several_cycles_and_a_bystander(void **state)
{
	(void)state;
	struct waitgraph *g = waitgraph_new();
	int a = waitgraph_add_lock(g, false), b = waitgraph_add_lock(g, false);
	int c = waitgraph_add_lock(g, false), d = waitgraph_add_lock(g, false);
	int e = waitgraph_add_lock(g, false);
	waitgraph_add_holder(g, a, 1);
	waitgraph_add_holder(g, b, 2);
	waitgraph_add_holder(g, c, 3);
	waitgraph_add_holder(g, d, 4);
	waitgraph_add_holder(g, e, 5);
	waitgraph_add_thread(g, 1, b);
	waitgraph_add_thread(g, 2, a);   /* cycle 1-2 */
	waitgraph_add_thread(g, 3, d);
	waitgraph_add_thread(g, 4, c);   /* cycle 3-4 */
	waitgraph_add_thread(g, 9, a);   /* waits on a deadlocked lock, not in a cycle */
	waitgraph_add_thread(g, 5, -1);  /* runs */
	waitgraph_add_thread(g, 6, e);   /* waits for 5, which runs */
	assert_int_equal(waitgraph_find(g), 2);
	struct wg_cycle c0 = waitgraph_cycle(g, 0), c1 = waitgraph_cycle(g, 1);
	assert_int_equal(c0.n, 2);
	assert_int_equal(c1.n, 2);
	for (size_t i = 0; i < 2; i++) {
		assert_true(c0.links[i].tid != 9 && c1.links[i].tid != 9);
	}
	assert_true(waitgraph_deadlocked(g, 9));
	assert_false(waitgraph_deadlocked(g, 6));
	assert_false(waitgraph_deadlocked(g, 5));
	waitgraph_free(g);
}

static void test_semaphores(void **state)
{
	(void)state;
	struct waitgraph *g = waitgraph_new();
	/* A semaphore with one holder that still runs: its waiters are fine. */
	int s = waitgraph_add_lock(g, false), m = waitgraph_add_lock(g, false);
	waitgraph_add_holder(g, s, 1);
	waitgraph_add_holder(g, s, 2);
	waitgraph_add_holder(g, m, 3);
	waitgraph_add_thread(g, 1, m);  /* holder 1 waits for 3's mutex */
	waitgraph_add_thread(g, 2, -1); /* holder 2 runs: it will post */
	waitgraph_add_thread(g, 3, s);  /* 3 waits for the semaphore */
	assert_int_equal(waitgraph_find(g), 0);
	assert_false(waitgraph_deadlocked(g, 3));
	/* Now holder 2 waits too, on the mutex: everyone is stuck. */
	waitgraph_reset(g);
	s = waitgraph_add_lock(g, false);
	m = waitgraph_add_lock(g, false);
	waitgraph_add_holder(g, s, 1);
	waitgraph_add_holder(g, s, 2);
	waitgraph_add_holder(g, m, 3);
	waitgraph_add_thread(g, 1, m);
	waitgraph_add_thread(g, 2, m);
	waitgraph_add_thread(g, 3, s);
	assert_int_equal(waitgraph_find(g), 1);
	assert_true(waitgraph_deadlocked(g, 1) && waitgraph_deadlocked(g, 2) && waitgraph_deadlocked(g, 3));
	/* Free permits: nobody waiting on it is stuck. */
	waitgraph_reset(g);
	s = waitgraph_add_lock(g, true);
	m = waitgraph_add_lock(g, false);
	waitgraph_add_holder(g, s, 1);
	waitgraph_add_holder(g, m, 3);
	waitgraph_add_thread(g, 1, m);
	waitgraph_add_thread(g, 3, s);
	assert_int_equal(waitgraph_find(g), 0);
	waitgraph_free(g);
}

static void test_unknown_holder_and_event(void **state)
{
	(void)state;
	struct waitgraph *g = waitgraph_new();
	int l = waitgraph_add_lock(g, false), ev = waitgraph_add_lock(g, false);
	waitgraph_add_holder(g, l, 555); /* a holder the snapshot does not list */
	waitgraph_add_thread(g, 1, l);
	waitgraph_add_thread(g, 2, ev);  /* an event nobody holds: may still be set */
	waitgraph_add_thread(g, 3, 99);  /* out-of-range lock: ignored */
	assert_int_equal(waitgraph_find(g), 0);
	assert_false(waitgraph_deadlocked(g, 1));
	assert_false(waitgraph_deadlocked(g, 2));
	waitgraph_add_holder(g, 42, 1);  /* a bad lock id is ignored */
	waitgraph_free(g);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_no_cycle),
		cmocka_unit_test(test_two_cycle),
		cmocka_unit_test(test_long_cycle),
		cmocka_unit_test(test_self_wait),
		cmocka_unit_test(test_several_cycles_and_a_bystander),
		cmocka_unit_test(test_semaphores),
		cmocka_unit_test(test_unknown_holder_and_event),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
