/* test_probe_mirror.c - the probe's publishing-only mirrors (cm_mirror_*,
 * cm_qmirror_*): what each reported step publishes (holders, depth,
 * waiters, the thread's wait, queue depth and blocked counts), that none of
 * it blocks, and that a freed mirror leaves the segment. */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include "test_probe_reader.h"
#include "probe/probe.h"

#include <pthread.h>

static void test_mutex_holder_and_wait(void **state)
{
	(void)state;
	cm_thread_role("mirror-main");
	struct cm_mirror *m = cm_mirror_new("m-mutex", CM_MIRROR_MUTEX, 0, CM_TRACED);
	cm_mirror_acquired(m, 1);
	snap_read();
	const struct telemetry_lock *l = lock_named("m-mutex");
	assert_non_null(l);
	assert_int_equal(l->source, TEL_TRACED);
	assert_int_equal(l->kind, CM_LOCK_MUTEX);
	assert_int_equal(l->n_holders, 1);
	assert_int_equal(l->holders[0], gettid());
	assert_int_equal(l->acquisitions, 1);
	cm_mirror_released(m, 1);
	cm_mirror_wait(m);                      /* reported, not done: returns at once */
	snap_read();
	l = lock_named("m-mutex");
	assert_int_equal(l->n_holders, 0);
	assert_int_equal(l->waiters, 1);
	assert_true(waits_on("mirror-main", CM_WAIT_LOCK, "m-mutex"));
	cm_mirror_acquired(m, 1);               /* ends the wait: contended */
	snap_read();
	l = lock_named("m-mutex");
	assert_int_equal(l->waiters, 0);
	assert_int_equal(l->contended, 1);
	assert_int_equal(thread_role("mirror-main")->wait_kind, CM_WAIT_NONE);
	cm_mirror_released(m, 1);
	cm_mirror_wait(m);
	cm_mirror_wait_end(m);                  /* a timeout: no holder, not contended */
	snap_read();
	l = lock_named("m-mutex");
	assert_int_equal(l->waiters, 0);
	assert_int_equal(l->n_holders, 0);
	assert_int_equal(l->contended, 1);
	cm_mirror_free(m);
	snap_read();
	assert_null(lock_named("m-mutex"));
}

/* A wait inside a wait (the Python layer's "waits for lock2", then the
 * tracer's wait for CPython's own mutex): when the inner one ends, the
 * outer one shows again; an unpublished inner lock shows nothing new. */
static void test_nested_wait_shows_the_outer_again(void **state)
{
	(void)state;
	cm_thread_role("mirror-nest");
	struct cm_mirror *outer = cm_mirror_new("m-outer", CM_MIRROR_MUTEX, 0, CM_TRACED);
	struct cm_mirror *inner = cm_mirror_new("m-inner", CM_MIRROR_MUTEX, 0, CM_TRACED);
	snap_read();
	unsigned inner_slot = lock_named("m-inner")->slot;
	cm_mirror_wait(outer);
	probe_wait_begin_as(CM_WAIT_LOCK, inner_slot, CM_REC_TRACED);
	snap_read();
	assert_true(waits_on("mirror-nest", CM_WAIT_LOCK, "m-inner"));
	probe_wait_end();
	snap_read();
	assert_true(waits_on("mirror-nest", CM_WAIT_LOCK, "m-outer"));
	probe_wait_begin(CM_WAIT_LOCK, PROBE_NO_SLOT);
	snap_read();
	assert_true(waits_on("mirror-nest", CM_WAIT_LOCK, "m-outer"));
	probe_wait_end();
	snap_read();
	assert_true(waits_on("mirror-nest", CM_WAIT_LOCK, "m-outer"));
	cm_mirror_wait_end(outer);
	snap_read();
	assert_int_equal(thread_role("mirror-nest")->wait_kind, CM_WAIT_NONE);
	cm_mirror_free(inner);
	cm_mirror_free(outer);
}

static void *release_it(void *m)
{
	cm_mirror_released(m, 1);
	return NULL;
}

static void test_mutex_released_by_another_thread(void **state)
{
	(void)state;
	struct cm_mirror *m = cm_mirror_new("m-handoff", CM_MIRROR_MUTEX, 0, CM_PRIVATE);
	cm_mirror_acquired(m, 1);
	pthread_t th;
	assert_int_equal(pthread_create(&th, NULL, release_it, m), 0);
	assert_int_equal(pthread_join(th, NULL), 0);
	snap_read();
	const struct telemetry_lock *l = lock_named("m-handoff");
	assert_int_equal(l->n_holders, 0);
	assert_int_equal(l->source, TEL_PROBE);
	cm_mirror_free(m);
}

static void test_recursive_levels(void **state)
{
	(void)state;
	struct cm_mirror *m = cm_mirror_new("m-rlock", CM_MIRROR_RECURSIVE, 0, CM_TRACED);
	cm_mirror_acquired(m, 1);
	cm_mirror_acquired(m, 2);
	snap_read();
	const struct telemetry_lock *l = lock_named("m-rlock");
	assert_int_equal(l->depth, 3);
	assert_int_equal(l->holders[0], gettid());
	cm_mirror_released(m, 1);
	snap_read();
	assert_int_equal(lock_named("m-rlock")->depth, 2);
	cm_mirror_released(m, 0);               /* every level (Condition.wait) */
	snap_read();
	l = lock_named("m-rlock");
	assert_int_equal(l->depth, 0);
	assert_int_equal(l->n_holders, 0);
	cm_mirror_free(m);
}

static void test_semaphore_holders_and_value(void **state)
{
	(void)state;
	struct cm_mirror *s = cm_mirror_new("m-sem", CM_MIRROR_SEMAPHORE, 3, CM_TRACED);
	cm_mirror_acquired(s, 1);
	cm_mirror_acquired(s, 1);
	snap_read();
	const struct telemetry_lock *l = lock_named("m-sem");
	assert_int_equal(l->permits, 3);
	assert_int_equal(l->holder_count, 2);
	assert_int_equal(l->value, 1);
	assert_int_equal(l->n_holders, 2);
	cm_mirror_released(s, 1);
	snap_read();
	l = lock_named("m-sem");
	assert_int_equal(l->holder_count, 1);
	assert_int_equal(l->value, 2);
	cm_mirror_released(s, 5);               /* more than taken: never below 0 */
	snap_read();
	l = lock_named("m-sem");
	assert_int_equal(l->holder_count, 0);
	assert_int_equal(l->value, 7);
	cm_mirror_value(s, 3);
	snap_read();
	assert_int_equal(lock_named("m-sem")->value, 3);
	cm_mirror_free(s);
}

static void test_event_value(void **state)
{
	(void)state;
	struct cm_mirror *e = cm_mirror_new("m-event", CM_MIRROR_EVENT, 0, CM_TRACED);
	cm_mirror_value(e, 5);                  /* clamped to 1 */
	snap_read();
	assert_int_equal(lock_named("m-event")->value, 1);
	cm_mirror_acquired(e, 1);               /* a wait returned */
	cm_mirror_value(e, 0);
	snap_read();
	const struct telemetry_lock *l = lock_named("m-event");
	assert_int_equal(l->value, 0);
	assert_int_equal(l->acquisitions, 1);
	assert_int_equal(l->n_holders, 0);
	cm_mirror_free(e);
}

static int take(void *m)
{
	cm_mirror_acquired(m, 1);
	return 0;
}

/* A shared mirror (multiprocessing's locks) publishes a forked child's
 * holds; a private one's copy in the child publishes nothing. */
static void test_fork(void **state)
{
	(void)state;
	struct cm_mirror *sh = cm_mirror_new("m-shared", CM_MIRROR_MUTEX, 0, CM_SHARED);
	struct cm_mirror *pr = cm_mirror_new("m-private", CM_MIRROR_MUTEX, 0, CM_PRIVATE);
	pid_t a = child(take, sh), b = child(take, pr);
	assert_int_equal(child_status(a), 0);
	assert_int_equal(child_status(b), 0);
	snap_read();
	const struct telemetry_lock *l = lock_named("m-shared");
	assert_true(l->shared);
	assert_int_equal(l->holders[0], a);
	assert_int_equal(lock_named("m-private")->n_holders, 0);
	cm_mirror_released(sh, 1);
	snap_read();
	assert_int_equal(lock_named("m-shared")->n_holders, 0);
	cm_mirror_free(sh);
	cm_mirror_free(pr);
}

static void test_queue_depth_and_waits(void **state)
{
	(void)state;
	cm_thread_role("mirror-main");
	struct cm_qmirror *q = cm_qmirror_new("m-queue", 0, CM_TRACED);
	struct cm_qmirror *b = cm_qmirror_new("m-bounded", 2, CM_PRIVATE);
	for (int i = 0; i < 3; i++) {
		cm_qmirror_put(q);
		cm_qmirror_put(b);
	}
	cm_qmirror_get(q);
	snap_read();
	const struct telemetry_queue *r = queue_named("m-queue");
	assert_int_equal(r->capacity, CM_QUEUE_CAPACITY_MAX);        /* unbounded */
	assert_int_equal(r->depth, 2);
	assert_int_equal(r->puts, 3);
	assert_int_equal(r->gets, 1);
	assert_int_equal(r->source, TEL_TRACED);
	assert_int_equal(queue_named("m-bounded")->depth, 2);        /* capped */
	for (int i = 0; i < 5; i++)
		cm_qmirror_get(q);
	cm_qmirror_wait(q, false);
	snap_read();
	r = queue_named("m-queue");
	assert_int_equal(r->depth, 0);                               /* never below 0 */
	assert_int_equal(r->blocked_get, 1);
	assert_true(waits_on("mirror-main", CM_WAIT_QUEUE_GET, "m-queue"));
	cm_qmirror_wait_end(q, false);
	snap_read();
	assert_int_equal(queue_named("m-queue")->blocked_get, 0);
	assert_int_equal(thread_role("mirror-main")->wait_kind, CM_WAIT_NONE);
	cm_qmirror_free(q);
	cm_qmirror_free(b);
	snap_read();
	assert_null(queue_named("m-queue"));
	assert_null(queue_named("m-bounded"));
}

int main(void)
{
	reader_start();
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_mutex_holder_and_wait),
		cmocka_unit_test(test_mutex_released_by_another_thread),
		cmocka_unit_test(test_nested_wait_shows_the_outer_again),
		cmocka_unit_test(test_recursive_levels),
		cmocka_unit_test(test_semaphore_holders_and_value),
		cmocka_unit_test(test_event_value),
		cmocka_unit_test(test_fork),
		cmocka_unit_test(test_queue_depth_and_waits),
	};
	int rc = cmocka_run_group_tests(tests, NULL, NULL);
	reader_stop();
	return rc;
}
