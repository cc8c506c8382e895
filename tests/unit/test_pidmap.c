/* Unit tests for pidmap: random inserts and removals checked against a
 * plain array indexed by PID, and walks that see every element once. */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>
#include <stdbool.h>
#include <string.h>

#include "util/pidmap.h"
#include "xorshift.h"

#define PIDS 5000

struct item {
	pid_t pid;
	unsigned value;
};

static void test_matches_a_reference_under_churn(void **state)
{
	(void)state;
	static unsigned ref[PIDS];    /* 0: absent */
	memset(ref, 0, sizeof ref);
	unsigned long long seed = 42;
	struct pidmap *m = pidmap_new(sizeof(struct item));
	size_t live = 0;
	for (unsigned step = 1; step <= 200000; step++) {
		pid_t pid = (pid_t)(xorshift_next(&seed) % (PIDS - 1)) + 1;
		/* Phases: mostly inserting, then mostly removing, so it grows and shrinks. */
		bool grow = (step / 50000) % 2 == 0;
		if (xorshift_next(&seed) % 4 < (grow ? 3u : 1u)) {
			int added;
			struct item *it = pidmap_insert(m, pid, &added);
			assert_int_equal(added, ref[pid] == 0);
			assert_int_equal(it->pid, pid);
			assert_int_equal(it->value, added ? 0 : ref[pid]);
			it->value = step;
			live += added;
			ref[pid] = step;
		} else {
			pidmap_remove(m, pid);
			live -= ref[pid] != 0;
			ref[pid] = 0;
		}
		assert_int_equal(pidmap_count(m), live);
		struct item *f = pidmap_find(m, pid);
		assert_true(ref[pid] ? f && f->value == ref[pid] : !f);
	}
	for (pid_t p = 1; p < PIDS; p++) {
		struct item *f = pidmap_find(m, p);
		assert_true(ref[p] ? f && f->value == ref[p] : !f);
	}
	pidmap_free(m);
}

static void test_walk_sees_each_once_and_may_remove(void **state)
{
	(void)state;
	struct pidmap *m = pidmap_new(sizeof(struct item));
	for (pid_t p = 1; p <= 1000; p++)
		((struct item *)pidmap_insert(m, p, NULL))->value = (unsigned)p;
	static int seen[1001];
	memset(seen, 0, sizeof seen);
	size_t cursor = 0;
	struct item *it;
	while ((it = pidmap_next(m, &cursor))) {
		seen[it->pid]++;
		if (it->pid % 2)
			pidmap_remove(m, it->pid);
	}
	for (pid_t p = 1; p <= 1000; p++) {
		assert_int_equal(seen[p], 1);
		assert_true((pidmap_find(m, p) != NULL) == (p % 2 == 0));
	}
	assert_int_equal(pidmap_count(m), 500);
	assert_null(pidmap_find(m, 0));
	assert_null(pidmap_insert(m, 0, NULL));
	pidmap_free(m);
}

/* Clear empties the map and keeps its size: refilling it finds nothing
 * old and every new element. */
static void test_clear_then_refill(void **state)
{
	(void)state;
	struct pidmap *m = pidmap_new(sizeof(struct item));
	for (pid_t p = 1; p <= 1000; p++)
		((struct item *)pidmap_insert(m, p, NULL))->value = (unsigned)p;
	pidmap_clear(m);
	assert_int_equal(pidmap_count(m), 0);
	size_t cursor = 0;
	assert_null(pidmap_next(m, &cursor));
	for (pid_t p = 1; p <= 1000; p++)
		assert_null(pidmap_find(m, p));
	for (pid_t p = 501; p <= 1500; p++) {
		int added = 0;
		struct item *it = pidmap_insert(m, p, &added);
		assert_true(added);
		assert_int_equal(it->value, 0);
		it->value = (unsigned)p * 3;
	}
	assert_int_equal(pidmap_count(m), 1000);
	for (pid_t p = 1; p <= 1500; p++) {
		struct item *it = pidmap_find(m, p);
		if (p <= 500)
			assert_null(it);
		else
			assert_int_equal(it->value, (unsigned)p * 3);
	}
	pidmap_free(m);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_matches_a_reference_under_churn),
		cmocka_unit_test(test_walk_sees_each_once_and_may_remove),
		cmocka_unit_test(test_clear_then_refill),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
